// SPDX-License-Identifier: GPL-2.0

//! A connection-oriented service, its server in one namespace, and the
//! server's connections: three types that refer to each other.

use super::base::{ServerBase, SEND};
use super::batchrecv::BatchRecv;
use super::outqueue::{OutQueue, PushError};
use super::percpusend::PerCpuSend;
use super::service::ServiceInfo;
use super::stats::{ConnCounters, Live, Stats, TextBuf, LIVE_CONNECTIONS};
use crate::boundary::tipc::{
    fault_point, publish, queue_limit, recv_batch, send_batch, HeldSocket, Point, ServiceRange,
    TipcNet, RECV_BATCH, SEND_BATCH,
};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    alloc::flags::GFP_NOWAIT,
    impl_has_work,
    net::{
        socket::{Socket, SocketEvents},
        tipc::Scope,
    },
    new_mutex, new_spinlock_bh, new_work,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{Arc, ArcBorrow, Mutex, SpinLockBh, UniqueArc},
    workqueue::{kthread, Work, WorkItem},
};

/// A service run by [`ConnServer`]. Its handlers run in process context,
/// on the namespace's receive worker or the shared send workqueue unless
/// noted.
pub(crate) trait Service: ServiceInfo {
    /// Per-connection state.
    type ConnState: Send + Sync;
    /// A message waiting on a connection's outbound queue.
    type Out: Copy + Default + Send;

    /// The address the server publishes, and with which scope.
    fn address(&self) -> (ServiceRange, Scope);

    /// The state of a new connection.
    fn conn_state() -> impl PinInit<Self::ConnState>;

    /// Whether a receive run holds the socket (`lock_sock()`) while it
    /// hands a batch of requests to `received`: a client that pipelines
    /// them then leaves each to the socket's backlog, for the run to
    /// process, instead of processing it itself (bench/analysis.md). Only
    /// for a service whose `received` never takes the socket's lock, nor
    /// waits for anything that does: it closes no connection, waits for
    /// no send work, and never drops the last reference to a connection.
    const HOLD_WHILE_HANDLING: bool = false;

    /// Handles one request; an error closes the connection.
    fn received(server: &Arc<ConnServer<Self>>, conn: &Arc<Conn<Self>>, req: &[u8]) -> Result;

    /// The bytes `out` puts on the wire.
    fn payload(out: &Self::Out) -> &[u8];

    /// The next message for a connection without a socket (a kernel
    /// subscriber keeps its own backlog; see [`Conn::notify_local`]).
    fn take_local(conn: &Conn<Self>) -> Option<Self::Out>;

    /// Hands `out` to a connection without a socket (a kernel subscriber).
    fn deliver_local(server: &ConnServer<Self>, out: &Self::Out);

    /// Called once `out` has left the queue (sent or delivered).
    fn sent(server: &ConnServer<Self>, conn: &Arc<Conn<Self>>, out: &Self::Out);

    /// Called once when the connection closes, to release its state (from
    /// whoever closes it: a work item, a kernel unsubscribe, the stop).
    fn closed(server: &ConnServer<Self>, conn: &Conn<Self>);
}

/// The server's connections by id.
struct ConnTable<S: Service> {
    conns: RBTree<u32, Arc<Conn<S>>>,
    next_id: u32,
}

/// A server: the listener, the connections, the receive work on the
/// namespace's shared worker and the send work on the shared per-CPU queue
/// of one service in one namespace.
///
/// The namespace's servers hold the reference `stop` is called on, and
/// drop last: `stop` closes every connection and drains the server's
/// receive and send work first, so the last reference never goes inside
/// the server's own work item (which would destroy the queue the item runs
/// on, or release a socket after the namespace's exit).
#[pin_data]
pub(crate) struct ConnServer<S: Service> {
    #[pin]
    pub(crate) base: ServerBase,
    recv: BatchRecv,
    send: PerCpuSend,
    service: S,
    pub(crate) stats: Stats,
    #[pin]
    table: Mutex<ConnTable<S>>,
    #[pin]
    accept_work: kthread::Work<ConnServer<S>>,
}

