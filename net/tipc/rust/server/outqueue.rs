// SPDX-License-Identifier: GPL-2.0

//! A connection's outbound queue: a FIFO of fixed-size messages stored in
//! page-sized chunks.
//!
//! Pushing never sleeps (it may run in softirq, under the name table's
//! locks) and allocates only when a chunk fills up: one `GFP_ATOMIC`
//! allocation of about a page per [`CHUNK`] messages, never a large
//! contiguous one. A queue that drains keeps one chunk, so a connection
//! that keeps up costs no allocation per message. A push beyond the limit,
//! or one whose allocation fails, is refused: the caller then closes the
//! connection, so no message is ever dropped silently.

use kernel::alloc::flags::{__GFP_NOWARN, GFP_ATOMIC};
use kernel::init::init_array_from_fn;
use kernel::prelude::*;

/// Messages per chunk: 63 topology events of 64 bytes and the chunk's two
/// indices make 4048 bytes, so a chunk is one order-0 (`kmalloc-4k`)
/// allocation. 64 events would need 4112 bytes: an order-1 `kmalloc-8k`
/// allocation, twice the memory and harder to get in atomic context.
pub(crate) const CHUNK: usize = 63;

/// Whether a chunk of `T` fits one page, as [`CHUNK`] is chosen for.
pub(crate) const fn chunk_fits_page<T: Copy>() -> bool {
    core::mem::size_of::<Chunk<T>>() <= kernel::page::PAGE_SIZE
}

/// Why a message could not be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PushError {
    /// The queue holds its limit of messages already.
    Full,
    /// A new chunk could not be allocated.
    NoMemory,
}

/// Messages `items[head..tail]` of one chunk.
struct Chunk<T: Copy> {
    items: [T; CHUNK],
    head: usize,
    tail: usize,
}

/// A FIFO of `T` with a length limit.
///
/// # Invariants
///
/// `chunks` is a ring: `count` chunks starting at `first`, oldest first;
/// only the last may have room after its `tail`, only the first may have
/// consumed entries before its `head`; `len` is the number of messages.
pub(crate) struct OutQueue<T: Copy> {
    chunks: KVec<Option<KBox<Chunk<T>>>>,
    first: usize,
    count: usize,
    len: usize,
}

/// Allocation flags of the queue: atomic context, failure is handled.
fn flags() -> kernel::alloc::Flags {
    GFP_ATOMIC | __GFP_NOWARN
}

