// SPDX-License-Identifier: GPL-2.0

//! Subscriptions: name table reports turned into events on a connection.

use super::feed::Feed;
use super::state::Topology;
use super::wire::{
    subscriber_bytes, subscriber_words, write_event, Request, SUBSCR_LEN, TIPC_SUBSCR_TIMEOUT,
};
use crate::boundary::{
    tipc::{EventWords, HostSubscr, Report},
    watch::WatchList,
};
use crate::server::{
    connected::{Conn, Limit},
    outqueue::chunk_fits_page,
    stats::LIVE_SUBSCRIPTIONS,
};
use core::sync::atomic::{AtomicU64, Ordering};
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
/// the C subscription's allocation, which also holds the request (host
/// order, where the name table reads it): kept small.
pub(crate) struct Subscription {
    conn: Arc<Conn<Topology>>,
    /// The flags below, and the id above them.
    state: AtomicU64,
}

/// The timeout event is queued: nothing follows (set under the queue lock).
pub(crate) const EXPIRED: u64 = 1 << 0;
/// The name table reports the bindings that exist at subscribe time: a
/// burst bounded by the name table, not by the queue limit.
pub(crate) const INITIAL: u64 = 1 << 1;
/// The subscriber's byte order is the opposite of the host's (never changes).
pub(crate) const SWAP: u64 = 1 << 2;
/// Where the id starts: 61 bits, which a connection's ids (one per
/// subscribe) never run out of.
const ID_SHIFT: u32 = 3;

/// A new subscription's state word: `id`, the byte order, in its initial report.
pub(crate) const fn state_word(id: u64, swap: bool) -> u64 {
    id << ID_SHIFT | INITIAL | if swap { SWAP } else { 0 }
}

/// The id in state word `w`.
pub(crate) const fn id_of(w: u64) -> u64 {
    w >> ID_SHIFT
}

// With two links, after the C subscription (96 bytes on the plain kernel,
// patch 0007), 128 bytes: one `kmalloc-128` object (`NameWatch` checks the
// whole against `TIPC_RS_SUB_OWNER_MAX`).
const _: () = assert!(core::mem::size_of::<Subscription>() <= 16);

impl Subscription {
    /// A subscription counted in the service's per-namespace total.
    pub(crate) fn new(id: u64, conn: Arc<Conn<Topology>>, request: &Request) -> Self {
        // Given back in `drop` (a counter held in a field would cost 8 bytes).
        LIVE_SUBSCRIPTIONS.inc();
        Self {
            conn,
            state: AtomicU64::new(state_word(id, request.swap)),
        }
    }

    pub(crate) fn id(&self) -> u64 {
        id_of(self.state.load(Ordering::Relaxed))
    }

    /// Whether the subscriber's byte order is the opposite of the host's.
    fn swap(&self) -> bool {
        self.state.load(Ordering::Relaxed) & SWAP != 0
    }

    /// The bytes of request `s` (this subscription's, host order) as the
    /// subscriber sent them.
    pub(crate) fn raw(&self, s: &HostSubscr) -> [u8; SUBSCR_LEN] {
        subscriber_bytes(s, self.swap())
    }

    /// The initial report is over; later events count against the queue limit.
    pub(crate) fn initial_done(&self) {
        self.state.fetch_and(!INITIAL, Ordering::Relaxed);
    }

    /// A binding in the name table changed that the filter of request `s`
    /// (this subscription's) lets through (softirq or process context, name
    /// table locks held).
    pub(crate) fn report(&self, s: &HostSubscr, r: &Report) {
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
        let state = self.state.load(Ordering::Relaxed);
        let limit = if state & INITIAL != 0 {
            Limit::Unbounded
        } else {
            Limit::Bounded
        };
        let swap = state & SWAP != 0;
        let words = [r.event, r.lower, r.upper, r.port, r.node];
        // Formatted in the queue slot: no copy of the event on the way.
        Conn::queue(
            self.conn.as_arc_borrow(),
            limit,
            || self.state.load(Ordering::Relaxed) & EXPIRED == 0,
            |ev: &mut Event| {
                write_event(&mut ev.words, &subscriber_words(s, swap), swap, words);
                ev.ends = None;
            },
        );
    }

    /// The timer of this subscription, to request `s`, fired (softirq): the
    /// last event it sends.
    pub(crate) fn expire(&self, s: &HostSubscr) {
        let swap = self.swap();
        let words = [TIPC_SUBSCR_TIMEOUT, s.seq.lower, s.seq.upper, 0, 0];
        // One per subscription, so bounded by the subscription limit.
        Conn::queue(
            self.conn.as_arc_borrow(),
            Limit::Unbounded,
            || self.state.fetch_or(EXPIRED, Ordering::Relaxed) & EXPIRED == 0,
            |ev: &mut Event| {
                write_event(&mut ev.words, &subscriber_words(s, swap), swap, words);
                ev.ends = Some(self.id());
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
