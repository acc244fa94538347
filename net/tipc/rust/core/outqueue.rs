// SPDX-License-Identifier: GPL-2.0

//! A connection's outbound queue: a growable ring of fixed-size messages.
//!
//! Pushing never sleeps (it may run in softirq, under the name table's
//! locks) and allocates only when the ring grows, doubling; popping frees
//! the storage again once a burst has drained. A push beyond the limit, or
//! one whose allocation fails, is refused: the caller then closes the
//! connection, so no message is ever dropped silently.

use kernel::prelude::*;

/// Ring capacity kept when the queue drains; larger rings are freed, so a
/// connection that keeps up costs no allocation per message.
const KEEP_CAPACITY: usize = 64;

/// Why a message could not be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PushError {
    /// The queue holds its limit of messages already.
    Full,
    /// Growing the ring failed.
    NoMemory,
}

/// A FIFO of `T` with a length limit.
///
/// # Invariants
///
/// `len <= buf.len()`; the queued messages are `buf[(head + i) % buf.len()]`
/// for `i` in `0..len`; `head < buf.len()` unless `buf` is empty.
pub(crate) struct OutQueue<T: Copy> {
    buf: KVec<T>,
    head: usize,
    len: usize,
}

impl<T: Copy> OutQueue<T> {
    pub(crate) const fn new() -> Self {
        Self {
            buf: KVec::new(),
            head: 0,
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Index of the `i`-th queued message in `buf`.
    fn slot(&self, i: usize) -> usize {
        // `checked_rem`: no division-by-zero path; `buf` is never empty here.
        (self.head + i).checked_rem(self.buf.len()).unwrap_or(0)
    }

    /// Appends `msg`; `limit` of `None` lifts the length limit (the caller
    /// bounds the burst some other way).
    pub(crate) fn push(&mut self, msg: T, limit: Option<usize>) -> Result<(), PushError> {
        if limit.is_some_and(|l| self.len >= l) {
            return Err(PushError::Full);
        }
        if self.len < self.buf.len() {
            let i = self.slot(self.len);
            if let Some(s) = self.buf.get_mut(i) {
                *s = msg;
            }
        } else if self.head == 0 && self.buf.len() < self.buf.capacity() {
            // Full but unwrapped, with room: the slot after the last is next.
            self.buf
                .push(msg, GFP_ATOMIC)
                .map_err(|_| PushError::NoMemory)?;
        } else {
            self.grow(msg)?;
        }
        self.len += 1;
        Ok(())
    }

    /// Moves the messages, oldest first, into a ring twice the size, then `msg`.
    fn grow(&mut self, msg: T) -> Result<(), PushError> {
        let cap = (self.buf.len() * 2).max(8);
        let mut buf = KVec::with_capacity(cap, GFP_ATOMIC).map_err(|_| PushError::NoMemory)?;
        for i in 0..self.len {
            if let Some(m) = self.buf.get(self.slot(i)) {
                // Cannot fail: `cap > self.len`.
                buf.push(*m, GFP_ATOMIC).map_err(|_| PushError::NoMemory)?;
            }
        }
        buf.push(msg, GFP_ATOMIC).map_err(|_| PushError::NoMemory)?;
        self.buf = buf;
        self.head = 0;
        Ok(())
    }

    /// The oldest message, left in place.
    pub(crate) fn front(&self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.buf.get(self.head).copied()
    }

    /// Removes the oldest message.
    pub(crate) fn pop(&mut self) -> Option<T> {
        let m = self.front()?;
        self.len -= 1;
        self.head = self.slot(1);
        if self.len == 0 && self.buf.capacity() > KEEP_CAPACITY {
            // A burst drained: give its storage back.
            self.buf = KVec::new();
            self.head = 0;
        }
        Some(m)
    }

    /// Drops every queued message and the storage; returns how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.len;
        self.buf = KVec::new();
        self.head = 0;
        self.len = 0;
        n
    }
}
