// SPDX-License-Identifier: GPL-2.0

//! Workqueues allocated and destroyed by their Rust owner.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use super::Queue;
use crate::{bindings, c_str, error::code::ENOMEM, prelude::*, str::CStr};
use core::{ops::Deref, ptr::NonNull};

/// Flags for [`OwnedQueue::new_ordered`], the kernel's `WQ_*` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueFlags(u32);

impl QueueFlags {
    /// No flags beyond those the constructor sets.
    pub const NONE: Self = Self(0);
    /// `WQ_MEM_RECLAIM`: a rescuer thread guarantees progress under memory pressure.
    pub const MEM_RECLAIM: Self = Self(bindings::wq_flags_WQ_MEM_RECLAIM);
}

/// A workqueue owned by Rust code: allocated by
/// [`OwnedQueue::new_ordered`], destroyed when dropped.
///
/// It dereferences to [`Queue`], so work items are enqueued the usual way.
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::{c_str, sync::Arc};
/// use kernel::workqueue::{impl_has_work, new_work, OwnedQueue, QueueFlags, Work, WorkItem};
///
/// #[pin_data]
/// struct Tick {
///     count: AtomicU32,
///     #[pin]
///     work: Work<Tick>,
/// }
///
/// impl_has_work! {
///     impl HasWork<Self> for Tick { self.work }
/// }
///
/// impl WorkItem for Tick {
///     type Pointer = Arc<Tick>;
///
///     fn run(this: Arc<Tick>) {
///         this.count.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let queue = OwnedQueue::new_ordered(c_str!("doctest"), QueueFlags::NONE)?;
/// let tick = Arc::pin_init(
///     pin_init!(Tick { count: AtomicU32::new(0), work <- new_work!("Tick::work") }),
///     GFP_KERNEL,
/// )?;
/// assert!(queue.enqueue(tick.clone()).is_ok());
/// queue.flush();
/// assert_eq!(tick.count.load(Ordering::Relaxed), 1);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `ptr` is a workqueue returned by `alloc_workqueue()` and not yet destroyed.
pub struct OwnedQueue {
    ptr: NonNull<bindings::workqueue_struct>,
}

// SAFETY: The C workqueue API may be used from any thread.
unsafe impl Send for OwnedQueue {}
// SAFETY: The C workqueue API may be used from any thread concurrently.
unsafe impl Sync for OwnedQueue {}

impl OwnedQueue {
    /// Allocates a workqueue named `name` running at most `max_active` work
    /// items at once.
    fn new(name: &CStr, flags: u32, max_active: i32) -> Result<Self> {
        // SAFETY: "%s" consumes exactly the one string argument passed, which is valid for the
        // duration of the call (the name is copied into the workqueue).
        let ptr = unsafe {
            bindings::alloc_workqueue(
                c_str!("%s").as_char_ptr(),
                flags,
                max_active,
                name.as_char_ptr(),
            )
        };
        // INVARIANT: a non-null pointer is a new workqueue.
        NonNull::new(ptr).map(|ptr| Self { ptr }).ok_or(ENOMEM)
    }

    /// Allocates an ordered workqueue: one work item at a time, in queueing order.
    pub fn new_ordered(name: &CStr, flags: QueueFlags) -> Result<Self> {
        let ordered = bindings::wq_flags_WQ_UNBOUND | bindings::wq_flags___WQ_ORDERED;
        Self::new(name, flags.0 | ordered, 1)
    }

    /// Waits until every work item queued before this call has finished.
    ///
    /// Must be called from process context, not from a work item of this queue.
    pub fn flush(&self) {
        // SAFETY: By the type invariant, the workqueue is valid.
        unsafe { bindings::__flush_workqueue(self.ptr.as_ptr()) }
    }
}

impl OwnedQueue {
    /// Waits until the queue is empty, including the work that its own work
    /// items queue on it meanwhile (a work item that re-queues itself), which
    /// [`OwnedQueue::flush`] does not wait for.
    ///
    /// While it runs only the queue's own work items may queue work on it:
    /// the kernel warns about, and drops, work queued from anywhere else, so
    /// the caller first stops every other source (event callbacks, timers).
    /// Process context, not from a work item of this queue.
    pub fn drain(&self) {
        // SAFETY: By the type invariant, the workqueue is valid.
        unsafe { bindings::drain_workqueue(self.ptr.as_ptr()) }
    }
}

impl Deref for OwnedQueue {
    type Target = Queue;

    fn deref(&self) -> &Queue {
        // SAFETY: By the type invariant the workqueue is valid, and it stays valid while `self`
        // is borrowed, since it is only destroyed in `drop`.
        unsafe { Queue::from_raw(self.ptr.as_ptr()) }
    }
}

impl Drop for OwnedQueue {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the workqueue is valid; this is the only place that
        // destroys it. `destroy_workqueue` drains it first: every queued work item runs to
        // completion, so no work of this queue runs after it returns.
        unsafe { bindings::destroy_workqueue(self.ptr.as_ptr()) }
    }
}
