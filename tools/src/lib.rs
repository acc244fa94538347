// SPDX-License-Identifier: GPL-2.0
//! Userspace side of the TIPC topology and configuration services.
//!
//! Everything here speaks to the kernel through plain AF_TIPC sockets, the
//! way any TIPC application does; the layouts mirror
//! include/uapi/linux/tipc.h.

pub mod cfg;
pub mod ktap;
pub mod netns;
pub mod sock;
pub mod topo;

pub use sock::{Scope, Socket, SocketAddr};
pub use topo::{Event, Recv, Subscr, TopologyClient, EVENT_LEN, SUBSCR_LEN};

/// Service type of the topology service, `TIPC_TOP_SRV`.
pub const TIPC_TOP_SRV: u32 = 1;
/// Reserved service type published per node, `TIPC_NODE_STATE`.
pub const TIPC_NODE_STATE: u32 = 0;
/// Reserved service type published per link endpoint, `TIPC_LINK_STATE`.
pub const TIPC_LINK_STATE: u32 = 2;

/// `TIPC_SUB_PORTS`: an event for every matching binding.
pub const TIPC_SUB_PORTS: u32 = 0x01;
/// `TIPC_SUB_SERVICE`: an event at first publication and last withdrawal.
pub const TIPC_SUB_SERVICE: u32 = 0x02;
/// `TIPC_SUB_CANCEL`: cancel an earlier, byte-identical subscription.
pub const TIPC_SUB_CANCEL: u32 = 0x04;
/// `TIPC_WAIT_FOREVER`: a subscription that never times out.
pub const TIPC_WAIT_FOREVER: u32 = !0;

/// `TIPC_PUBLISHED`.
pub const TIPC_PUBLISHED: u32 = 1;
/// `TIPC_WITHDRAWN`.
pub const TIPC_WITHDRAWN: u32 = 2;
/// `TIPC_SUBSCR_TIMEOUT`.
pub const TIPC_SUBSCR_TIMEOUT: u32 = 3;

/// Builds a TIPC network address `z.c.n` (legacy notation used by `tipc node set addr`).
pub const fn tipc_addr(zone: u32, cluster: u32, node: u32) -> u32 {
    (zone << 24) | (cluster << 12) | node
}

/// Formats a TIPC network address as `z.c.n`.
pub fn addr_string(a: u32) -> String {
    format!("{}.{}.{}", a >> 24, (a >> 12) & 0xfff, a & 0xfff)
}