kthread::impl_has_kthread_work! {
    impl{S: Service} HasWork<ConnServer<S>> for ConnServer<S> { self.accept_work }
}

impl<S: Service> ConnServer<S> {
    /// Starts `service` in `net`: creates the queues, publishes the
    /// service's address and starts accepting.
    pub(crate) fn start(net: TipcNet, service: S) -> Result<Arc<Self>> {
        let recv = BatchRecv::new(net)?;
        let server = Arc::pin_init(
            try_pin_init!(Self {
                base <- ServerBase::new(net, S::MAX_REQUEST * RECV_BATCH),
                accept_work <- kthread::Work::new(recv.worker()),
                recv,
                send: PerCpuSend::new(net)?,
                service,
                stats: Stats::default(),
                table <- new_mutex!(
                    ConnTable { conns: RBTree::new(), next_id: 0 },
                    "tipc_server_conns"
                ),
            }? Error),
            GFP_KERNEL,
        )?;
        let (range, scope) = server.service.address();
        server
            .base
            .open_socket(S::SOCK_TYPE, server.clone(), |sock| {
                publish(sock, range, scope)?;
                sock.listen(0)
            })?;
        Ok(server)
    }

    /// Removes some connection from the table (even one a concurrent
    /// `close` is finishing: the stop's loop always makes progress).
    fn take_any_conn(&self) -> Option<Arc<Conn<S>>> {
        let mut table = self.table.lock();
        let id = *table.conns.iter().next()?.0;
        table.conns.remove(&id)
    }

    pub(crate) fn net(&self) -> TipcNet {
        self.base.net()
    }

    pub(crate) fn service(&self) -> &S {
        &self.service
    }

    /// Opens a connection on `sock`, or a socketless one for a kernel
    /// subscriber (`None`), and starts receiving on it.
    pub(crate) fn open(self: &Arc<Self>, sock: Option<Socket>) -> Result<Arc<Conn<S>>> {
        let accepted = sock.is_some();
        // Only a socket is sent to in batches.
        let first = if accepted { SEND_FIRST } else { 0 };
        let send_buf = KVec::from_elem(S::Out::default(), first, GFP_KERNEL)?;
        let reservation = RBTreeNodeReservation::new(GFP_KERNEL)?;
        // Every allocation precedes the table lock, which group join and
        // leave take under their socket's lock: it is held across neither
        // reclaim nor, on a failure, the release of `sock`.
        let slot = UniqueArc::new_uninit(GFP_KERNEL)?;
        let mut table = self.table.lock();
        if self.base.is_stopping() {
            // The namespace is going away.
            return Err(ENODEV);
        }
        let mut id = table.next_id;
        while table.conns.get(&id).is_some() {
            id = id.wrapping_add(1) & (i32::MAX as u32);
        }
        table.next_id = id.wrapping_add(1) & (i32::MAX as u32);
        let conn: Arc<Conn<S>> = slot
            .pin_init_with(pin_init!(Conn {
                id,
                server: self.clone(),
                sock,
                closed: AtomicBool::new(false),
                recv_queued: AtomicBool::new(false),
                sending: AtomicBool::new(false),
                holding: AtomicBool::new(false),
                send_deferred: AtomicBool::new(false),
                _live: Live::new(&LIVE_CONNECTIONS),
                out <- new_spinlock_bh!(
                    Outbound {
                        queue: OutQueue::new(),
                        closing: false,
                        failed: None,
                        counters: ConnCounters::default(),
                    },
                    "tipc_conn_out"
                ),
                state <- S::conn_state(),
                send_buf <- new_mutex!(send_buf, "tipc_conn_send_buf"),
                recv_work <- kthread::Work::new(self.recv.worker()),
                send_work <- new_work!("tipc_conn_send"),
            }))
            .unwrap_or_else(|never| match never {})
            .into();
        table.conns.insert(reservation.into_node(id, conn.clone()));
        drop(table);
        self.stats.conns_opened.inc();
        self.stats.conns_open.inc();
        if accepted {
            fault_point(self.net(), Point::AcceptBeforeStart);
        }
        if let Err(e) = conn.start() {
            conn.close();
            return Err(e);
        }
        Ok(conn)
    }

