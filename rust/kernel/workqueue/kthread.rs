// SPDX-License-Identifier: GPL-2.0

//! Kernel thread workers: work items run one at a time, in queueing order,
//! on a thread of their own, whose scheduling policy its owner chose.
//!
//! A workqueue runs its items on shared threads of the normal policy, and
//! waking one may preempt the task that queued the work. The owner of a
//! `kthread_worker` may make its thread `SCHED_BATCH`: waking it then never
//! preempts, so the task that queues keeps the CPU until it blocks or its
//! slice ends, and the worker finds several items queued when it runs.
//!
//! C header: [`include/linux/kthread.h`](srctree/include/linux/kthread.h)

use crate::{bindings, prelude::*, sync::Arc, types::Opaque};
use core::marker::PhantomData;

/// A kernel thread worker, created and destroyed by C (`kthread_create_worker()`,
/// `kthread_destroy_worker()`): wraps C's `struct kthread_worker`.
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::sync::Arc;
/// use kernel::workqueue::kthread::{impl_has_kthread_work, Work, WorkItem, Worker};
///
/// #[pin_data]
/// struct Tick {
///     count: AtomicU32,
///     #[pin]
///     work: Work<Tick>,
/// }
///
/// impl_has_kthread_work! {
///     impl HasWork<Self> for Tick { self.work }
/// }
///
/// impl WorkItem for Tick {
///     fn run(this: Arc<Tick>) {
///         this.count.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// fn tick_once(worker: &Worker) -> Result {
///     let tick = Arc::pin_init(
///         pin_init!(Tick { count: AtomicU32::new(0), work <- Work::new(worker) }),
///         GFP_KERNEL,
///     )?;
///     assert!(worker.enqueue(tick.clone()).is_ok());
///     worker.flush();
///     assert_eq!(tick.count.load(Ordering::Relaxed), 1);
///     Ok(())
/// }
/// ```
#[repr(transparent)]
pub struct Worker(Opaque<bindings::kthread_worker>);

// SAFETY: The C kthread worker API may be used from any thread.
unsafe impl Send for Worker {}
// SAFETY: The C kthread worker API may be used from any thread concurrently.
unsafe impl Sync for Worker {}

impl Worker {
    /// Borrows the worker at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must be a worker returned by `kthread_create_worker()` that is
    /// not destroyed for as long as the returned reference lives.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::kthread_worker) -> &'a Worker {
        // SAFETY: `Worker` is a transparent wrapper of the C struct, valid for `'a` by the
        // caller's promise.
        unsafe { &*ptr.cast::<Worker>() }
    }

    /// Queues `item`, unless it is queued already or its [`Work`] belongs
    /// to another worker: then it is given back.
    pub fn enqueue<T>(&self, item: Arc<T>) -> Result<(), Arc<T>>
    where
        T: WorkItem + HasWork<T> + Send + Sync + 'static,
    {
        let ptr = Arc::into_raw(item).cast_mut();
        // SAFETY: `ptr` points to a valid `T` (from `Arc::into_raw`).
        let work = unsafe { Work::raw_get(T::raw_get_work(ptr)) };
        // SAFETY: `work` is valid and initialised (`Work` invariant). Its `worker` field was
        // set by `Work::new` and is only ever written again with the same value (by
        // `kthread_queue_work()`), so reading it races with nothing that changes it.
        let owner = unsafe { core::ptr::addr_of!((*work).worker).read_volatile() };
        // A work item on two workers would have its links changed under two locks.
        let queued = owner == self.0.get()
            // SAFETY: The worker is valid (`from_raw`'s contract) and the work item is its own
            // (just checked); `work` was initialised by `Work::new` with `run::<T>` and stays
            // valid while queued: the reference taken by `into_raw` is only given back by
            // `run`, or below if it was not queued.
            && unsafe { bindings::kthread_queue_work(self.0.get(), work) };
        if queued {
            Ok(())
        } else {
            // SAFETY: Not queued, so the reference from `into_raw` is still ours.
            Err(unsafe { Arc::from_raw(ptr) })
        }
    }

    /// Waits until every work item queued before this call has run.
    ///
    /// Must be called from process context, not from a work item of this worker.
    pub fn flush(&self) {
        // SAFETY: The worker is valid (`from_raw`'s contract).
        unsafe { bindings::kthread_flush_worker(self.0.get()) }
    }
}

/// A work item's link into one [`Worker`]: wraps C's `struct kthread_work`.
///
/// A work item is queued at most once at a time; queueing it while it is
/// queued does nothing (it can be queued again once it starts running).
///
/// # Invariants
///
/// `work` was initialised by [`Work::new`]: its function is `run::<T>`, and
/// its `worker` is the worker it was created for, the only one that queues it.
#[pin_data]
#[repr(transparent)]
pub struct Work<T: ?Sized> {
    #[pin]
    work: Opaque<bindings::kthread_work>,
    _inner: PhantomData<T>,
}

