// SPDX-License-Identifier: GPL-2.0

//! The configuration service on the core's connectionless server.

use super::commands::{self, BadArg};
use super::policy;
use super::wire::{self, code};
use crate::boundary::{
    command,
    tipc::{instance, own_addr, remote_management, ULTRA_STRING_MAX_LEN},
};
use crate::server::{
    dgram::DgramService,
    service::ServiceInfo,
    stats::{counters, write_lines, TextBuf},
    DgramServer,
};
use core::fmt::Write;
use kernel::{
    c_str,
    net::{socket::SockType, tipc::Scope},
    prelude::*,
    uapi::TIPC_CFG_SRV,
};

/// Longest request: a header and the largest argument (a link config)
/// fit many times over.
const MAX_REQUEST: usize = 1024;
/// Longest reply: the header, and the largest reply buffer the command code
/// allocates (`ULTRA_STRING_MAX_LEN` of text in one TLV).
const MAX_REPLY: usize = wire::HDR_LEN + wire::TLV_HDR_LEN + ULTRA_STRING_MAX_LEN;

counters! {
    /// The configuration service of one namespace: its counters.
    pub(crate) struct Config {
        refused,
        malformed,
        unsupported,
        executed,
        failed,
        ignored,
        no_memory,
    }
}

impl Config {
    /// The node got its address: the service takes the node-state name
    /// `{0, addr}` (the name other nodes watch for this node's up and
    /// down events); `false` leaves it to the caller.
    pub(crate) fn publish_node_state(server: &DgramServer<Self>, addr: u32) -> bool {
        let published = server.publish(instance(TIPC_CFG_SRV, addr), Scope::Cluster);
        if let Err(e) = published {
            pr_warn!("configuration service not published: {:?}\n", e);
        }
        published.is_ok()
    }

    /// The reply to `msg` from a socket on node `from_node`: `Ok(None)` for
    /// a message that gets none, `Err` only if memory for a reply ran out.
    fn answer(
        &self,
        server: &DgramServer<Self>,
        from_node: u32,
        msg: &[u8],
    ) -> Result<Option<KVec<u8>>> {
        let net = server.net();
        let req = match wire::parse(msg, MAX_REQUEST) {
            Ok(req) => req,
            Err(why) if !why.answered() => {
                self.ignored.inc();
                return Ok(None);
            }
            Err(why) => {
                self.malformed.inc();
                return wire::error_reply(&wire::reply_header(msg), code::TLV_ERROR, why.text())
                    .map(Some);
            }
        };
        let local = from_node == own_addr(net);
        let level = remote_management(net);
        if let Err(r) = policy::decide(level, local, commands::class(req.cmd)) {
            self.refused.inc();
            return wire::error_reply(&req.header, r.code, r.text).map(Some);
        }
        match commands::check(req.cmd, req.tlv.as_ref()) {
            Ok(()) => {}
            Err(BadArg::Unsupported) => {
                self.unsupported.inc();
                return wire::error_reply(
                    &req.header,
                    code::NOT_SUPPORTED,
                    "command not supported over the network",
                )
                .map(Some);
            }
            Err(BadArg::Invalid(why)) => {
                self.malformed.inc();
                return wire::error_reply(&req.header, code::TLV_ERROR, why).map(Some);
            }
        }
        self.executed.inc();
        match command::run(net, req.cmd, req.body) {
            Ok(result) => wire::reply(&req.header, &[result.bytes()]).map(Some),
            Err(e) => {
                self.failed.inc();
                match e.reply {
                    // What netlink answers for this error, answered here too.
                    Some(result) => wire::reply(&req.header, &[result.bytes()]).map(Some),
                    None => {
                        let mut text = KVec::new();
                        let errno = -e.errno.to_errno();
                        let _ = write!(TextBuf(&mut text), "command failed: errno {errno}");
                        let text = core::str::from_utf8(&text).unwrap_or("command failed");
                        wire::error_reply(&req.header, code::INVALID_VALUE, text).map(Some)
                    }
                }
            }
        }
    }
}

impl ServiceInfo for Config {
    const SOCK_TYPE: SockType = SockType::Rdm;
    const MAX_REQUEST: usize = MAX_REQUEST;
    const NAME: &'static str = "config";

    fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        write_lines(w, Self::NAME, &self.lines())
    }
}

impl DgramService for Config {
    const RECV_QUEUE: &'static CStr = c_str!("tipc_cfgsrv_rcv");
    const SEND_QUEUE: &'static CStr = c_str!("tipc_cfgsrv_send");
    const MAX_REPLY: usize = MAX_REPLY;

    fn handle(server: &DgramServer<Self>, from_node: u32, msg: &[u8]) -> Option<KVec<u8>> {
        let config = server.service();
        config.answer(server, from_node, msg).unwrap_or_else(|_| {
            // Nothing to send without memory for it; counted, not silent.
            config.no_memory.inc();
            None
        })
    }
}