    /// The connection with id `id`, if it is open.
    pub(crate) fn find(&self, id: u32) -> Option<Arc<Conn<S>>> {
        self.table.lock().conns.get(&id).cloned()
    }

    /// Removes a closing connection from the table.
    pub(crate) fn forget(&self, id: u32) {
        let conn = self.table.lock().conns.remove(&id);
        drop(conn);
    }

    fn accept(self: &Arc<Self>) {
        for _ in 0..RECV_BUDGET {
            let Some(Ok(Some(sock))) = self.base.with_socket(|l| l.accept()) else {
                return;
            };
            if let Err(e) = self.open(Some(sock)) {
                pr_warn!("{}: connection refused: {:?}\n", S::NAME, e);
            }
        }
        // More may be waiting: the worker is shared, so yield, then go on.
        self.recv.kick(self.as_arc_borrow());
    }

    /// Stops the server: once this returns, every connection is closed and
    /// no work of it runs or is queued.
    pub(crate) fn stop(&self) {
        self.base.begin_stop();
        self.base.detach_socket::<Self>();
        self.base.close_socket();
        // An accept in progress finishes, and sees `stopping` before adding a connection.
        self.recv.flush();
        while let Some(conn) = self.take_any_conn() {
            conn.close();
        }
        // Closed connections' work items return at once; let them drain.
        self.recv.drain();
        self.send.drain();
    }

    /// Appends the server's lines to `/proc/net/tipc_server`.
    pub(crate) fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        let mut open = ConnCounters::default();
        for conn in self.table.lock().conns.values() {
            open.add(&conn.counters());
        }
        self.stats.write(w, S::NAME, &open)?;
        writeln!(w, "{}.queue_limit {}", S::NAME, queue_limit())?;
        self.service.write_stats(w)
    }
}

impl<S: Service> kthread::WorkItem for ConnServer<S> {
    fn run(this: Arc<Self>) {
        this.accept();
        this.recv.done();
    }
}

impl<S: Service> SocketEvents for ConnServer<S> {
    fn data_ready(this: ArcBorrow<'_, Self>) {
        this.recv.kick(this);
    }

    fn write_space(_this: ArcBorrow<'_, Self>) {}
}

/// Requests handled, or connections accepted, per run of the receive
/// work before it yields.
const RECV_BUDGET: usize = 64;
/// Messages sent per run of the send work before it yields (a CPU runs one
/// send work at a time while it does not sleep, every namespace's: one
/// connection must not keep the others waiting for a whole burst); they go
/// to the socket in batches of up to [`SEND_BATCH`].
const SEND_BUDGET: usize = 64;
/// The send buffer a connection starts with, in messages. A send work
/// that finds more queued grows it to the next power of two, up to
/// [`SEND_BATCH`]: a client that keeps up gets a message or two per batch
/// and keeps the small buffer.
const SEND_FIRST: usize = 4;
// An empty buffer would send nothing, and the send work would take that
// for congestion.
const _: () = assert!(SEND_FIRST > 0 && SEND_FIRST <= SEND_BATCH);

/// The outbound side, shared with softirq producers.
struct Outbound<T: Copy> {
    queue: OutQueue<T>,
    /// Set by `close`, or by a push that did not fit: nothing more is queued.
    closing: bool,
    /// Why a push did not fit; the receive work closes the connection.
    failed: Option<PushError>,
    counters: ConnCounters,
}

/// How [`Conn::handle`] ended a batch.
enum BatchEnd {
    /// Every request was handled.
    Handled,
    /// The connection was closed meanwhile: by a stop, or by the send
    /// work after a failed send.
    Closed,
    /// The peer shut the connection down: close it.
    Shutdown,
    /// A request failed: close the connection, counted by the cause.
    Failed,
}

/// Whether a message counts against the connection's queue limit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// A full queue closes the connection instead of taking the message.
    Bounded,
    /// Queued whatever the queue holds; the caller bounds such messages.
    Unbounded,
}

