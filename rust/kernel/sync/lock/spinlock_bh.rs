// SPDX-License-Identifier: GPL-2.0

//! A spinlock that also disables bottom halves.
//!
//! This module allows Rust code to use the kernel's `spinlock_t` through
//! `spin_lock_bh()`/`spin_unlock_bh()`: data shared between process context
//! and softirq context (socket callbacks, timers) needs it, because a
//! softirq interrupting a process-context holder on the same CPU would
//! otherwise spin forever.

/// Creates a [`SpinLockBh`] initialiser with the given name and a newly-created lock class.
///
/// It uses the name if one is given, otherwise it generates one based on the file name and line
/// number.
#[macro_export]
macro_rules! new_spinlock_bh {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::sync::SpinLockBh::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_spinlock_bh;

/// A spinlock taken with bottom halves disabled.
///
/// Exposes the kernel's [`spinlock_t`] through `spin_lock_bh()`. Holding the
/// guard disables softirqs on the local CPU, so the same lock may also be
/// taken from softirq context (where `spin_lock_bh()` is allowed too) without
/// deadlocking against a holder it interrupted. The guard must not be held
/// across anything that sleeps.
///
/// # Examples
///
/// ```
/// use kernel::sync::{new_spinlock_bh, SpinLockBh};
///
/// #[pin_data]
/// struct Counter {
///     #[pin]
///     events: SpinLockBh<u64>,
/// }
///
/// let c = KBox::pin_init(pin_init!(Counter { events <- new_spinlock_bh!(0) }), GFP_KERNEL)?;
/// *c.events.lock() += 1;
/// assert_eq!(*c.events.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
///
/// [`spinlock_t`]: srctree/include/linux/spinlock.h
pub type SpinLockBh<T> = super::Lock<T, SpinLockBhBackend>;

/// A kernel `spinlock_t` lock backend that disables bottom halves while held.
pub struct SpinLockBhBackend;

// SAFETY: The underlying kernel `spinlock_t` object ensures mutual exclusion. `relock` uses the
// default implementation that always calls the same locking method.
unsafe impl super::Backend for SpinLockBhBackend {
    type State = bindings::spinlock_t;
    type GuardState = ();

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: The safety requirements ensure that `ptr` is valid for writes, and `name` and
        // `key` are valid for read indefinitely.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The safety requirements of this function ensure that `ptr` points to valid
        // memory, and that it has been initialised before.
        unsafe { bindings::spin_lock_bh(ptr) }
    }

    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The safety requirements of this function ensure that `ptr` is valid and that the
        // caller is the owner of the spinlock, taken with `spin_lock_bh()`.
        unsafe { bindings::spin_unlock_bh(ptr) }
    }
}
