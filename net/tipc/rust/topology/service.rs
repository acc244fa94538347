// SPDX-License-Identifier: GPL-2.0

//! The topology service on the server core.

use super::feed::Feed;
use super::state::Topology;
use super::subscription::{ConnState, Event, Subscription};
use super::wire::{Request, SUBSCR_LEN, TIPC_SUB_CANCEL, TIPC_SUB_PORTS, TIPC_SUB_SERVICE};
use crate::boundary::{
    tipc::{deliver_kernel_event, event_bytes, instance, ServiceRange},
    watch::{End, NameWatch, Watched},
};
use crate::server::{
    connected::{Conn, Service},
    service::ServiceInfo,
    stats::{write_lines, TextBuf},
    ConnServer,
};
use kernel::{
    net::{socket::SockType, tipc::Scope},
    prelude::*,
    sync::Arc,
    uapi::TIPC_TOP_SRV,
};

impl Topology {
    fn subscribe(server: &Arc<ConnServer<Self>>, conn: &Arc<Conn<Self>>, req: Request) -> Result {
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
        if !topology.subscription_reserve() {
            return Err(ENOSPC);
        }
        // From here on the count is given back when the `Subscription` drops.
        let mut table = conn.state().table.lock();
        if conn.is_closed() {
            // `closed` emptied the table already (it takes this lock after
            // marking the connection closed): a subscription added now
            // would be an orphan, and keep the connection alive.
            drop(table);
            topology.subscriptions.dec();
            return Err(ENODEV);
        }
        let id = table.next_id;
        table.next_id += 1;
        let sub = Subscription::new(id, conn.clone(), &req);
        // Held across registration: a timeout firing at once must find the
        // subscription in the table when its event has been sent.
        let watch = NameWatch::new(server.net(), &req.host(), sub)?;
        watch.watcher().initial_done();
        // Ids only grow: the list stays in id order, oldest first.
        table.subs.push_back(watch);
        Ok(())
    }

    /// Cancels the newest subscription identical to the one `req` names,
    /// as upstream does (its list is head-inserted, and the first match goes).
    fn cancel(conn: &Conn<Self>, req: &Request) {
        let key = req.cancelled();
        Self::remove(conn, End::Newest, |w| w.watcher().raw(w.request()) == key);
    }

    /// Withdraws the first subscription of `conn` from end `from` that `f`
    /// picks.
    fn remove(conn: &Conn<Self>, from: End, f: impl FnMut(&Watched<'_, Subscription>) -> bool) {
        let removed = conn.state().table.lock().subs.remove_where(from, f);
        // Withdrawn outside the lock.
        drop(removed);
    }

    /// A subscription of the kernel's group messaging: a socketless
    /// connection whose events go to the own node's socket `port`.
    pub(crate) fn kernel_subscribe(
        server: &Arc<ConnServer<Self>>,
        port: u32,
        range: ServiceRange,
        filter: u32,
    ) -> Result<u32> {
        let conn = server.open(None)?;
        let request = Request::kernel(range, filter, port);
        // Before the subscription: its initial report goes to the feed.
        *conn.state().feed.lock() = Some(Feed::new(request));
        if let Err(e) = Self::subscribe(server, &conn, request) {
            conn.close();
            return Err(e);
        }
        Ok(conn.id())
    }

    /// Ends the kernel subscription `id`; only a socketless connection is one.
    pub(crate) fn kernel_unsubscribe(server: &ConnServer<Self>, id: u32) {
        if let Some(conn) = server.find(id).filter(|c| !c.has_socket()) {
            conn.close();
        }
    }
}

impl ServiceInfo for Topology {
    const SOCK_TYPE: SockType = SockType::SeqPacket;
    const MAX_REQUEST: usize = SUBSCR_LEN;
    const NAME: &'static str = "topology";

    fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        write_lines(w, Self::NAME, &self.lines())
    }
}

impl Service for Topology {
    // A subscription takes the subscription table's and the name table's
    // locks, never the socket's. A send work made due meanwhile is queued
    // when the run lets go, after the request it is handling.
    const HOLD_WHILE_HANDLING: bool = true;
    type ConnState = ConnState;
    type Out = Event;

    fn address(&self) -> (ServiceRange, Scope) {
        (instance(TIPC_TOP_SRV, TIPC_TOP_SRV), Scope::Node)
    }

    fn conn_state() -> impl PinInit<Self::ConnState> {
        ConnState::new()
    }

    fn received(server: &Arc<ConnServer<Self>>, conn: &Arc<Conn<Self>>, msg: &[u8]) -> Result {
        // Shorter than a request: the connection closes, as upstream's.
        let req = Request::decode(msg).ok_or(EINVAL)?;
        if req.filter & TIPC_SUB_CANCEL != 0 {
            Self::cancel(conn, &req);
            return Ok(());
        }
        Self::subscribe(server, conn, req)
    }

    fn payload(out: &Event) -> &[u8] {
        event_bytes(&out.words)
    }

    fn take_local(conn: &Conn<Self>) -> Option<Event> {
        let words = conn.state().feed.lock().as_mut()?.next_event()?;
        Some(Event { words, ends: None })
    }

    fn deliver_local(server: &ConnServer<Self>, out: &Event) {
        if !deliver_kernel_event(server.net(), &out.words) {
            server.service().kernel_events_lost.inc();
        }
    }

    fn sent(_server: &ConnServer<Self>, conn: &Arc<Conn<Self>>, out: &Event) {
        if let Some(id) = out.ends {
            // Timeouts mostly end the older subscriptions: searched from there.
            Self::remove(conn, End::Oldest, |w| w.watcher().id() == id);
        }
    }

    fn closed(_server: &ConnServer<Self>, conn: &Conn<Self>) {
        let subs = core::mem::take(&mut conn.state().table.lock().subs);
        // Every subscription is withdrawn here, outside the lock.
        drop(subs);
        // No report comes any more: what the feed held goes.
        let feed = conn.state().feed.lock().take();
        drop(feed);
    }
}