/// A connection: a client's socket (or none, for a kernel subscriber), the
/// service's state for it, its outbound queue, and its two work items.
///
/// # Invariants
///
/// While `sock` has events attached, the socket holds a reference on this
/// connection; `close` detaches them.
#[pin_data]
pub(crate) struct Conn<S: Service> {
    id: u32,
    server: Arc<ConnServer<S>>,
    sock: Option<Socket>,
    closed: AtomicBool,
    /// Set while a receive run is queued or reading: by the kick that
    /// queues it (`data_ready`, `start`), kept by a run that queues the
    /// next itself or leaves the rest to a run a kick queued, cleared by a
    /// run that found the socket empty, which then reads once more (and
    /// sets it again if it finds more). The error path of `queue` queues
    /// a run without it (that run closes the connection).
    recv_queued: AtomicBool,
    /// The send work is queued or running and will see what is pushed now
    /// (it clears this when it finds the queue empty): a burst costs one
    /// `queue_work()`, not one per message. Changed only under `out`'s
    /// lock (so a load and a store there act as one), and exact there.
    /// Read without it where a stale value costs time, not correctness
    /// (when a holding run lets go), and in `may_hold`, whose load pairs
    /// with the push's store: both must stay sequentially consistent.
    sending: AtomicBool,
    /// Set while a receive run holds (or is about to hold) the socket: a
    /// send work queued then would only wait for it (woken on the run's
    /// CPU, after preempting the run). A push (or `write_space`) that makes
    /// the send work due then marks `send_deferred` instead, and the run
    /// queues the send work when it lets go ([`Conn::let_go`]).
    holding: AtomicBool,
    /// The send work is due and waits for the run to let go (see
    /// `holding`): of the kick and the run, the one whose swap finds it
    /// set queues the work.
    send_deferred: AtomicBool,
    _live: Live,
    #[pin]
    out: SpinLockBh<Outbound<S::Out>>,
    #[pin]
    state: S::ConnState,
    /// Copies of the messages the send work hands to the socket in one
    /// call (empty for a connection without a socket). The connection's
    /// own: the send work may sleep with it (in the socket's lock, in
    /// reclaim, in the service's `sent`) and holds up no other
    /// connection's send work meanwhile. Only the send work takes it,
    /// which never runs twice at once.
    #[pin]
    send_buf: Mutex<KVec<S::Out>>,
    #[pin]
    recv_work: kthread::Work<Conn<S>>,
    #[pin]
    send_work: Work<Conn<S>, SEND>,
}

kthread::impl_has_kthread_work! {
    impl{S: Service} HasWork<Conn<S>> for Conn<S> { self.recv_work }
}

impl_has_work! {
    impl{S: Service} HasWork<Conn<S>, SEND> for Conn<S> { self.send_work }
}

impl<S: Service> Conn<S> {
    /// Queues the receive work, unless a run is queued or reading that
    /// will read what this kick is for (`recv_queued`): then the kick, one
    /// per `data_ready` (a message, or a chain of them), costs one
    /// exchange.
    fn kick_recv(this: ArcBorrow<'_, Self>) {
        if !this.recv_queued.swap(true, Ordering::SeqCst) {
            this.server.recv.kick(this);
        }
    }

    /// The id kernel subscribers know the connection by.
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    pub(crate) fn server(&self) -> &Arc<ConnServer<S>> {
        &self.server
    }

