// SPDX-License-Identifier: GPL-2.0

//! The topology service on the server core.

use super::feed::Feed;
use super::subscription::{Event, Subscription};
use super::wire::{Request, TIPC_SUB_CANCEL, TIPC_SUB_PORTS, TIPC_SUB_SERVICE};
use crate::core::{
    conn::Conn,
    server::Server,
    service::{Service, ServiceInfo},
    stats::TextBuf,
};
use crate::ffi::{self, NameSubscription, Scope, ServiceRange};
use crate::namespace::NetServers;
use core::fmt::Write;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use kernel::{
    c_str,
    net::socket::SockType,
    new_mutex, new_spinlock_bh,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{Arc, Mutex, SpinLockBh},
};

/// `TIPC_TOP_SRV`.
const TIPC_TOP_SRV: u32 = 1;
/// Subscriptions per namespace, as upstream's `TIPC_MAX_SUBSCR`.
const MAX_SUBSCRIPTIONS: u32 = 65535;

/// The topology service of one namespace.
pub(crate) struct Topology {
    subscriptions: AtomicU32,
    refused_over_limit: AtomicU64,
    /// Changes a kernel subscriber missed (no memory to record or deliver them).
    kernel_events_lost: AtomicU64,
}

/// A connection's subscriptions, oldest first.
pub(crate) struct Subscriptions {
    subs: RBTree<u64, NameSubscription>,
    next_id: u64,
}

/// The topology service's state of a connection.
#[pin_data]
pub(crate) struct ConnState {
    #[pin]
    subs: Mutex<Subscriptions>,
    /// A kernel subscriber's feed, instead of the outbound queue (`None`
    /// for a client's connection).
    #[pin]
    pub(crate) feed: SpinLockBh<Option<Feed>>,
}

impl Topology {
    pub(crate) fn new() -> Self {
        Self {
            subscriptions: AtomicU32::new(0),
            refused_over_limit: AtomicU64::new(0),
            kernel_events_lost: AtomicU64::new(0),
        }
    }

    pub(crate) fn kernel_event_lost(&self) {
        self.kernel_events_lost.fetch_add(1, Relaxed);
    }

    /// Counts a new subscription, unless the namespace has its maximum.
    fn subscription_reserve(&self) -> bool {
        self.subscriptions
            .fetch_update(Relaxed, Relaxed, |n| {
                (n < MAX_SUBSCRIPTIONS).then_some(n + 1)
            })
            .is_ok()
    }

    pub(crate) fn subscription_gone(&self) {
        self.subscriptions.fetch_sub(1, Relaxed);
    }

    fn subscribe(server: &Arc<Server<Self>>, conn: &Arc<Conn<Self>>, req: Request) -> Result {
        let topology = server.service();
        if req.filter & TIPC_SUB_PORTS != 0 && req.filter & TIPC_SUB_SERVICE != 0
            || req.range.lower > req.range.upper
        {
            return Err(EINVAL);
        }
        // A client whose queue is full already gets no further initial
        // report: its memory stays within the limit plus one report.
        if conn.close_if_full() {
            return Err(ENOSPC);
        }
        let reservation = RBTreeNodeReservation::new(GFP_KERNEL)?;
        if !topology.subscription_reserve() {
            topology.refused_over_limit.fetch_add(1, Relaxed);
            pr_warn!("Subscription rejected, max ({})\n", MAX_SUBSCRIPTIONS);
            return Err(ENOSPC);
        }
        // From here on the count is given back when the `Subscription` drops.
        let mut table = conn.state().subs.lock();
        if conn.is_closed() {
            // `closed` emptied the table already (it takes this lock after
            // marking the connection closed): a subscription added now
            // would be an orphan, and keep the connection alive.
            drop(table);
            topology.subscription_gone();
            return Err(ENODEV);
        }
        let id = table.next_id;
        table.next_id += 1;
        let sub = KBox::pin(Subscription::new(id, conn.clone(), req), GFP_KERNEL)?;
        // Held across registration: a timeout firing at once must find the
        // subscription in the table when its event has been sent.
        let ns = NameSubscription::new(server.net(), req.range, req.filter, req.timeout, sub)?;
        ns.subscription().initial_done();
        table.subs.insert(reservation.into_node(id, ns));
        Ok(())
    }

