// SPDX-License-Identifier: GPL-2.0

//! A connectionless service's server in one network namespace.
//!
//! One `SOCK_RDM` socket receives every request; each reply waits on the
//! byte-bounded reply queue ([`super::replyqueue`]) until the send work
//! sends it. A request that finds no room for its reply is counted and not
//! handled.

use super::base::{ServerBase, SEND};
use super::replyqueue::{Reply, ReplyQueue};
use super::service::ServiceInfo;
use super::stats::{counters, write_lines, TextBuf};
use crate::boundary::tipc::{
    fault_point, make_replies_droppable, publish, reply_queue_limit, Point, ServiceRange, TipcNet,
};
use core::sync::atomic::{AtomicBool, Ordering::Relaxed};
use kernel::{
    impl_has_work,
    net::{
        socket::{Sent, SocketEvents},
        tipc::{Scope, SockAddrTipc},
    },
    new_mutex, new_work,
    prelude::*,
    sync::{Arc, ArcBorrow, Mutex},
    workqueue::{OwnedQueue, QueueFlags, Work, WorkItem},
};

/// Id of the work item that runs on the receive queue.
const RECV: u64 = 1;

/// Requests handled, or replies sent, per run of a work item before it yields.
const BUDGET: usize = 64;

/// A connectionless service run by [`DgramServer`]: a request in, at most
/// one reply out, handled on the server's receive workqueue.
pub(crate) trait DgramService: ServiceInfo {
    /// Name of the receive workqueue.
    const RECV_QUEUE: &'static CStr;
    /// Name of the send workqueue.
    const SEND_QUEUE: &'static CStr;
    /// Longest reply: what a request reserves on the reply queue before it
    /// is handled.
    const MAX_REPLY: usize;

    /// Handles a request from node `from_node`; returns the reply, if any.
    fn handle(server: &DgramServer<Self>, from_node: u32, req: &[u8]) -> Option<KVec<u8>>;
}

counters! {
    /// Counters of a connectionless server.
    struct DgramStats {
        requests,
        replied,
        dropped,
        send_errors,
        reply_queue_high_water,
    }
}

/// A connectionless server: its socket, its reply queue and its two work
/// items. `stop` drains both queues, as [`super::ConnServer`]'s.
#[pin_data]
pub(crate) struct DgramServer<S: DgramService> {
    #[pin]
    base: ServerBase,
    service: S,
    stats: DgramStats,
    /// Set by the socket's write-space event: held-back replies may go.
    write_space: AtomicBool,
    #[pin]
    replies: Mutex<ReplyQueue>,
    /// Its own workqueue, not the topology server's shared worker: a
    /// command may wait for RTNL, which must not hold up other namespaces.
    recv_queue: OwnedQueue,
    /// Its own too, ordered (one reply at a time in all), not the topology
    /// server's per-CPU one: replies are few, and a send work woken on the
    /// receive work's CPU would preempt it once per reply.
    send_queue: OwnedQueue,
    #[pin]
    recv_work: Work<DgramServer<S>, RECV>,
    #[pin]
    send_work: Work<DgramServer<S>, SEND>,
}

impl_has_work! {
    impl{S: DgramService} HasWork<DgramServer<S>, RECV> for DgramServer<S> { self.recv_work }
    impl{S: DgramService} HasWork<DgramServer<S>, SEND> for DgramServer<S> { self.send_work }
}

impl<S: DgramService> DgramServer<S> {
    /// Starts `service` in `net` with an unbound socket: it is reachable
    /// once [`DgramServer::publish`] has given it an address.
    pub(crate) fn start(net: TipcNet, service: S) -> Result<Arc<Self>> {
        let server = Arc::pin_init(
            try_pin_init!(Self {
                // One byte more than a request may have: a longer one shows as too long.
                base <- ServerBase::new(net, S::MAX_REQUEST + 1),
                service,
                stats: DgramStats::default(),
                write_space: AtomicBool::new(false),
                replies <- new_mutex!(ReplyQueue::new(), "tipc_dgram_replies"),
                recv_queue: OwnedQueue::new_ordered(S::RECV_QUEUE, QueueFlags::NONE)?,
                send_queue: OwnedQueue::new_ordered(S::SEND_QUEUE, QueueFlags::NONE)?,
                recv_work <- new_work!("tipc_dgram_recv"),
                send_work <- new_work!("tipc_dgram_send"),
            }? Error),
            GFP_KERNEL,
        )?;
        server
            .base
            .open_socket(S::SOCK_TYPE, server.clone(), make_replies_droppable)?;
        Ok(server)
    }

    /// Publishes the service at `range` with `scope`.
    pub(crate) fn publish(&self, range: ServiceRange, scope: Scope) -> Result {
        self.base
            .with_socket(|sock| publish(sock, range, scope))
            .unwrap_or(Err(ENODEV))
    }

    pub(crate) fn net(&self) -> TipcNet {
        self.base.net()
    }

    pub(crate) fn service(&self) -> &S {
        &self.service
    }

