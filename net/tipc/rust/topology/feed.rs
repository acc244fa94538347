// SPDX-License-Identifier: GPL-2.0

//! What a kernel subscriber (group messaging, group.c) is still to be told,
//! coalesced.
//!
//! group.c needs each binding of its group's type to appear and go, in
//! order per binding; a binding that appears and goes before group.c could
//! know of it needs no event. So a kernel subscription keeps the bindings
//! whose state group.c has not seen yet, oldest change first: bounded by
//! the bindings that exist or group.c may know of, whatever the rate of
//! binds and unbinds (a queue would grow with it, or drop events and get
//! membership wrong for good).
//!
//! group.c subscribes without initial status (`TIPC_SUB_NO_STATUS`) and
//! reads the existing members from the name table itself
//! (`tipc_nametbl_build_group()`), after subscribing and before its own
//! binding appears. So the withdrawal of a binding the feed never saw is
//! told (it existed before the subscription), and so is that of one that
//! appeared before the member's own binding: group.c may have read it.

use super::wire::{Request, HANDLE, TIPC_PUBLISHED, TIPC_WITHDRAWN};
use crate::boundary::tipc::{EventWords, Report};
use crate::server::outqueue::atomic;
use kernel::{
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
};

/// A binding: its socket and the publication's key (a socket that binds
/// again gets a new key, and group.c must see the old one go first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct BindingId {
    node: u32,
    port: u32,
    key: u32,
}

/// A binding group.c has not been told of yet, or may know of.
struct Binding {
    lower: u32,
    upper: u32,
    /// It exists now.
    present: bool,
    /// group.c has been told it exists.
    told: bool,
    /// group.c may know it exists without having been told: its
    /// withdrawal must be told.
    maybe_known: bool,
    /// When the change group.c has not been told yet was reported.
    since: u64,
}

/// The feed of one kernel subscription.
///
/// # Invariants
///
/// `bindings` holds the bindings that exist, that group.c was told of, or
/// whose withdrawal group.c is to be told; `order` maps `since` to the id
/// of each binding group.c is yet to be told something of (present and
/// not told, or gone and told or maybe known), and nothing else.
pub(crate) struct Feed {
    request: Request,
    bindings: RBTree<BindingId, Binding>,
    order: RBTree<u64, BindingId>,
    next: u64,
    /// The subscriber's own binding has appeared: group.c has read the
    /// name table by then.
    joined: bool,
}

impl Feed {
    /// The feed of the kernel subscription `request`.
    pub(crate) fn new(request: Request) -> Self {
        Self {
            request,
            bindings: RBTree::new(),
            order: RBTree::new(),
            next: 0,
            joined: false,
        }
    }

    /// The subscriber's socket (the first word of its handle).
    fn own_port(&self) -> u32 {
        let h = &self.request.raw[HANDLE..HANDLE + 4];
        u32::from_ne_bytes([h[0], h[1], h[2], h[3]])
    }

    /// Takes in a change the name table reports (softirq, its locks held):
    /// `Ok(true)` if there is something new to tell; an error if memory ran
    /// out.
    pub(crate) fn change(&mut self, r: &Report) -> Result<bool> {
        let id = BindingId {
            node: r.node,
            port: r.port,
            key: r.key,
        };
        let since = self.next;
        match (r.event, self.bindings.get_mut(&id)) {
            (TIPC_PUBLISHED, None) => {
                self.add(id, r, true, !self.joined)?;
                if r.port == self.own_port() {
                    self.joined = true;
                }
            }
            (TIPC_WITHDRAWN, Some(b)) if b.told => {
                let o = RBTreeNodeReservation::new(atomic())?;
                b.present = false;
                b.since = since;
                self.order.insert(o.into_node(since, id));
            }
            (TIPC_WITHDRAWN, Some(b)) if b.maybe_known => {
                // Its appearance is still to be told: it becomes the
                // withdrawal, where it stands in the order.
                b.present = false;
                return Ok(false);
            }
            (TIPC_WITHDRAWN, Some(b)) => {
                // Gone before group.c could know of it: nothing to tell.
                let at = b.since;
                self.order.remove(&at);
                self.bindings.remove(&id);
                return Ok(false);
            }
            // It existed before the subscription: group.c read it.
            (TIPC_WITHDRAWN, None) => self.add(id, r, false, true)?,
            // A second publication of a key: the name table reports none.
            _ => return Ok(false),
        }
        self.next += 1;
        Ok(true)
    }

    /// Adds binding `id` of report `r`, not told yet, as the newest change.
    fn add(&mut self, id: BindingId, r: &Report, present: bool, maybe_known: bool) -> Result {
        // Both nodes first: a failure changes nothing.
        let b = RBTreeNodeReservation::new(atomic())?;
        let o = RBTreeNodeReservation::new(atomic())?;
        let since = self.next;
        let binding = Binding {
            lower: r.lower,
            upper: r.upper,
            present,
            told: false,
            maybe_known,
            since,
        };
        self.bindings.insert(b.into_node(id, binding));
        self.order.insert(o.into_node(since, id));
        Ok(())
    }

    /// The oldest change group.c has not been told of, as the event that
    /// tells it, in the subscriber's byte order; counted as told.
    pub(crate) fn next_event(&mut self) -> Option<EventWords> {
        let (&at, &id) = self.order.iter().next()?;
        self.order.remove(&at);
        let b = self.bindings.get_mut(&id)?;
        b.told = b.present;
        b.maybe_known = false;
        let event = if b.present {
            TIPC_PUBLISHED
        } else {
            TIPC_WITHDRAWN
        };
        let words = self
            .request
            .event([event, b.lower, b.upper, id.port, id.node]);
        if !b.present {
            self.bindings.remove(&id);
        }
        Some(words)
    }

    /// Changes not told yet.
    #[cfg(tipc_server_kunit)]
    pub(crate) fn untold(&self) -> usize {
        self.order.iter().count()
    }
}
