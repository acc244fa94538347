// SPDX-License-Identifier: GPL-2.0

//! TIPC socket addresses, as in `include/uapi/linux/tipc.h`.
//!
//! Only the address formats: the protocol itself lives in `tipc.ko`, and a
//! kernel [`Socket`](super::socket::Socket) of family [`AF_TIPC`] works once
//! that module is loaded.

use super::socket::SockAddr;
use crate::uapi;

/// `AF_TIPC`.
pub const AF_TIPC: u16 = crate::bindings::AF_TIPC as u16;

/// Visibility of a binding, `TIPC_CLUSTER_SCOPE` / `TIPC_NODE_SCOPE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i8)]
pub enum Scope {
    /// Visible in the whole cluster.
    Cluster = uapi::tipc_scope_TIPC_CLUSTER_SCOPE as i8,
    /// Visible on this node only.
    Node = uapi::tipc_scope_TIPC_NODE_SCOPE as i8,
}

const TIPC_SERVICE_RANGE: u8 = uapi::TIPC_SERVICE_RANGE as u8;
const TIPC_SERVICE_ADDR: u8 = uapi::TIPC_SERVICE_ADDR as u8;
const TIPC_SOCKET_ADDR: u8 = uapi::TIPC_SOCKET_ADDR as u8;

/// `struct sockaddr_tipc`; its union is seen as three words.
///
/// # Examples
///
/// ```
/// use kernel::net::tipc::{Scope, SockAddrTipc};
///
/// let a = SockAddrTipc::socket(0x1234, 0x1001001);
/// assert_eq!(a.socket_id(), Some((0x1234, 0x1001001)));
/// assert_eq!(SockAddrTipc::service_range(4711, 0, 9, Scope::Node).socket_id(), None);
/// assert_eq!(core::mem::size_of::<SockAddrTipc>(), 16);
/// ```
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockAddrTipc {
    family: u16,
    addrtype: u8,
    scope: i8,
    addr: [u32; 3],
}

// SAFETY: `#[repr(C)]` with the layout of `struct sockaddr_tipc` (family first, 16 bytes); all
// fields are integers, so every bit pattern is valid.
unsafe impl SockAddr for SockAddrTipc {
    const FAMILY: u16 = AF_TIPC;
}

impl SockAddrTipc {
    /// The service range `{ty, lower, upper}`, to bind with `scope`.
    pub fn service_range(ty: u32, lower: u32, upper: u32, scope: Scope) -> Self {
        Self {
            family: AF_TIPC,
            addrtype: TIPC_SERVICE_RANGE,
            scope: scope as i8,
            addr: [ty, lower, upper],
        }
    }

    /// The service `{ty, instance}`, looked up from node `domain` (0: anywhere).
    pub fn service(ty: u32, instance: u32, domain: u32) -> Self {
        Self {
            family: AF_TIPC,
            addrtype: TIPC_SERVICE_ADDR,
            scope: 0,
            addr: [ty, instance, domain],
        }
    }

    /// The socket `{port, node}`.
    pub fn socket(port: u32, node: u32) -> Self {
        Self {
            family: AF_TIPC,
            addrtype: TIPC_SOCKET_ADDR,
            scope: 0,
            addr: [port, node, 0],
        }
    }

    /// `{port, node}` if this is a socket address.
    pub fn socket_id(&self) -> Option<(u32, u32)> {
        (self.family == AF_TIPC && self.addrtype == TIPC_SOCKET_ADDR)
            .then_some((self.addr[0], self.addr[1]))
    }
}