    /// The service's state for this connection.
    pub(crate) fn state(&self) -> &S::ConnState {
        &self.state
    }

    /// Starts receiving: events from now on, and whatever arrived already.
    pub(crate) fn start(self: &Arc<Self>) -> Result {
        if let Some(sock) = &self.sock {
            sock.attach_events(self.clone())?;
            // A `close` before the attach found nothing to detach: detach
            // here, or the socket and the connection keep each other alive.
            // `close` marks the connection closed before it detaches, so
            // one of us does it.
            if self.is_closed() {
                drop(sock.detach_events::<Self>());
                return Ok(());
            }
            Self::kick_recv(self.as_arc_borrow());
        }
        Ok(())
    }

    /// Queues a message that `write` writes in its queue slot, from any
    /// context (it never sleeps); not if `accept` (called under the
    /// queue's lock) refuses or the connection is closing. A full queue
    /// ([`Limit::Bounded`]), or one that cannot grow, closes the connection
    /// instead.
    pub(crate) fn queue(
        this: ArcBorrow<'_, Self>,
        limit: Limit,
        accept: impl FnOnce() -> bool,
        write: impl FnOnce(&mut S::Out),
    ) {
        let limit = (limit == Limit::Bounded).then(queue_limit);
        let mut o = this.out.lock();
        if o.closing {
            this.server.stats.after_close.inc();
            return;
        }
        if !accept() {
            return;
        }
        match o.queue.push_with(limit, write) {
            Ok(()) => {
                o.counters.queued += 1;
                o.counters.high_water = o.counters.high_water.max(o.queue.len() as u64);
                // Under the lock, as every kick from outside the server's
                // work: none comes after `close` set `closing`, so a stop
                // can drain the queues.
                if !this.sending.load(Ordering::Relaxed) {
                    // Sequentially consistent: a receive run that sets
                    // `holding` and then reads this either sees it (and
                    // does not hold) or is seen by the check below.
                    this.sending.store(true, Ordering::SeqCst);
                    Self::kick_send_unless_held(this);
                }
            }
            Err(e) => {
                o.closing = true;
                o.failed = Some(e);
                // Even past the mark: a reading run would not look at
                // `failed` again.
                this.server.recv.kick(this);
            }
        }
    }

    /// Whether the connection has a socket (else it is a kernel subscriber's).
    pub(crate) fn has_socket(&self) -> bool {
        self.sock.is_some()
    }

    /// A connection without a socket has a message to take (see
    /// [`Service::take_local`]): its send work runs. From any context.
    pub(crate) fn notify_local(this: ArcBorrow<'_, Self>) {
        let o = this.out.lock();
        if !o.closing {
            this.server.send.kick(this);
        }
    }

    /// Marks the connection for closing (an overflow) if its queue holds
    /// its limit already, before the service takes on more for a client
    /// that does not read (a subscription, whose initial report is pushed
    /// past the limit). Returns whether the connection is closing.
    pub(crate) fn close_if_full(&self) -> bool {
        let mut o = self.out.lock();
        if o.closing || o.queue.len() < queue_limit() {
            return o.closing;
        }
        o.closing = true;
        o.failed = Some(PushError::Full);
        true
    }

    /// Closes the connection, once: no more events, the service releases
    /// its state, the peer sees the end of the stream, and the server
    /// forgets the connection. Process context.
    ///
    /// Every caller returns only once nothing outside the server's work
    /// can queue work for the connection (`closing` set, callbacks
    /// detached), so a stop may drain its queues right after.
    pub(crate) fn close(self: &Arc<Self>) {
        let first = !self.closed.swap(true, Ordering::AcqRel);
        let stats = &self.server.stats;
        {
            let mut o = self.out.lock();
            o.closing = true;
            if first {
                stats.discarded.add(o.queue.clear() as u64);
                stats.fold(&o.counters);
                o.counters = ConnCounters::default();
            }
        }
        if let Some(sock) = &self.sock {
            // The socket's reference on us comes back; ours keeps us alive.
            drop(sock.detach_events::<Self>());
        }
        if !first {
            return;
        }
        if let Some(sock) = &self.sock {
            let _ = sock.shutdown();
        }
        S::closed(&self.server, self);
        self.server.forget(self.id);
        stats.conns_open.dec();
    }

