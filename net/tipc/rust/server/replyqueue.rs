// SPDX-License-Identifier: GPL-2.0

//! The reply queue of a connectionless server: replies waiting with their
//! destinations, bounded in bytes.
//!
//! Replies for one node go in arrival order; those for a node whose link
//! is congested wait for write space while the others go on, and may take
//! a quarter of the queue's bytes (or one reply): one slow requester holds
//! up nobody else. A request reserves room for the largest reply before it
//! is handled, so no command runs whose answer could not be queued.

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
/// `slots[..used]` holds the waiting replies in arrival order, with `None`
/// where one has been sent; the slots from `used` on are `None`. `waiting`
/// counts the `Some` slots; `bytes` is their size plus what is reserved.
pub(crate) struct ReplyQueue {
    slots: KVec<Option<Reply>>,
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

    /// Slots the queue has memory for, for tests.
    #[cfg(tipc_server_kunit)]
    pub(crate) fn slots(&self) -> usize {
        self.slots.capacity()
    }

    /// Takes `size` bytes of the `limit` for a reply to `node`, if they are
    /// free and the replies waiting for `node` leave room in its share.
    pub(crate) fn reserve(&mut self, node: u32, size: usize, limit: usize) -> Option<Reservation> {
        let share = (limit / 4).max(size);
        let for_node: usize = self.slots[..self.used]
            .iter()
            .flatten()
            .filter(|r| r.node == node)
            .map(|r| r.bytes.len())
            .sum();
        if self.bytes + size > limit || for_node + size > share {
            return None;
        }
        self.bytes += size;
        Some(Reservation(size))
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
            self.make_room()?;
        }
        self.bytes += reply.bytes.len();
        self.slots[self.used] = Some(reply);
        self.used += 1;
        self.waiting += 1;
        Ok(())
    }

    /// Frees a slot after the last used one: moves the waiting replies to
    /// the front, in order, into twice as many slots if fewer than half
    /// would be free. Steady load reuses the slots.
    fn make_room(&mut self) -> Result {
        let mut to = 0;
        for from in 0..self.used {
            if self.slots[from].is_some() {
                self.slots.swap(to, from);
                to += 1;
            }
        }
        self.used = to;
        if self.used < self.slots.len() && 2 * self.waiting <= self.slots.len() {
            return Ok(());
        }
        let len = (2 * self.slots.len()).max(8);
        let mut slots = KVec::with_capacity(len, GFP_KERNEL)?;
        // Cannot fail: the capacity holds every slot.
        for s in self.slots.iter_mut() {
            slots.push(s.take(), GFP_KERNEL)?;
        }
        while slots.len() < len {
            slots.push(None, GFP_KERNEL)?;
        }
        self.slots = slots;
        Ok(())
    }

    /// The oldest reply for a node that is not held back, and its position
    /// for [`ReplyQueue::remove`].
    pub(crate) fn next_sendable(&self) -> Option<(usize, &Reply)> {
        let sendable = |r: &&Reply| !self.blocked.contains(&r.node);
        let mut waiting = self.slots[..self.used].iter().enumerate();
        waiting.find_map(|(at, s)| Some((at, s.as_ref().filter(sendable)?)))
    }

    /// Removes the reply at `at` (sent, or given up).
    pub(crate) fn remove(&mut self, at: usize) {
        let Some(r) = self.slots.get_mut(at).and_then(Option::take) else {
            return;
        };
        self.bytes -= r.bytes.len();
        self.waiting -= 1;
        if self.waiting == 0 {
            self.used = 0;
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