impl<T: Copy> OutQueue<T> {
    pub(crate) const fn new() -> Self {
        Self {
            chunks: KVec::new(),
            first: 0,
            count: 0,
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Ring index of the `i`-th chunk.
    fn at(&self, i: usize) -> usize {
        // `checked_rem`: no division-by-zero path; the ring is never empty here.
        (self.first + i).checked_rem(self.chunks.len()).unwrap_or(0)
    }

    fn chunk_mut(&mut self, i: usize) -> Option<&mut Chunk<T>> {
        let at = self.at(i);
        self.chunks.get_mut(at)?.as_deref_mut()
    }

    /// Appends `msg` (the KUnit cases' shorthand for [`OutQueue::push_with`]).
    #[cfg(tipc_server_kunit)]
    pub(crate) fn push(&mut self, msg: T, limit: Option<usize>) -> Result<(), PushError>
    where
        T: Default,
    {
        self.push_with(limit, |slot| *slot = msg)
    }

    /// Appends a message that `write` writes in place, all of it: the slot
    /// it gets holds an older message or `T::default()`. `limit` of `None`
    /// lifts the length limit (the caller bounds the burst some other way);
    /// `write` is not called if the push is refused.
    pub(crate) fn push_with(
        &mut self,
        limit: Option<usize>,
        write: impl FnOnce(&mut T),
    ) -> Result<(), PushError>
    where
        T: Default,
    {
        if limit.is_some_and(|l| self.len >= l) {
            return Err(PushError::Full);
        }
        if self.count > 0 {
            if let Some(last) = self.chunk_mut(self.count - 1) {
                if let Some(slot) = last.items.get_mut(last.tail) {
                    write(slot);
                    last.tail += 1;
                    self.len += 1;
                    return Ok(());
                }
            }
        }
        // Built in place: a chunk is too big for a softirq stack.
        let mut chunk = KBox::init(
            init!(Chunk {
                items <- init_array_from_fn::<_, CHUNK, T, core::convert::Infallible>(|_| {
                    T::default()
                }),
                head: 0,
                tail: 1,
            }),
            flags(),
        )
        .map_err(|_| PushError::NoMemory)?;
        write(&mut chunk.items[0]);
        self.append_chunk(chunk)?;
        self.len += 1;
        Ok(())
    }

    fn append_chunk(&mut self, chunk: KBox<Chunk<T>>) -> Result<(), PushError> {
        if self.count == self.chunks.len() {
            // The ring of chunk pointers is full: move it into one twice the size.
            let cap = (self.chunks.len() * 2).max(4);
            let mut ring = KVec::with_capacity(cap, flags()).map_err(|_| PushError::NoMemory)?;
            for i in 0..self.count {
                let at = self.at(i);
                let c = self.chunks.get_mut(at).and_then(Option::take);
                // Cannot fail: `cap > self.count`.
                ring.push(c, flags()).map_err(|_| PushError::NoMemory)?;
            }
            while ring.len() < cap {
                ring.push(None, flags()).map_err(|_| PushError::NoMemory)?;
            }
            self.chunks = ring;
            self.first = 0;
        }
        let at = self.at(self.count);
        if let Some(slot) = self.chunks.get_mut(at) {
            *slot = Some(chunk);
            self.count += 1;
        }
        Ok(())
    }

    /// The oldest message, left in place.
    #[cfg(tipc_server_kunit)]
    pub(crate) fn front(&self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let c = self.chunks.get(self.first)?.as_deref()?;
        c.items.get(c.head).copied()
    }

    /// Removes the oldest message (the server removes them in batches,
    /// [`OutQueue::drop_front`]).
    #[cfg(tipc_server_kunit)]
    pub(crate) fn pop(&mut self) -> Option<T> {
        let m = self.front()?;
        self.drop_front(1);
        Some(m)
    }

    /// Copies the oldest messages, as many as fit, to the start of `dst`,
    /// leaving them queued; returns how many.
    pub(crate) fn copy_front(&self, dst: &mut [T]) -> usize {
        let mut n = 0;
        for i in 0..self.count {
            if n == dst.len() {
                break;
            }
            let Some(c) = self.chunks.get(self.at(i)).and_then(|c| c.as_deref()) else {
                break;
            };
            let src = c.items.get(c.head..c.tail).unwrap_or(&[]);
            for (d, m) in dst.iter_mut().skip(n).zip(src) {
                *d = *m;
                n += 1;
            }
        }
        n
    }

    /// Removes the `n` oldest messages, or all if there are fewer; returns
    /// how many it removed.
    pub(crate) fn drop_front(&mut self, n: usize) -> usize {
        let mut left = n.min(self.len);
        let removed = left;
        while left > 0 {
            let only = self.count == 1;
            let Some(first) = self.chunk_mut(0) else {
                break;
            };
            let k = left.min(first.tail - first.head);
            first.head += k;
            left -= k;
            if first.head == first.tail {
                if only {
                    // Drained: keep the chunk for the next messages.
                    first.head = 0;
                    first.tail = 0;
                    break;
                }
                let at = self.first;
                drop(self.chunks.get_mut(at).and_then(Option::take));
                self.first = self.at(1);
                self.count -= 1;
            }
        }
        self.len -= removed - left;
        removed - left
    }

    /// Drops every queued message and the storage; returns how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.len;
        *self = Self::new();
        n
    }
}
