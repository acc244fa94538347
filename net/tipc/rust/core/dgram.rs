// SPDX-License-Identifier: GPL-2.0

//! A connectionless service's server in one network namespace.
//!
//! One `SOCK_RDM` socket receives every request; each reply waits on the
//! server's reply queue (see [`super::replyqueue`]) with its destination
//! until the send work sends it. The queue is bounded in bytes: a request
//! that finds no room for its reply is not handled at all, and is counted;
//! the socket is never closed for it.

use super::base::ServerBase;
use super::fault::{self, Point};
use super::replyqueue::{Reply, ReplyQueue};
use super::service::DgramService;
use super::stats::TextBuf;
use crate::ffi::{self, TIPC_CRITICAL_IMPORTANCE};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use kernel::{
    impl_has_work,
    net::{
        namespace::NetNs,
        socket::{Sent, Socket, SocketEvents},
        tipc::SockAddrTipc,
    },
    new_mutex, new_work,
    prelude::*,
    sync::{Arc, ArcBorrow, Mutex},
    workqueue::Queue,
    workqueue::{Work, WorkItem},
};

/// Work item id of the receive work.
const RECV: u64 = 1;
/// Work item id of the send work.
const SEND: u64 = 2;
/// Requests handled, or replies sent, per run of a work item before it yields.
const BUDGET: usize = 64;

/// Counters of a connectionless server.
#[derive(Default)]
struct DgramStats {
    requests: AtomicU64,
    replied: AtomicU64,
    dropped: AtomicU64,
    send_errors: AtomicU64,
    high_water: AtomicU64,
}

/// A connectionless server: its socket, its reply queue and two work items
/// on the service's receive and send workqueues.
///
/// Lifetime as for [`super::server::Server`]: `stop` drains both queues
/// before the socket goes, so no work item runs once it returns.
#[pin_data]
pub(crate) struct DgramServer<S: DgramService> {
    base: ServerBase,
    service: S,
    stats: DgramStats,
    /// Set by the socket's write-space event: held-back replies may go.
    write_space: AtomicBool,
    #[pin]
    sock: Mutex<Option<Socket>>,
    #[pin]
    replies: Mutex<ReplyQueue>,
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
    pub(crate) fn start(net: NetNs, service: S) -> Result<Arc<Self>> {
        let base = ServerBase::new(net, S::RECV_QUEUE, S::SEND_QUEUE)?;
        let server = Arc::pin_init(
            pin_init!(Self {
                base,
                service,
                stats: DgramStats::default(),
                write_space: AtomicBool::new(false),
                sock <- new_mutex!(None, "tipc_dgram_sock"),
                replies <- new_mutex!(ReplyQueue::new(), "tipc_dgram_replies"),
                recv_work <- new_work!("tipc_dgram_recv"),
                send_work <- new_work!("tipc_dgram_send"),
            }),
            GFP_KERNEL,
        )?;
        let sock = ffi::server_socket(net, S::SOCK_TYPE)?;
        ffi::make_replies_droppable(&sock)?;
        let mut slot = server.sock.lock();
        slot.insert(sock).attach_events(server.clone())?;
        drop(slot);
        Ok(server)
    }

    /// Publishes the service's address: `{ty, instance}` with `scope`.
    pub(crate) fn publish(&self, ty: u32, instance: u32, scope: ffi::Scope) -> Result {
        let sock = self.sock.lock();
        let sock = sock.as_ref().ok_or(ENODEV)?;
        let range = ffi::ServiceRange {
            ty,
            lower: instance,
            upper: instance,
        };
        ffi::publish(sock, range, scope, TIPC_CRITICAL_IMPORTANCE)
    }

    /// Stops the server: once this returns no work of it runs or is
    /// queued, and its socket (with its publication) is gone.
    pub(crate) fn stop(&self) {
        self.base.begin_stop();
        if let Some(sock) = self.sock.lock().as_ref() {
            drop(sock.detach_events::<Self>());
        }
        // Work items queued before the detach see `stopping` and return.
        self.base.drain();
        let left = self.replies.lock().clear();
        self.stats.dropped.fetch_add(left as u64, Relaxed);
        let sock = self.sock.lock().take();
        drop(sock);
    }

    pub(crate) fn net(&self) -> NetNs {
        self.base.net()
    }

    pub(crate) fn service(&self) -> &S {
        &self.service
    }

    fn receive(this: &Arc<Self>) {
        let mut buf = KVec::new();
        // One byte more than a request may have: a longer one shows as too long.
        if buf
            .extend_with(S::MAX_REQUEST + 1, 0u8, GFP_KERNEL)
            .is_err()
        {
            return;
        }
        for _ in 0..BUDGET {
            if this.base.is_stopping() {
                return;
            }
            let got = match this.sock.lock().as_ref() {
                Some(sock) => sock.recv_from::<SockAddrTipc>(&mut buf),
                None => return,
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
            this.stats.requests.fetch_add(1, Relaxed);
            // Room for the largest answer first: a command that runs is answered.
            let limit = ffi::reply_queue_limit() as usize;
            let Some(room) = this.replies.lock().reserve(node, S::MAX_REPLY, limit) else {
                this.stats.dropped.fetch_add(1, Relaxed);
                continue;
            };
            fault::point(this.net(), Point::ReceiveBeforeHandle);
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
                this.stats.dropped.fetch_add(1, Relaxed);
                continue;
            }
            this.stats.high_water.fetch_max(q.len() as u64, Relaxed);
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
            fault::point(this.net(), Point::SendBeforeSend);
            let mut q = this.replies.lock();
            // Empty, or every reply waits for a congested node's write space.
            let Some(at) = q.next_sendable() else { return };
            let Some(reply) = q.get(at) else { return };
            let sent = match this.sock.lock().as_ref() {
                Some(sock) => sock.send_to(&reply.bytes, &reply.to),
                None => return,
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
                Ok(Sent::Done) => this.stats.replied.fetch_add(1, Relaxed),
                // The requester is unreachable: this reply only is lost.
                Err(_) => this.stats.send_errors.fetch_add(1, Relaxed),
            };
            q.remove(at);
        }
        fault::point(this.net(), Point::SendBeforeRequeue);
        Self::kick_send(this.as_arc_borrow());
    }

    fn kick_recv(this: ArcBorrow<'_, Self>) {
        // Already queued: the queued run will see what we would have.
        let _ = this.recv_queue().enqueue::<Arc<Self>, RECV>(this.into());
    }

    fn kick_send(this: ArcBorrow<'_, Self>) {
        let _ = this.send_queue().enqueue::<Arc<Self>, SEND>(this.into());
    }

    fn recv_queue(&self) -> &Queue {
        self.base.recv_queue()
    }

    fn send_queue(&self) -> &Queue {
        self.base.send_queue()
    }

    /// Appends this server's statistics, `NAME.counter value` per line.
    pub(crate) fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        let s = &self.stats;
        let queued = self.replies.lock().len();
        for (name, v) in [
            ("requests", s.requests.load(Relaxed)),
            ("replied", s.replied.load(Relaxed)),
            ("dropped", s.dropped.load(Relaxed)),
            ("send_errors", s.send_errors.load(Relaxed)),
            ("reply_queue", queued as u64),
            ("reply_queue_high_water", s.high_water.load(Relaxed)),
        ] {
            writeln!(w, "{}.{name} {v}", S::NAME)?;
        }
        writeln!(
            w,
            "{}.reply_queue_limit {}",
            S::NAME,
            ffi::reply_queue_limit()
        )?;
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
        fault::point(this.net(), Point::SendWorkStart);
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