    /// The per-message counters of this connection while it is open.
    pub(crate) fn counters(&self) -> ConnCounters {
        self.out.lock().counters
    }

    /// Whether `close` has begun. A service that adds state to the
    /// connection checks this under its own lock, after `close` took it.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Closes the connection after a failure, counted by its cause (a
    /// request that lost a race with `close` is not counted).
    fn close_for_error(self: &Arc<Self>) {
        let stats = &self.server.stats;
        let failed = self.out.lock().failed;
        match failed {
            Some(PushError::Full) => stats.closed_overflow.inc(),
            Some(PushError::NoMemory) => stats.closed_no_memory.inc(),
            None if !self.is_closed() => stats.rejected.inc(),
            None => {}
        }
        self.close();
    }

    fn receive(self: &Arc<Self>) {
        if self.out.lock().failed.is_some() {
            self.close_for_error();
            return;
        }
        let Some(sock) = &self.sock else { return };
        let mut buf = self.server.base.recv_buf.lock();
        let mut lens = [0; RECV_BATCH];
        let mut handled = 0;
        let mut polls = 0;
        // The mark is set while this run reads: the client's kicks cost it
        // one exchange each, and no kick queues this connection again.
        let mut marked = true;
        while handled < RECV_BUDGET {
            let n = match recv_batch(sock, &mut buf, S::MAX_REQUEST, &mut lens) {
                // Out of requests after some: a pipelining client sends the
                // next within microseconds, so poll for it rather than
                // sleep, while the CPU has nothing else to do.
                Ok(0)
                    if marked
                        && handled > 0
                        && polls < RECV_BUDGET
                        && self.server.recv.poll(sock) =>
                {
                    polls += 1;
                    if self.is_closed() {
                        return;
                    }
                    continue;
                }
                // Clear the mark (a full barrier), then read once more: a
                // kick that still saw it set left its message to this run.
                Ok(0) if marked => {
                    self.recv_queued.swap(false, Ordering::SeqCst);
                    marked = false;
                    continue;
                }
                Ok(0) => return,
                Ok(n) => n,
                Err(_) => {
                    self.close();
                    return;
                }
            };
            // Read after the mark was cleared: set it again so that kicks
            // skip again, unless a kick set it meanwhile, which has queued
            // or will queue a run: that run goes on after this batch.
            let last = !marked && self.recv_queued.swap(true, Ordering::SeqCst);
            marked = true;
            fault_point(self.server.net(), Point::ReceiveBeforeHandle);
            let mut held = None;
            if S::HOLD_WHILE_HANDLING && self.may_hold() {
                held = Some(HeldSocket::hold(sock));
                fault_point(self.server.net(), Point::ReceiveHeld);
            }
            let end = self.handle(&buf, &lens[..n], &mut held);
            // Let go before `close`, which takes the socket's lock.
            self.let_go(&mut held);
            match end {
                BatchEnd::Handled => {}
                BatchEnd::Closed => return,
                BatchEnd::Shutdown => return self.close(),
                BatchEnd::Failed => return self.close_for_error(),
            }
            handled += n;
            if last {
                return;
            }
        }
        // More may be waiting: yield to other connections, then go on (the
        // mark stays set for that run).
        self.server.recv.kick(self.as_arc_borrow());
    }