    /// Cancels the newest subscription identical to the one `req` names,
    /// as upstream does (its list is head-inserted, and the first match goes).
    fn cancel(conn: &Conn<Self>, req: &Request) {
        let key = req.cancelled();
        let removed = {
            let mut table = conn.state().subs.lock();
            let id = table
                .subs
                .iter()
                .filter(|(_, s)| s.subscription().request().raw == key)
                .map(|(id, _)| *id)
                .last();
            id.and_then(|id| table.subs.remove(&id))
        };
        // Withdrawn outside the lock.
        drop(removed);
    }
}

impl ServiceInfo for Topology {
    const RECV_QUEUE: &'static CStr = c_str!("tipc_topsrv_rcv");
    const SEND_QUEUE: &'static CStr = c_str!("tipc_topsrv_send");
    const SOCK_TYPE: SockType = SockType::SeqPacket;
    const MAX_REQUEST: usize = super::wire::SUBSCR_LEN;
    const NAME: &'static str = "topology";

    fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        writeln!(
            w,
            "{}.subscriptions {}",
            Self::NAME,
            self.subscriptions.load(Relaxed)
        )?;
        writeln!(
            w,
            "{}.refused_over_limit {}",
            Self::NAME,
            self.refused_over_limit.load(Relaxed)
        )?;
        writeln!(
            w,
            "{}.kernel_events_lost {}",
            Self::NAME,
            self.kernel_events_lost.load(Relaxed)
        )
    }
}

impl Service for Topology {
    type ConnState = ConnState;
    type Out = Event;

    fn address(&self) -> (ServiceRange, Scope) {
        (
            ServiceRange {
                ty: TIPC_TOP_SRV,
                lower: TIPC_TOP_SRV,
                upper: TIPC_TOP_SRV,
            },
            Scope::Node,
        )
    }

    fn conn_state() -> impl PinInit<Self::ConnState> {
        pin_init!(ConnState {
            subs <- new_mutex!(
                Subscriptions {
                    subs: RBTree::new(),
                    next_id: 0
                },
                "tipc_topsrv_subs"
            ),
            feed <- new_spinlock_bh!(None, "tipc_topsrv_feed"),
        })
    }

    fn received(server: &Arc<Server<Self>>, conn: &Arc<Conn<Self>>, msg: &[u8]) -> Result {
        // Shorter than a request: the connection closes, as upstream's.
        let req = Request::decode(msg).ok_or(EINVAL)?;
        if req.filter & TIPC_SUB_CANCEL != 0 {
            Self::cancel(conn, &req);
            return Ok(());
        }
        Self::subscribe(server, conn, req)
    }

    fn payload(out: &Event) -> &[u8] {
        &out.bytes
    }

    fn take_local(conn: &Conn<Self>) -> Option<Event> {
        let bytes = conn.state().feed.lock().as_mut()?.next_event()?;
        Some(Event { bytes, ends: None })
    }

    fn deliver_local(server: &Server<Self>, out: &Event) {
        if !ffi::deliver_kernel_event(server.net(), &out.bytes) {
            server.service().kernel_event_lost();
        }
    }

    fn sent(_server: &Server<Self>, conn: &Arc<Conn<Self>>, out: &Event) {
        if let Some(id) = out.ends {
            let removed = conn.state().subs.lock().subs.remove(&id);
            drop(removed);
        }
    }

    fn closed(_server: &Server<Self>, conn: &Conn<Self>) {
        let subs = core::mem::take(&mut conn.state().subs.lock().subs);
        // Every subscription is withdrawn here, outside the lock.
        drop(subs);
        // No report comes any more: what the feed held goes.
        let feed = conn.state().feed.lock().take();
        drop(feed);
    }
}

/// A subscription of the kernel's group messaging: its events go to the
/// own node's socket `port`. Returns the connection id that
/// [`kernel_unsubscribe`] takes.
pub(crate) fn kernel_subscribe(
    servers: &NetServers,
    port: u32,
    range: ServiceRange,
    filter: u32,
) -> Result<u32> {
    let server = &servers.topology;
    let conn = server.open(None)?;
    let request = Request::kernel(range, filter, port);
    // Before the subscription: its initial report goes to the feed.
    *conn.state().feed.lock() = Some(Feed::new(request));
    if let Err(e) = Topology::subscribe(server, &conn, request) {
        conn.close();
        return Err(e);
    }
    Ok(conn.id())
}

/// Ends a subscription made by [`kernel_subscribe`].
pub(crate) fn kernel_unsubscribe(servers: &NetServers, id: u32) {
    if let Some(conn) = servers.topology.find(id) {
        conn.close();
    }
}
