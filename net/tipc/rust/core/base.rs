// SPDX-License-Identifier: GPL-2.0

//! What every server has, whatever its service: its namespace, its two
//! dedicated workqueues, and whether it is stopping.

use super::fault::{self, Point};
use super::stats::{Live, LIVE_SERVERS};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    net::namespace::NetNs,
    prelude::*,
    workqueue::{OwnedQueue, Queue, QueueFlags},
};

/// The part of a server its mode (connections or datagrams) does not change.
pub(crate) struct ServerBase {
    net: NetNs,
    recv_queue: OwnedQueue,
    send_queue: OwnedQueue,
    stopping: AtomicBool,
    _live: Live,
}

impl ServerBase {
    /// Creates the ordered receive and send workqueues, named `recv` and `send`.
    ///
    /// Without `WQ_MEM_RECLAIM`, as upstream's: nothing the server does
    /// frees memory, and a reclaim queue costs a rescuer thread each, four
    /// per namespace.
    pub(crate) fn new(net: NetNs, recv: &CStr, send: &CStr) -> Result<Self> {
        let flags = QueueFlags::NONE;
        Ok(Self {
            net,
            recv_queue: OwnedQueue::new_ordered(recv, flags)?,
            send_queue: OwnedQueue::new_ordered(send, flags)?,
            stopping: AtomicBool::new(false),
            _live: Live::new(&LIVE_SERVERS),
        })
    }

    pub(crate) fn net(&self) -> NetNs {
        self.net
    }

    pub(crate) fn recv_queue(&self) -> &Queue {
        &self.recv_queue
    }

    pub(crate) fn send_queue(&self) -> &Queue {
        &self.send_queue
    }

    /// Marks the server stopping: nothing new starts after this.
    pub(crate) fn begin_stop(&self) {
        self.stopping.store(true, Ordering::Release);
        fault::point(self.net, Point::StopBeforeDrain);
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Waits for the receive work queued so far.
    pub(crate) fn flush_recv(&self) {
        self.recv_queue.flush();
    }

    /// Waits until neither queue has work, including work items that
    /// queue themselves again (a send work past its budget): a flush would
    /// miss those, and the last reference to the server could then go on
    /// one of its own workers, which cannot destroy its own queue.
    ///
    /// The caller has stopped every other source of work first (socket
    /// callbacks detached, connections closed): the receive side may still
    /// queue send work, so it drains first; the send side queues only
    /// itself.
    pub(crate) fn drain(&self) {
        self.recv_queue.drain();
        self.send_queue.drain();
    }
}
