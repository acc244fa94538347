// SPDX-License-Identifier: GPL-2.0

//! Who may run what over the socket.
//!
//! A TIPC message carries no credentials, so the socket must never allow
//! what netlink would refuse: local administration goes through netlink
//! (which checks `CAP_NET_ADMIN`), and other nodes get what the
//! namespace's `net.tipc.remote_management` sysctl grants them.

use super::commands::Class;
use super::wire::code;

/// `remote_management`: nothing from other nodes.
pub(crate) const REMOTE_NONE: u32 = 0;
/// `remote_management`: public commands from other nodes (the default).
pub(crate) const REMOTE_PUBLIC: u32 = 1;

/// A refusal: the error code and the text of the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: u8,
    pub(crate) text: &'static str,
}

/// Decides whether a requester may run a command of class `class`:
/// `local` if it is on this node, `level` the `remote_management` value.
pub(crate) fn decide(level: u32, local: bool, class: Class) -> Result<(), Refusal> {
    let refuse = |code, text| Err(Refusal { code, text });
    if local {
        return match class {
            Class::Public => Ok(()),
            _ => refuse(
                code::NOT_NET_ADMIN,
                "local administration goes through netlink (tipc-config without -m)",
            ),
        };
    }
    match (level, class) {
        (REMOTE_NONE, _) => refuse(
            code::NO_REMOTE,
            "remote management is disabled (net.tipc.remote_management=0)",
        ),
        (_, Class::Private) => refuse(
            code::NOT_NET_ADMIN,
            "private commands are never accepted from other nodes",
        ),
        (REMOTE_PUBLIC, Class::Protected) => refuse(
            code::NOT_NET_ADMIN,
            "protected commands need net.tipc.remote_management=2",
        ),
        _ => Ok(()),
    }
}
