// SPDX-License-Identifier: GPL-2.0

//! Subscriptions: name table reports turned into events on a connection.

use super::feed::Feed;
use super::state::Topology;
use super::wire::{bounds, write_event, Request, SUBSCR_LEN, TIPC_SUBSCR_TIMEOUT};
use crate::boundary::{
    tipc::{EventWords, Report},
    watch::WatchList,
};
use crate::server::{
    connected::{Conn, Limit},
    outqueue::chunk_fits_page,
    stats::LIVE_SUBSCRIPTIONS,
};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    new_mutex, new_spinlock_bh,
    prelude::*,
    sync::{Arc, Mutex, SpinLockBh},
};

/// An event on its way to the subscriber.
#[derive(Clone, Copy, Default)]
pub(crate) struct Event {
    pub(crate) words: EventWords,
    /// The subscription this event ends (a timeout), removed once it is sent.
    pub(crate) ends: Option<u64>,
}

// A queue chunk of events is one page (server/outqueue.rs).
const _: () = assert!(chunk_fits_page::<Event>());

/// A connection's subscriptions, oldest first.
pub(crate) struct SubscriptionTable {
    pub(crate) subs: WatchList<Subscription>,
    pub(crate) next_id: u64,
}

/// The topology service's state of a connection.
#[pin_data]
pub(crate) struct ConnState {
    #[pin]
    pub(crate) table: Mutex<SubscriptionTable>,
    /// A kernel subscriber's feed, instead of the outbound queue (`None`
    /// for a client's connection).
    #[pin]
    pub(crate) feed: SpinLockBh<Option<Feed>>,
}

impl ConnState {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(ConnState {
            table <- new_mutex!(
                SubscriptionTable {
                    subs: WatchList::new(),
                    next_id: 0
                },
                "tipc_topsrv_subs"
            ),
            feed <- new_spinlock_bh!(None, "tipc_topsrv_feed"),
        })
    }
}

/// A subscription, owned by its [`crate::boundary::watch::NameWatch`] in
/// the C subscription's allocation: kept small.
pub(crate) struct Subscription {
    id: u64,
    conn: Arc<Conn<Topology>>,
    /// The request's bytes as the subscriber sent them, and whether its
    /// byte order is the opposite of the host's.
    raw: [u8; SUBSCR_LEN],
    swap: bool,
    /// The timeout event is queued: nothing follows (under the queue lock).
    expired: AtomicBool,
    /// The name table reports the bindings that exist at subscribe time: a
    /// burst bounded by the name table, not by the queue limit.
    initial: AtomicBool,
}

// With two links, after the C subscription (96 bytes on the plain kernel,
// patch 0007), at most 176 bytes: one `kmalloc-192` object.
const _: () = assert!(core::mem::size_of::<Subscription>() <= 64);

impl Subscription {
    /// A subscription counted in the service's per-namespace total.
    pub(crate) fn new(id: u64, conn: Arc<Conn<Topology>>, request: &Request) -> Self {
        // Given back in `drop` (a counter held in a field would cost 8 bytes).
        LIVE_SUBSCRIPTIONS.inc();
        Self {
            id,
            conn,
            raw: request.raw,
            swap: request.swap,
            expired: AtomicBool::new(false),
            initial: AtomicBool::new(true),
        }
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The request's bytes as the subscriber sent them.
    pub(crate) fn raw(&self) -> &[u8; SUBSCR_LEN] {
        &self.raw
    }

    /// The initial report is over; later events count against the queue limit.
    pub(crate) fn initial_done(&self) {
        self.initial.store(false, Ordering::Relaxed);
    }

    /// A binding in the name table changed that the subscription's filter
    /// lets through (softirq or process context, name table locks held).
    pub(crate) fn report(&self, r: &Report) {
        if !self.conn.has_socket() {
            // A kernel subscriber: the feed coalesces, bounded by the name table.
            let conn = self.conn.as_arc_borrow();
            let told = match conn.state().feed.lock().as_mut() {
                Some(feed) => feed.change(r),
                None => Ok(false),
            };
            match told {
                Ok(true) => Conn::notify_local(conn),
                Ok(false) => {}
                // Out of memory: this change is lost, as upstream loses an
                // event then; the subscription stays (closing it would end
                // the member's view of the group for good).
                Err(_) => self.conn.server().service().kernel_events_lost.inc(),
            }
            return;
        }
        let limit = if self.initial.load(Ordering::Relaxed) {
            Limit::Unbounded
        } else {
            Limit::Bounded
        };
        let words = [r.event, r.lower, r.upper, r.port, r.node];
        // Formatted in the queue slot: no copy of the event on the way.
        Conn::queue(
            self.conn.as_arc_borrow(),
            limit,
            || !self.expired.load(Ordering::Relaxed),
            |ev: &mut Event| {
                write_event(&mut ev.words, &self.raw, self.swap, words);
                ev.ends = None;
            },
        );
    }

    /// The subscription's timer fired (softirq): the last event it sends.
    pub(crate) fn expire(&self) {
        let (lower, upper) = bounds(&self.raw, self.swap);
        // One per subscription, so bounded by the subscription limit.
        Conn::queue(
            self.conn.as_arc_borrow(),
            Limit::Unbounded,
            || !self.expired.swap(true, Ordering::Relaxed),
            |ev: &mut Event| {
                let words = [TIPC_SUBSCR_TIMEOUT, lower, upper, 0, 0];
                write_event(&mut ev.words, &self.raw, self.swap, words);
                ev.ends = Some(self.id);
            },
        );
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        LIVE_SUBSCRIPTIONS.dec();
        self.conn.server().service().subscriptions.dec();
    }
}
