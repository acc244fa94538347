// SPDX-License-Identifier: GPL-2.0

//! The configuration service on the core's connectionless server.

use super::commands::{self, BadArg};
use super::policy;
use super::wire::{self, code};
use crate::core::{
    dgram::DgramServer,
    service::{DgramService, ServiceInfo},
    stats::TextBuf,
};
use crate::ffi;
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::{c_str, net::socket::SockType, prelude::*};

/// `TIPC_CFG_SRV`: the service type, shared with the node-state name.
pub(crate) const TIPC_CFG_SRV: u32 = 0;
/// Longest request: a header and the largest argument (a link config)
/// fit many times over.
const MAX_REQUEST: usize = 1024;
/// Longest reply: the header, and the largest reply buffer the command code
/// allocates (`ULTRA_STRING_MAX_LEN` of text in one TLV, netlink_compat.c).
const MAX_REPLY: usize = wire::HDR_LEN + wire::TLV_HDR_LEN + 32768;

/// The configuration service of one namespace: its counters.
#[derive(Default)]
pub(crate) struct Config {
    refused: AtomicU64,
    malformed: AtomicU64,
    unsupported: AtomicU64,
    executed: AtomicU64,
    failed: AtomicU64,
    ignored: AtomicU64,
    no_memory: AtomicU64,
}

impl Config {
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
                self.ignored.fetch_add(1, Relaxed);
                return Ok(None);
            }
            Err(why) => {
                self.malformed.fetch_add(1, Relaxed);
                return wire::error_reply(&wire::reply_header(msg), code::TLV_ERROR, why.text())
                    .map(Some);
            }
        };
        let local = from_node == ffi::own_addr(net);
        let level = ffi::remote_management(net);
        if let Err(r) = policy::decide(level, local, commands::class(req.cmd)) {
            self.refused.fetch_add(1, Relaxed);
            return wire::error_reply(&req.header, r.code, r.text).map(Some);
        }
        match commands::check(req.cmd, req.tlv.as_ref()) {
            Ok(()) => {}
            Err(BadArg::Unsupported) => {
                self.unsupported.fetch_add(1, Relaxed);
                return wire::error_reply(
                    &req.header,
                    code::NOT_SUPPORTED,
                    "command not supported over the network",
                )
                .map(Some);
            }
            Err(BadArg::Invalid(why)) => {
                self.malformed.fetch_add(1, Relaxed);
                return wire::error_reply(&req.header, code::TLV_ERROR, why).map(Some);
            }
        }
        self.executed.fetch_add(1, Relaxed);
        match ffi::run_config_command(net, req.cmd, req.body) {
            Ok(result) => wire::reply(&req.header, &[result.bytes()]).map(Some),
            Err(e) => {
                self.failed.fetch_add(1, Relaxed);
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
    const RECV_QUEUE: &'static CStr = c_str!("tipc_cfgsrv_rcv");
    const SEND_QUEUE: &'static CStr = c_str!("tipc_cfgsrv_send");
    const SOCK_TYPE: SockType = SockType::Rdm;
    const MAX_REQUEST: usize = MAX_REQUEST;
    const NAME: &'static str = "config";

    fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        for (name, c) in [
            ("refused", &self.refused),
            ("malformed", &self.malformed),
            ("unsupported", &self.unsupported),
            ("executed", &self.executed),
            ("failed", &self.failed),
            ("ignored", &self.ignored),
            ("no_memory", &self.no_memory),
        ] {
            writeln!(w, "{}.{name} {}", Self::NAME, c.load(Relaxed))?;
        }
        Ok(())
    }
}

impl DgramService for Config {
    const MAX_REPLY: usize = MAX_REPLY;

    fn handle(server: &DgramServer<Self>, from_node: u32, msg: &[u8]) -> Option<KVec<u8>> {
        let config = server.service();
        config.answer(server, from_node, msg).unwrap_or_else(|_| {
            // Nothing to send without memory for it; counted, not silent.
            config.no_memory.fetch_add(1, Relaxed);
            None
        })
    }
}
