// SPDX-License-Identifier: GPL-2.0

//! Subscriptions registered with the name table (`name_table.c`).

use super::tipc::{Report, ServiceRange, TipcNet};
use core::{ffi::c_void, marker::PhantomData, pin::Pin, ptr::NonNull};
use kernel::{bindings, prelude::*, types::ForeignOwnable};

/// What the name table tells a subscription. Neither call may sleep.
///
/// # Safety
///
/// Only the one type named to [`super::entry::export_entry_points!`]
/// may implement this trait: `glue.c` calls the callbacks exported there
/// for every [`NameWatch`], and they take the owner to be of that type.
pub(crate) unsafe trait Watcher: Send + Sync + 'static {
    /// A binding in the range changed (softirq or process context, name
    /// table locks held).
    fn report(&self, r: &Report);

    /// The subscription's timer fired (softirq).
    fn expire(&self);
}

/// A subscription registered with the name table, and the [`Watcher`] it
/// reports to, which it owns.
///
/// Dropping it withdraws the subscription and shuts its timer down
/// synchronously, so it must be dropped in process context, never from
/// the watcher's callbacks (softirq); the watcher is freed after that, when
/// no callback can run any more.
///
/// # Invariants
///
/// `csub` was returned by `tipc_rs_sub_create()` with `owner` as its owner
/// and has not been deleted; `owner` comes from `Pin<KBox<T>>::into_foreign`
/// and is taken back only in `drop`, after `csub` is deleted.
pub(crate) struct NameWatch<T: Watcher> {
    csub: NonNull<bindings::tipc_subscription>,
    owner: *const c_void,
    _owner: PhantomData<Pin<KBox<T>>>,
}

// SAFETY: The C subscription may be withdrawn from any thread; `T` is `Send`.
unsafe impl<T: Watcher> Send for NameWatch<T> {}
// SAFETY: Shared access only reads the watcher, which is `Sync`.
unsafe impl<T: Watcher> Sync for NameWatch<T> {}

impl<T: Watcher> NameWatch<T> {
    /// Registers `watcher` for changes in `range` of `net`'s name table.
    /// The bindings already there are reported to it before this returns.
    pub(crate) fn new(
        net: TipcNet,
        range: ServiceRange,
        filter: u32,
        timeout: u32,
        watcher: Pin<KBox<T>>,
    ) -> Result<Self> {
        let owner = watcher.into_foreign();
        // SAFETY: `net`'s TIPC state is live (`TipcNet` invariant); `owner` stays valid until
        // `drop` deletes the C object, or until the failure below takes it back.
        let csub = unsafe {
            bindings::tipc_rs_sub_create(
                net.ns().as_ptr(),
                range.type_,
                range.lower,
                range.upper,
                filter,
                timeout,
                owner,
            )
        };
        match NonNull::new(csub) {
            // INVARIANT: A non-null result is a registered subscription owned by us.
            Some(csub) => Ok(Self {
                csub,
                owner,
                _owner: PhantomData,
            }),
            None => {
                // SAFETY: `owner` came from `into_foreign` above; C kept no copy of it.
                drop(unsafe { Pin::<KBox<T>>::from_foreign(owner) });
                Err(ENOMEM)
            }
        }
    }

    /// The watcher this subscription reports to.
    pub(crate) fn watcher(&self) -> Pin<&T> {
        // SAFETY: `owner` is taken back only in `drop` (type invariant), so it outlives `&self`.
        unsafe { <Pin<KBox<T>> as ForeignOwnable>::borrow(self.owner) }
    }
}

impl<T: Watcher> Drop for NameWatch<T> {
    fn drop(&mut self) {
        // SAFETY: `csub` is registered and not deleted (type invariant); once this returns no
        // callback runs on `owner`.
        unsafe { bindings::tipc_rs_sub_delete(self.csub.as_ptr()) };
        // SAFETY: `owner` came from `into_foreign` and C uses it no more.
        drop(unsafe { Pin::<KBox<T>>::from_foreign(self.owner) });
    }
}

/// `tipc_rs_sub_report()` for watchers of type `T`.
///
/// # Safety
///
/// `owner` must be the owner of a live [`NameWatch<T>`] (its C
/// subscription not yet deleted) and `r` valid for the call.
pub(crate) unsafe fn report<T: Watcher>(owner: *const c_void, r: *const Report) {
    // SAFETY: The caller's contract: `owner` is borrowed while its `NameWatch` lives.
    let watcher = unsafe { <Pin<KBox<T>> as ForeignOwnable>::borrow(owner) };
    // SAFETY: `r` is valid for the call.
    watcher.report(unsafe { &*r });
}

/// `tipc_rs_sub_expired()` for watchers of type `T`.
///
/// # Safety
///
/// As for [`report`].
pub(crate) unsafe fn expire<T: Watcher>(owner: *const c_void) {
    // SAFETY: As in `report`.
    unsafe { <Pin<KBox<T>> as ForeignOwnable>::borrow(owner) }.expire();
}
