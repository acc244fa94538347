// SPDX-License-Identifier: GPL-2.0

//! What every server has, whatever its mode: its namespace, its socket,
//! its receive buffer, and whether it is stopping.

use super::stats::{Live, LIVE_SERVERS};
use crate::boundary::tipc::{fault_point, server_socket, Point, TipcNet};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    net::socket::{SockType, Socket, SocketEvents},
    new_mutex,
    prelude::*,
    sync::{Arc, Mutex},
};

/// Id of the work items that send.
pub(crate) const SEND: u64 = 2;

/// The part of a server its mode (connections or datagrams) does not change.
#[pin_data]
pub(crate) struct ServerBase {
    net: TipcNet,
    stopping: AtomicBool,
    _live: Live,
    /// The listener, or the one socket of a connectionless server.
    #[pin]
    sock: Mutex<Option<Socket>>,
    /// The receive work's buffer (it runs one at a time), allocated at
    /// start so that a receive never waits for memory.
    #[pin]
    pub(crate) recv_buf: Mutex<KVec<u8>>,
}

impl ServerBase {
    /// A server in `net` with a receive buffer of `recv_len` bytes.
    pub(crate) fn new(net: TipcNet, recv_len: usize) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            net,
            stopping: AtomicBool::new(false),
            _live: Live::new(&LIVE_SERVERS),
            sock <- new_mutex!(None, "tipc_server_sock"),
            recv_buf <- new_mutex!(
                KVec::from_elem(0u8, recv_len, GFP_KERNEL)?,
                "tipc_server_recv_buf"
            ),
        }? Error)
    }

    pub(crate) fn net(&self) -> TipcNet {
        self.net
    }

    /// Creates the server's socket, lets `setup` bind it, and attaches
    /// `owner` to its events.
    pub(crate) fn open_socket<T: SocketEvents>(
        &self,
        ty: SockType,
        owner: Arc<T>,
        setup: impl FnOnce(&Socket) -> Result,
    ) -> Result {
        let sock = server_socket(self.net, ty)?;
        setup(&sock)?;
        let mut slot = self.sock.lock();
        slot.insert(sock).attach_events(owner)
    }

    /// Runs `f` on the socket, unless the server stopped with it.
    pub(crate) fn with_socket<R>(&self, f: impl FnOnce(&Socket) -> R) -> Option<R> {
        self.sock.lock().as_ref().map(f)
    }

    /// Detaches `T`'s events from the socket: its callbacks queue no more work.
    pub(crate) fn detach_socket<T: SocketEvents>(&self) {
        if let Some(sock) = self.sock.lock().as_ref() {
            drop(sock.detach_events::<T>());
        }
    }

    /// Closes the socket, with its publication.
    pub(crate) fn close_socket(&self) {
        let sock = self.sock.lock().take();
        drop(sock);
    }

    /// Marks the server stopping: nothing new starts after this.
    pub(crate) fn begin_stop(&self) {
        self.stopping.store(true, Ordering::Release);
        fault_point(self.net, Point::StopBeforeDrain);
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}
