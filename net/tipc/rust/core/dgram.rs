// SPDX-License-Identifier: GPL-2.0

//! A connectionless service's server in one network namespace.
//!
//! One `SOCK_RDM` socket receives every request; each reply waits on the
//! server's reply queue with its destination until the send work sends it.
//! The queue is bounded in bytes: a request whose reply does not fit is not
//! answered and is counted, and the socket is never closed for it.

use super::base::ServerBase;
use super::fault::{self, Point};
use super::service::DgramService;
use super::stats::TextBuf;
use crate::ffi::{self, AF_TIPC, TIPC_CRITICAL_IMPORTANCE};
use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
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
    workqueue::{Work, WorkItem},
};

/// Work item id of the receive work.
const RECV: u64 = 1;
/// Work item id of the send work.
const SEND: u64 = 2;
/// Requests handled, or replies sent, per run of a work item before it yields.
const BUDGET: usize = 64;

/// A reply and where it goes.
struct Reply {
    to: SockAddrTipc,
    bytes: KVec<u8>,
}

/// Replies in arrival order: `items[head..]` are waiting.
struct ReplyQueue {
    items: KVec<Option<Reply>>,
    head: usize,
    bytes: usize,
}

impl ReplyQueue {
    const fn new() -> Self {
        Self {
            items: KVec::new(),
            head: 0,
            bytes: 0,
        }
    }

    fn front(&self) -> Option<&Reply> {
        self.items.get(self.head)?.as_ref()
    }

    fn pop(&mut self) -> Option<Reply> {
        let r = self.items.get_mut(self.head)?.take()?;
        self.head += 1;
        self.bytes -= r.bytes.len();
        if self.head == self.items.len() {
            // Drained: give the slots back.
            *self = Self::new();
        }
        Some(r)
    }

    fn len(&self) -> usize {
        self.items.len() - self.head
    }
}

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
                sock <- new_mutex!(None, "tipc_dgram_sock"),
                replies <- new_mutex!(ReplyQueue::new(), "tipc_dgram_replies"),
                recv_work <- new_work!("tipc_dgram_recv"),
                send_work <- new_work!("tipc_dgram_send"),
            }),
            GFP_KERNEL,
        )?;
        let sock = Socket::new(net, AF_TIPC, S::SOCK_TYPE, 0)?;
        ffi::make_replies_droppable(&sock)?;
        // As the topology listener: lives as long as TIPC in `net`, no module pin.
        sock.drop_module_refs();
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
        let left = {
            let mut q = self.replies.lock();
            let n = q.len();
            *q = ReplyQueue::new();
            n
        };
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
            fault::point(Point::ReceiveBeforeHandle);
            if let Some(reply) = S::handle(this, node, &buf[..n]) {
                this.queue_reply(SockAddrTipc::socket(port, node), reply);
            }
        }
        Self::kick(this.as_arc_borrow(), RECV);
    }

    /// Queues `bytes` for `to`, unless the queue has no room for it.
    fn queue_reply(self: &Arc<Self>, to: SockAddrTipc, bytes: KVec<u8>) {
        let limit = ffi::reply_queue_limit() as usize;
        let mut q = self.replies.lock();
        if q.bytes + bytes.len() > limit {
            drop(q);
            self.stats.dropped.fetch_add(1, Relaxed);
            return;
        }
        let len = bytes.len();
        if q.items.push(Some(Reply { to, bytes }), GFP_KERNEL).is_err() {
            drop(q);
            self.stats.dropped.fetch_add(1, Relaxed);
            return;
        }
        q.bytes += len;
        self.stats.high_water.fetch_max(q.len() as u64, Relaxed);
        drop(q);
        Self::kick(self.as_arc_borrow(), SEND);
    }

    fn send(this: &Arc<Self>) {
        for _ in 0..BUDGET {
            if this.base.is_stopping() {
                return;
            }
            let mut q = this.replies.lock();
            let Some(reply) = q.front() else { return };
            let sent = match this.sock.lock().as_ref() {
                Some(sock) => sock.send_to(&reply.bytes, &reply.to),
                None => return,
            };
            match sent {
                // The socket's write-space event queues us again.
                Ok(Sent::WouldBlock) => return,
                Ok(Sent::Done) => this.stats.replied.fetch_add(1, Relaxed),
                // The requester is unreachable: this reply only is lost.
                Err(_) => this.stats.send_errors.fetch_add(1, Relaxed),
            };
            drop(q.pop());
        }
        Self::kick(this.as_arc_borrow(), SEND);
    }

    fn kick(this: ArcBorrow<'_, Self>, which: u64) {
        // Already queued: the queued run will see what we would have.
        if which == RECV {
            let _ = this
                .base
                .recv_queue()
                .enqueue::<Arc<Self>, RECV>(this.into());
        } else {
            let _ = this
                .base
                .send_queue()
                .enqueue::<Arc<Self>, SEND>(this.into());
        }
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
        Self::send(&this);
    }
}

impl<S: DgramService> SocketEvents for DgramServer<S> {
    fn data_ready(this: ArcBorrow<'_, Self>) {
        Self::kick(this, RECV);
    }

    fn write_space(this: ArcBorrow<'_, Self>) {
        Self::kick(this, SEND);
    }
}
