// SPDX-License-Identifier: GPL-2.0

//! A connection's outbound queue: a FIFO of fixed-size messages stored in
//! page-sized chunks.
//!
//! Pushing never sleeps (softirq, under the name table's locks) and
//! allocates one page-sized chunk per [`CHUNK`] messages, never a large
//! contiguous block; a drained queue keeps one chunk, so there is no
//! allocation per message. A push beyond the limit, or whose allocation
//! fails, is refused, and the caller closes the connection: no message is
//! dropped silently.

use kernel::alloc::flags::{__GFP_NOWARN, GFP_ATOMIC};
use kernel::init::init_array_from_fn;
use kernel::prelude::*;

/// Messages per chunk: 63 topology events of 64 bytes and two indices fit
/// `kmalloc-4k` (64 would need an order-1 `kmalloc-8k` allocation).
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
/// `chunks[..count]` hold the messages, oldest first, and the slots after
/// them are `None`; only the last chunk may have room after its `tail`,
/// only the first consumed entries before its `head`; `len` is the number
/// of messages.
pub(crate) struct OutQueue<T: Copy> {
    chunks: KVec<Option<KBox<Chunk<T>>>>,
    count: usize,
    len: usize,
}

/// Allocation flags in atomic context, where failure is handled.
pub(crate) fn atomic() -> kernel::alloc::Flags {
    GFP_ATOMIC | __GFP_NOWARN
}

impl<T: Copy> OutQueue<T> {
    pub(crate) const fn new() -> Self {
        Self {
            chunks: KVec::new(),
            count: 0,
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn chunk_mut(&mut self, i: usize) -> Option<&mut Chunk<T>> {
        self.chunks.get_mut(i)?.as_deref_mut()
    }

    /// Appends a message that `write` writes in place, all of it: the slot
    /// it gets holds an older message or `T::default()`. `limit` of `None`
    /// lifts the length limit (the caller bounds the burst some other way);
    /// `write` is not called for a full queue (it may be when memory for a
    /// new chunk ran out after all).
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
        if let Some(last) = self.count.checked_sub(1).and_then(|i| self.chunk_mut(i)) {
            if let Some(slot) = last.items.get_mut(last.tail) {
                write(slot);
                last.tail += 1;
                self.len += 1;
                return Ok(());
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
            atomic(),
        )
        .map_err(|_| PushError::NoMemory)?;
        write(&mut chunk.items[0]);
        match self.chunks.get_mut(self.count) {
            Some(slot) => *slot = Some(chunk),
            None => (self.chunks)
                .push(Some(chunk), atomic())
                .map_err(|_| PushError::NoMemory)?,
        }
        self.count += 1;
        self.len += 1;
        Ok(())
    }

    /// The oldest message, left in place.
    #[cfg(tipc_server_kunit)]
    pub(crate) fn front(&self) -> Option<T> {
        let c = self.chunks.first()?.as_deref()?;
        c.items.get(c.head..c.tail)?.first().copied()
    }

    /// Copies the oldest messages, as many as fit, to the start of `dst`,
    /// leaving them queued; returns how many.
    pub(crate) fn copy_front(&self, dst: &mut [T]) -> usize {
        let mut n = 0;
        for c in self.chunks.iter().take(self.count).flatten() {
            if n == dst.len() {
                break;
            }
            let src = c.items.get(c.head..c.tail).unwrap_or(&[]);
            for (d, m) in dst.iter_mut().skip(n).zip(src) {
                *d = *m;
                n += 1;
            }
        }
        n
    }

    /// Removes the `n` oldest messages, or all if there are fewer; returns
    /// how many it removed. Each drained chunk costs a move of the chunk
    /// pointers (`n` is a send batch: at most two).
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
                // The drained chunk goes last, and is freed.
                if let Some(live) = self.chunks.get_mut(..self.count) {
                    live.rotate_left(1);
                    drop(live.last_mut().and_then(Option::take));
                }
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
