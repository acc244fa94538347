// SPDX-License-Identifier: GPL-2.0

//! The reply queue of a connectionless server: replies waiting with their
//! destinations, bounded in bytes.
//!
//! A reply is sent in arrival order among the replies for the same node;
//! replies for a node whose link is congested wait for the socket's
//! write-space event while the others go on, and the replies waiting for
//! one node may take a quarter of the queue's bytes (or one reply, if that
//! is more), so one slow requester holds up nobody else. A request
//! reserves room for the largest reply before it is handled, so no command
//! runs whose answer could not be queued.

use kernel::{net::tipc::SockAddrTipc, prelude::*};

/// A reply and where it goes.
pub(crate) struct Reply {
    pub(crate) to: SockAddrTipc,
    /// The node of `to`: replies are ordered, and held back, per node.
    pub(crate) node: u32,
    pub(crate) bytes: KVec<u8>,
}

/// Room for one reply, taken from the queue's byte limit by
/// [`ReplyQueue::reserve`]; given back by [`ReplyQueue::commit`] or
/// [`ReplyQueue::cancel`].
#[must_use]
pub(crate) struct Reservation(usize);

/// Replies waiting to be sent.
///
/// # Invariants
///
/// `slots` is a ring: the `used` slots from `head` (modulo its length) hold
/// the waiting replies in arrival order, with `None` where a reply was
/// sent ahead of an older one; every other slot is `None`. `waiting`
/// counts the `Some` slots; `bytes` is their size plus what is reserved.
pub(crate) struct ReplyQueue {
    slots: KVec<Option<Reply>>,
    head: usize,
    used: usize,
    waiting: usize,
    bytes: usize,
    /// Nodes whose replies wait for write space (their link is congested).
    blocked: KVec<u32>,
}

impl ReplyQueue {
    pub(crate) const fn new() -> Self {
        Self {
            slots: KVec::new(),
            head: 0,
            used: 0,
            waiting: 0,
            bytes: 0,
            blocked: KVec::new(),
        }
    }

    /// Replies waiting.
    pub(crate) fn len(&self) -> usize {
        self.waiting
    }

    /// Slots of the ring (its memory), for tests.
    #[cfg(tipc_server_kunit)]
    pub(crate) fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Takes `size` bytes of the `limit` for a reply to `node`, if they are
    /// free and the replies waiting for `node` leave room in its share.
    pub(crate) fn reserve(&mut self, node: u32, size: usize, limit: usize) -> Option<Reservation> {
        let share = (limit / 4).max(size);
        if self.bytes + size > limit || self.bytes_for(node) + size > share {
            return None;
        }
        self.bytes += size;
        Some(Reservation(size))
    }

    /// Bytes of the replies waiting for `node`.
    fn bytes_for(&self, node: u32) -> usize {
        (0..self.used)
            .filter_map(|i| self.slots.get(self.at(i))?.as_ref())
            .filter(|r| r.node == node)
            .map(|r| r.bytes.len())
            .sum()
    }

    /// Gives a reservation back unused.
    pub(crate) fn cancel(&mut self, r: Reservation) {
        self.bytes -= r.0;
    }

    /// Queues `reply` in place of reservation `r`. A reply larger than its
    /// reservation still goes (the queue then holds more than its limit by
    /// that much, until it drains); only a failed allocation refuses it.
    pub(crate) fn commit(&mut self, r: Reservation, reply: Reply) -> Result {
        self.cancel(r);
        if self.used == self.slots.len() {
            self.regrow()?;
        }
        let at = self.at(self.used);
        self.bytes += reply.bytes.len();
        self.slots[at] = Some(reply);
        self.used += 1;
        self.waiting += 1;
        Ok(())
    }

    /// Ring index of the `i`-th slot in use.
    fn at(&self, i: usize) -> usize {
        // `checked_rem`: no division-by-zero path; the ring is not empty here.
        (self.head + i).checked_rem(self.slots.len()).unwrap_or(0)
    }

    /// Makes room for one more slot: packs the waiting replies to the
    /// front of a ring of the same size if that frees half of it, of twice
    /// the size otherwise.
    fn regrow(&mut self) -> Result {
        let old = self.slots.len();
        let new = if self.waiting < old / 2 {
            old
        } else {
            (2 * old).max(8)
        };
        let mut slots = KVec::with_capacity(new, GFP_KERNEL)?;
        for i in 0..self.used {
            let at = self.at(i);
            if let Some(r) = self.slots[at].take() {
                // Cannot fail: the capacity holds `new >= waiting` entries.
                slots.push(Some(r), GFP_KERNEL)?;
            }
        }
        while slots.len() < new {
            slots.push(None, GFP_KERNEL)?;
        }
        self.slots = slots;
        self.head = 0;
        self.used = self.waiting;
        Ok(())
    }

    /// The oldest reply for a node that is not held back, as a position
    /// for [`ReplyQueue::get`] and [`ReplyQueue::remove`].
    pub(crate) fn next_sendable(&self) -> Option<usize> {
        (0..self.used)
            .map(|i| self.at(i))
            .find(|&at| matches!(&self.slots[at], Some(r) if !self.blocked.contains(&r.node)))
    }

    pub(crate) fn get(&self, at: usize) -> Option<&Reply> {
        self.slots.get(at)?.as_ref()
    }

    /// Removes the reply at `at` (sent, or given up).
    pub(crate) fn remove(&mut self, at: usize) {
        let Some(r) = self.slots.get_mut(at).and_then(Option::take) else {
            return;
        };
        self.bytes -= r.bytes.len();
        self.waiting -= 1;
        // Slots before the oldest waiting reply are free again.
        while self.used > 0 && self.slots[self.head].is_none() {
            self.head = self.at(1);
            self.used -= 1;
        }
    }

    /// Holds back the replies for `node` until [`ReplyQueue::unblock`].
    pub(crate) fn block(&mut self, node: u32) -> Result {
        if !self.blocked.contains(&node) {
            self.blocked.push(node, GFP_KERNEL)?;
        }
        Ok(())
    }

    /// Write space came back: every node may be tried again.
    pub(crate) fn unblock(&mut self) {
        self.blocked = KVec::new();
    }

    /// Drops every waiting reply; returns how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.waiting;
        *self = Self::new();
        n
    }
}