    /// Hands a batch of requests to the service, message `i` in `buf` at
    /// `i * S::MAX_REQUEST` and `lens[i]` bytes long. Lets `held` go once
    /// a request has made the send work due (it is queued then, and takes
    /// the socket's lock), so that the events go out after that request,
    /// not after the whole batch.
    fn handle(
        self: &Arc<Self>,
        buf: &[u8],
        lens: &[u32],
        held: &mut Option<HeldSocket<'_>>,
    ) -> BatchEnd {
        for (req, &len) in buf.chunks(S::MAX_REQUEST).zip(lens) {
            // Length 0: the peer shut the connection down.
            if len == 0 {
                return BatchEnd::Shutdown;
            }
            if S::received(&self.server, self, &req[..len as usize]).is_err() {
                return BatchEnd::Failed;
            }
            if self.is_closed() {
                return BatchEnd::Closed;
            }
            if held.is_some() && self.sending() {
                self.let_go(held);
            }
        }
        BatchEnd::Handled
    }

    /// Queues the send work that a push (or the socket's write space) has
    /// just made due, unless this connection's receive run holds the
    /// socket: then the run queues it when it lets go. The push sets
    /// `send_deferred` and then reads `holding`; the run clears `holding`
    /// and then swaps `send_deferred` (all sequentially consistent): at
    /// least one sees the other's store, and the swaps let exactly one
    /// queue the work.
    fn kick_send_unless_held(this: ArcBorrow<'_, Self>) {
        if !S::HOLD_WHILE_HANDLING {
            return this.server.send.kick(this);
        }
        this.send_deferred.store(true, Ordering::SeqCst);
        if !this.holding.load(Ordering::SeqCst) && this.send_deferred.swap(false, Ordering::SeqCst)
        {
            this.server.send.kick(this);
        }
    }

    /// Whether the run may hold the socket for a batch: not while the send
    /// work is due (it needs the socket). Sets `holding` first, then looks
    /// at `sending` (both sequentially consistent, as the push's store and
    /// load): a push that makes the send work due meanwhile either sees
    /// `holding` and defers, or is seen here, and then the run neither
    /// holds nor leaves a deferred send work behind.
    fn may_hold(self: &Arc<Self>) -> bool {
        self.holding.store(true, Ordering::SeqCst);
        if !self.sending.load(Ordering::SeqCst) {
            return true;
        }
        self.stop_holding();
        false
    }

    /// Releases the socket `held` holds, if any, and queues the send work
    /// that a push or `write_space` deferred meanwhile.
    fn let_go(self: &Arc<Self>, held: &mut Option<HeldSocket<'_>>) {
        if held.take().is_some() {
            self.stop_holding();
        }
    }

    /// Clears `holding`, then queues the send work if a push or
    /// `write_space` deferred it.
    fn stop_holding(self: &Arc<Self>) {
        self.holding.store(false, Ordering::SeqCst);
        if self.send_deferred.swap(false, Ordering::SeqCst) {
            self.server.send.kick(self.as_arc_borrow());
        }
    }

    /// Whether the send work is queued or running (a lock-free read: a
    /// push a moment ago may not show yet).
    fn sending(&self) -> bool {
        self.sending.load(Ordering::Relaxed)
    }

    /// Hands what a connection without a socket has to the service.
    fn send_local(self: &Arc<Self>) {
        for _ in 0..SEND_BUDGET {
            if self.out.lock().closing {
                return;
            }
            fault_point(self.server.net(), Point::SendBeforeSend);
            let Some(out) = S::take_local(self) else {
                return;
            };
            S::deliver_local(&self.server, &out);
            // Never queued: counted as queued and sent at once (unless a
            // `close` folded the counters meanwhile: then neither).
            let mut o = self.out.lock();
            if !o.closing {
                o.counters.queued += 1;
                o.counters.sent += 1;
            }
        }
        fault_point(self.server.net(), Point::SendBeforeRequeue);
        self.server.send.kick(self.as_arc_borrow());
    }

