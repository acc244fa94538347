// SPDX-License-Identifier: GPL-2.0

//! What a service tells the server core.

use super::{conn::Conn, stats::TextBuf, ConnServer, DgramServer};
use crate::boundary::tipc::ServiceRange;
use kernel::{
    net::{socket::SockType, tipc::Scope},
    prelude::*,
    str::CStr,
    sync::Arc,
};

/// What every service declares, whatever the server that runs it.
pub(crate) trait ServiceInfo: Default + Sized + Send + Sync + 'static {
    /// Names of the receive and send workqueues.
    const RECV_QUEUE: &'static CStr;
    /// See [`ServiceInfo::RECV_QUEUE`].
    const SEND_QUEUE: &'static CStr;
    /// Socket type of the service.
    const SOCK_TYPE: SockType;
    /// Longest request. A connection-oriented server truncates a longer
    /// message to this; a connectionless one hands it over with one byte
    /// more, so the service can tell.
    const MAX_REQUEST: usize;
    /// Prefix of the service's lines in `/proc/net/tipc_server`.
    const NAME: &'static str;

    /// Appends the service's own counters, after its server's.
    fn write_stats(&self, _w: &mut TextBuf<'_>) -> core::fmt::Result {
        Ok(())
    }
}

/// A service run by [`ConnServer`]: its address, its per-connection state, and
/// its handlers. The handlers run in process context on the server's
/// workqueues, except where noted.
pub(crate) trait Service: ServiceInfo {
    /// Per-connection state.
    type ConnState: Send + Sync;
    /// A message waiting on a connection's outbound queue.
    type Out: Copy + Send;

    /// The address the server publishes, and with which scope.
    fn address(&self) -> (ServiceRange, Scope);

    /// The state of a new connection.
    fn conn_state() -> impl PinInit<Self::ConnState>;

    /// Handles one request. An error closes the connection (the protocol's
    /// answer to a malformed request).
    fn received(server: &Arc<ConnServer<Self>>, conn: &Arc<Conn<Self>>, req: &[u8]) -> Result;

    /// The bytes `out` puts on the wire.
    fn payload(out: &Self::Out) -> &[u8];

    /// The next message for a connection without a socket (a kernel
    /// subscriber), which keeps its own backlog rather than a queue; the
    /// service calls [`Conn::notify_local`] when there is one.
    fn take_local(conn: &Conn<Self>) -> Option<Self::Out>;

    /// Hands `out` to a connection without a socket (a kernel subscriber).
    fn deliver_local(server: &ConnServer<Self>, out: &Self::Out);

    /// Called once `out` has left the queue (sent or delivered).
    fn sent(server: &ConnServer<Self>, conn: &Arc<Conn<Self>>, out: &Self::Out);

    /// Called once when the connection closes, to release its state.
    fn closed(server: &ConnServer<Self>, conn: &Conn<Self>);

    /// A subscription of the kernel's group messaging (see
    /// [`super::Running::kernel_subscribe`]), if the service takes them.
    fn kernel_subscribe(
        _server: &Arc<ConnServer<Self>>,
        _port: u32,
        _range: ServiceRange,
        _filter: u32,
    ) -> Option<Result<u32>> {
        None
    }
}

/// A connectionless service run by [`DgramServer`]: one socket, a request
/// in, at most one reply out. The handler runs in process context on the
/// server's receive workqueue.
pub(crate) trait DgramService: ServiceInfo {
    /// Longest reply: what a request reserves on the reply queue before it
    /// is handled.
    const MAX_REPLY: usize;

    /// Handles a request from a socket on node `from_node`; returns the
    /// reply to send back to that socket, if any (a message that is no
    /// request gets none).
    fn handle(server: &DgramServer<Self>, from_node: u32, req: &[u8]) -> Option<KVec<u8>>;

    /// The node got address `addr` (see [`super::Running::publish_node_state`]),
    /// if the service takes the node-state name.
    fn publish_node_state(_server: &DgramServer<Self>, _addr: u32) -> Option<bool> {
        None
    }
}