// SAFETY: Kernel thread work items are usable from any thread; `Work` holds no `T`.
unsafe impl<T: ?Sized> Send for Work<T> {}
// SAFETY: Kernel thread work items are usable from any thread; `Work` holds no `T`.
unsafe impl<T: ?Sized> Sync for Work<T> {}

impl<T: WorkItem + HasWork<T> + 'static> Work<T> {
    /// Creates a work item for `worker` that runs [`WorkItem::run`] of the
    /// `T` it is in. Only `worker` queues it.
    pub fn new(worker: &Worker) -> impl PinInit<Self> {
        let worker = worker.0.get();
        pin_init!(Self {
            work <- Opaque::ffi_init(move |slot: *mut bindings::kthread_work| {
                // SAFETY: `slot` is valid for writes; `run::<T>` takes the `kthread_work` of a
                // `Work<T>` in a `T`, which is the only kind `Worker::enqueue` queues.
                unsafe { bindings::kthread_init_work(slot, Some(run::<T>)) };
                // INVARIANT: Bound to `worker`, which `Worker::enqueue` checks. C sets the
                // same field to the worker that queues it, so it never changes.
                // SAFETY: `slot` is valid for writes and initialised just above.
                unsafe { core::ptr::addr_of_mut!((*slot).worker).write(worker) };
            }),
            _inner: PhantomData,
        })
    }
}

impl<T: ?Sized> Work<T> {
    /// Returns a pointer to the inner `kthread_work`.
    ///
    /// # Safety
    ///
    /// `ptr` must be aligned and not dangling (the memory need not be initialised).
    unsafe fn raw_get(ptr: *const Self) -> *mut bindings::kthread_work {
        // SAFETY: The caller promises that the pointer is aligned and not dangling.
        unsafe { Opaque::raw_get(core::ptr::addr_of!((*ptr).work)) }
    }
}

/// Runs the work item whose `kthread_work` is `ptr`, with the reference
/// that [`Worker::enqueue`] gave up.
///
/// # Safety
///
/// `ptr` must be the `kthread_work` of a `Work<T>` in a `T` that
/// `Worker::enqueue` queued, run once per queueing.
unsafe extern "C" fn run<T: WorkItem + HasWork<T> + 'static>(ptr: *mut bindings::kthread_work) {
    // `#[repr(transparent)]`: the `kthread_work` is the `Work<T>`.
    let work = ptr.cast::<Work<T>>();
    // SAFETY: The caller's contract: `work` is the field at `T::OFFSET` of a `T`.
    let item = unsafe { T::work_container_of(work) };
    // SAFETY: `Worker::enqueue` gave up this reference (`Arc::into_raw`) when it queued it.
    T::run(unsafe { Arc::from_raw(item) })
}

/// A type that a [`Worker`] runs.
pub trait WorkItem {
    /// Runs the work item, with the reference that queued it.
    fn run(this: Arc<Self>);
}

/// Declares that a type has a [`Work<T>`] field. Implement it with
/// [`impl_has_kthread_work!`].
///
/// # Safety
///
/// [`HasWork::OFFSET`] must be the offset of a field of type [`Work<T>`]
/// in `Self`, and the methods must behave as the definitions below do.
pub unsafe trait HasWork<T> {
    /// The offset of the [`Work<T>`] field.
    const OFFSET: usize;

    /// Returns a pointer to the [`Work<T>`] field.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `Self`.
    unsafe fn raw_get_work(ptr: *mut Self) -> *mut Work<T>;

    /// Returns a pointer to the struct containing the [`Work<T>`] field.
    ///
    /// # Safety
    ///
    /// `ptr` must point to the [`Work<T>`] field of a `Self`.
    unsafe fn work_container_of(ptr: *mut Work<T>) -> *mut Self
    where
        Self: Sized,
    {
        // SAFETY: The caller promises that `ptr` is the field at `OFFSET` in a `Self`.
        unsafe { ptr.cast::<u8>().sub(Self::OFFSET).cast::<Self>() }
    }
}

/// Implements [`HasWork<T>`] for a struct's [`Work<T>`] field, as
/// `impl_has_work!` does for workqueues.
#[macro_export]
macro_rules! impl_has_kthread_work {
    ($(impl$({$($generics:tt)*})?
       HasWork<$work_type:ty>
       for $self:ty
       { self.$field:ident }
    )*) => {$(
        // SAFETY: `raw_get_work` only compiles if the field has the right type, and `OFFSET`
        // is that field's offset.
        unsafe impl$(<$($generics)+>)? $crate::workqueue::kthread::HasWork<$work_type> for $self {
            const OFFSET: usize = ::core::mem::offset_of!(Self, $field) as usize;

            #[inline]
            unsafe fn raw_get_work(
                ptr: *mut Self,
            ) -> *mut $crate::workqueue::kthread::Work<$work_type> {
                // SAFETY: The caller promises that the pointer is not dangling.
                unsafe { ::core::ptr::addr_of_mut!((*ptr).$field) }
            }
        }
    )*};
}
pub use impl_has_kthread_work;