    /// Queues the receive work; one already queued will see what this one
    /// would have.
    fn kick_recv(this: ArcBorrow<'_, Self>) {
        let _ = this.recv_queue.enqueue::<Arc<Self>, RECV>(this.into());
    }

    /// Queues the send work; one already queued will see what this one
    /// would have.
    fn kick_send(this: ArcBorrow<'_, Self>) {
        let _ = this.send_queue.enqueue::<Arc<Self>, SEND>(this.into());
    }

    fn receive(this: &Arc<Self>) {
        let mut buf = this.base.recv_buf.lock();
        for _ in 0..BUDGET {
            if this.base.is_stopping() {
                return;
            }
            let Some(got) = this
                .base
                .with_socket(|s| s.recv_from::<SockAddrTipc>(&mut buf))
            else {
                return;
            };
            let (n, from) = match got {
                Ok(Some(msg)) => msg,
                // Nothing queued, or an error (a connectionless socket has
                // no connection to lose): the next arrival queues us again.
                Ok(None) | Err(_) => return,
            };
            let Some((port, node)) = from.socket_id() else {
                continue;
            };
            this.stats.requests.inc();
            // Room for the largest answer first: a command that runs is answered.
            let limit = reply_queue_limit();
            let Some(room) = this.replies.lock().reserve(node, S::MAX_REPLY, limit) else {
                this.stats.dropped.inc();
                continue;
            };
            fault_point(this.net(), Point::ReceiveBeforeHandle);
            let answer = S::handle(this, node, &buf[..n]);
            let mut q = this.replies.lock();
            let Some(bytes) = answer else {
                q.cancel(room);
                continue;
            };
            let reply = Reply {
                to: SockAddrTipc::socket(port, node),
                node,
                bytes,
            };
            if q.commit(room, reply).is_err() {
                drop(q);
                this.stats.dropped.inc();
                continue;
            }
            this.stats.reply_queue_high_water.max(q.len() as u64);
            drop(q);
            Self::kick_send(this.as_arc_borrow());
        }
        Self::kick_recv(this.as_arc_borrow());
    }

    fn send(this: &Arc<Self>) {
        if this.write_space.swap(false, Relaxed) {
            this.replies.lock().unblock();
        }
        for _ in 0..BUDGET {
            if this.base.is_stopping() {
                return;
            }
            fault_point(this.net(), Point::SendBeforeSend);
            let mut q = this.replies.lock();
            // Empty, or every reply waits for a congested node's write space.
            let Some((at, reply)) = q.next_sendable() else {
                return;
            };
            let Some(sent) = this
                .base
                .with_socket(|s| s.send_to(&reply.bytes, &reply.to))
            else {
                return;
            };
            match sent {
                Ok(Sent::WouldBlock) => {
                    // The link to that node is congested: its replies wait for the
                    // socket's write-space event, the others go on.
                    let node = reply.node;
                    if q.block(node).is_err() {
                        return;
                    }
                    continue;
                }
                Ok(Sent::Done) => this.stats.replied.inc(),
                // The requester is unreachable: this reply only is lost.
                Err(_) => this.stats.send_errors.inc(),
            };
            q.remove(at);
        }
        fault_point(this.net(), Point::SendBeforeRequeue);
        Self::kick_send(this.as_arc_borrow());
    }

    /// Stops the server: once this returns no work of it runs or is
    /// queued, and its socket (with its publication) is gone.
    pub(crate) fn stop(&self) {
        self.base.begin_stop();
        self.base.detach_socket::<Self>();
        // Work items queued before the detach see `stopping` and return;
        // receive work may queue send work, so it drains first.
        self.recv_queue.drain();
        self.send_queue.drain();
        let left = self.replies.lock().clear();
        self.stats.dropped.add(left as u64);
        self.base.close_socket();
    }

    /// Appends the server's lines to `/proc/net/tipc_server`.
    pub(crate) fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        let queue = [
            ("reply_queue", self.replies.lock().len() as u64),
            ("reply_queue_limit", reply_queue_limit() as u64),
        ];
        write_lines(w, S::NAME, &self.stats.lines())?;
        write_lines(w, S::NAME, &queue)?;
        self.service.write_stats(w)
    }
}

impl<S: DgramService> WorkItem<RECV> for DgramServer<S> {
    type Pointer = Arc<Self>;

    fn run(this: Arc<Self>) {
        Self::receive(&this);
    }
}

impl<S: DgramService> WorkItem<SEND> for DgramServer<S> {
    type Pointer = Arc<Self>;

    fn run(this: Arc<Self>) {
        fault_point(this.net(), Point::SendWorkStart);
        Self::send(&this);
    }
}

impl<S: DgramService> SocketEvents for DgramServer<S> {
    fn data_ready(this: ArcBorrow<'_, Self>) {
        Self::kick_recv(this);
    }

    fn write_space(this: ArcBorrow<'_, Self>) {
        // Softirq: `replies` is a mutex, so the send work unblocks the nodes.
        this.write_space.store(true, Relaxed);
        Self::kick_send(this);
    }
}