    /// Grows the send buffer to hold `want` messages (rounded up to a
    /// power of two, at most [`SEND_BATCH`]), if memory is at hand: growing
    /// is only worth a batch of more messages, not direct reclaim or a
    /// warning (`GFP_NOWAIT` has `__GFP_NOWARN`). Returns whether it grew.
    fn grow_send_buf(buf: &mut KVec<S::Out>, want: usize) -> bool {
        let more = want
            .next_power_of_two()
            .min(SEND_BATCH)
            .saturating_sub(buf.len());
        more > 0 && buf.extend_with(more, S::Out::default(), GFP_NOWAIT).is_ok()
    }

    fn send(self: &Arc<Self>) {
        let Some(sock) = &self.sock else {
            self.send_local();
            return;
        };
        let mut buf = self.send_buf.lock();
        let mut budget = SEND_BUDGET;
        let mut no_memory = false;
        while budget > 0 {
            // Copies of the oldest messages, taken under one lock; they
            // stay queued until the socket has them.
            let taken = loop {
                let o = self.out.lock();
                if o.closing {
                    return;
                }
                let queued = o.queue.len();
                if queued == 0 {
                    // Decided under the lock: a later push queues us again.
                    self.sending.store(false, Ordering::Relaxed);
                    return;
                }
                let want = queued.min(budget).min(SEND_BATCH);
                if want > buf.len() && !no_memory {
                    // Grown, it holds `want`. Without memory, this run
                    // sends what fits.
                    drop(o);
                    no_memory = !Self::grow_send_buf(&mut buf, want);
                    continue;
                }
                // At least one: the queue is not empty, the buffer never.
                let limit = buf.len().min(budget);
                break o.queue.copy_front(buf.get_mut(..limit).unwrap_or(&mut []));
            };
            let msgs = buf.get(..taken).unwrap_or(&[]);
            // After everything the send work holds while it sends (the
            // reliability scenario `sleeping_send_holds_up_no_other` holds
            // it here, as if it slept in the socket's lock).
            fault_point(self.server.net(), Point::SendBeforeSend);
            let sent = match send_batch(sock, msgs.iter().map(S::payload)) {
                // Congested: the socket's write-space event queues us again.
                Ok(0) => return,
                Ok(n) => n.min(taken),
                Err(_) => {
                    self.close();
                    return;
                }
            };
            // Those sent leave the queue, unless `close` emptied it
            // meanwhile (and counted them). After a partial send, the next
            // batch finds the socket congested, or its error.
            let (popped, idle) = {
                let mut o = self.out.lock();
                let popped = o.queue.drop_front(sent);
                o.counters.sent += popped as u64;
                // Decided under the lock: a later push queues us again.
                let idle = o.queue.len() == 0 && !o.closing;
                if idle {
                    self.sending.store(false, Ordering::Relaxed);
                }
                (popped, idle)
            };
            for out in msgs.iter().take(popped) {
                S::sent(&self.server, self, out);
            }
            if idle {
                return;
            }
            budget -= sent;
        }
        // Still sending: `sending` stays set; go on after the others on this CPU.
        drop(buf);
        fault_point(self.server.net(), Point::SendBeforeRequeue);
        self.server.send.kick(self.as_arc_borrow());
    }
}

impl<S: Service> kthread::WorkItem for Conn<S> {
    fn run(this: Arc<Self>) {
        if !this.is_closed() {
            this.receive();
        }
        this.server.recv.done();
    }
}

impl<S: Service> WorkItem<SEND> for Conn<S> {
    type Pointer = Arc<Self>;

    fn run(this: Arc<Self>) {
        fault_point(this.server.net(), Point::SendWorkStart);
        if !this.is_closed() {
            this.send();
        }
        this.server.send.done();
    }
}

impl<S: Service> SocketEvents for Conn<S> {
    fn data_ready(this: ArcBorrow<'_, Self>) {
        Self::kick_recv(this);
    }

    fn write_space(this: ArcBorrow<'_, Self>) {
        Self::kick_send_unless_held(this);
    }
}
