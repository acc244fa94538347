// SPDX-License-Identifier: GPL-2.0

//! Subscriptions registered with the name table (`name_table.c`).
//!
//! One allocation per subscription: `glue.c` allocates the C subscription
//! with room after it for the Rust [`Node`], so neither side knows the
//! other's layout. The request stays in the C part, where the name table
//! reads it: the callbacks hand it to the watcher, and [`Watched`] gives it
//! to a search that asks.

use super::tipc::{HostSubscr, Report, TipcNet};
use core::{
    ffi::c_void,
    marker::PhantomData,
    mem::{align_of, size_of},
    ptr::{addr_of, addr_of_mut, NonNull},
};
use kernel::{bindings, prelude::*};

/// What the name table tells a subscription. Neither call may sleep.
///
/// # Safety
///
/// Only the one type named to [`super::entry::export_entry_points!`]
/// may implement this trait: `glue.c` calls the callbacks exported there
/// for every [`NameWatch`], and they take the owner to be of that type.
pub(crate) unsafe trait Watcher: Send + Sync + 'static {
    /// A binding in the range of request `s` changed (softirq or process
    /// context, name table locks held).
    fn report(&self, s: &HostSubscr, r: &Report);

    /// The timer of the subscription to request `s` fired (softirq).
    fn expire(&self, s: &HostSubscr);
}

/// The Rust part of a subscription's allocation (`glue.c`'s owner). The
/// links of its [`WatchList`] are only touched through `&mut WatchList`;
/// the callbacks only read `watcher`.
struct Node<T> {
    prev: Option<NonNull<Node<T>>>,
    next: Option<NonNull<Node<T>>>,
    watcher: T,
}

/// A subscription registered with the name table, owning the [`Watcher`]
/// it reports to.
///
/// Dropping it withdraws the subscription and waits for its timer, so it is
/// dropped in process context, never from the callbacks; then the watcher
/// goes, and the allocation.
///
/// # Invariants
///
/// `node` was returned by `tipc_rs_sub_alloc()` for a `Node<T>`, holds an
/// initialised `Node<T>`, and its subscription is registered and not yet
/// withdrawn. While the `NameWatch` is not in a [`WatchList`], its links
/// are `None`.
pub(crate) struct NameWatch<T: Watcher> {
    node: NonNull<Node<T>>,
    _owner: PhantomData<T>,
}

// SAFETY: The C subscription may be withdrawn from any thread; `T` is `Send`.
unsafe impl<T: Watcher> Send for NameWatch<T> {}
// SAFETY: Shared access only reads the watcher, which is `Sync`.
unsafe impl<T: Watcher> Sync for NameWatch<T> {}

impl<T: Watcher> NameWatch<T> {
    // `glue.c` aligns the owner's area to 8 bytes, and gives it at most
    // `TIPC_RS_SUB_OWNER_MAX` bytes (one `kmalloc-128` object in all without lockdep).
    const FITS: () = assert!(
        align_of::<Node<T>>() <= 8
            && size_of::<Node<T>>() <= bindings::TIPC_RS_SUB_OWNER_MAX as usize
    );

    /// Registers `watcher` for changes in the range of request `s`, valid
    /// and in host order, of `net`'s name table. The bindings already there
    /// are reported to it before this returns.
    pub(crate) fn new(net: TipcNet, s: &HostSubscr, watcher: T) -> Result<Self> {
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS;
        // SAFETY: No precondition.
        let owner = unsafe { bindings::tipc_rs_sub_alloc(size_of::<Node<T>>()) };
        let Some(node) = NonNull::new(owner.cast::<Node<T>>()) else {
            return Err(ENOMEM);
        };
        // SAFETY: `node` points to `size_of::<Node<T>>()` bytes, aligned for it (`FITS`), that
        // nothing else uses yet.
        unsafe {
            node.as_ptr().write(Node {
                prev: None,
                next: None,
                watcher,
            })
        };
        // SAFETY: `net`'s TIPC state is live (`TipcNet` invariant); `owner` holds an initialised
        // `Node<T>`, valid until it is withdrawn (in `drop`) or freed below; `s` is a valid
        // `struct tipc_subscr` (the uapi type), which `glue.c` copies.
        let registered = unsafe {
            bindings::tipc_rs_sub_register(owner, net.ns().as_ptr(), core::ptr::from_ref(s).cast())
        };
        if !registered {
            // SAFETY: Not registered, so no callback uses the node: it is dropped, then freed.
            unsafe {
                node.as_ptr().drop_in_place();
                bindings::tipc_rs_sub_free(owner);
            }
            return Err(ENOMEM);
        }
        // INVARIANT: Registered, initialised, unlinked.
        Ok(Self {
            node,
            _owner: PhantomData,
        })
    }

    /// The watcher this subscription reports to.
    pub(crate) fn watcher(&self) -> &T {
        // SAFETY: The node is initialised and lives until `drop` (type invariant).
        unsafe { &*addr_of!((*self.node.as_ptr()).watcher) }
    }
}

impl<T: Watcher> Drop for NameWatch<T> {
    fn drop(&mut self) {
        let owner = self.node.as_ptr().cast::<c_void>();
        // SAFETY: Registered and not withdrawn (type invariant); once this returns no callback
        // runs on `owner`, so the watcher can go, and then the allocation.
        unsafe {
            bindings::tipc_rs_sub_withdraw(owner);
            self.node.as_ptr().drop_in_place();
            bindings::tipc_rs_sub_free(owner);
        }
    }
}

/// A watch that [`WatchList::remove_where`] shows its test.
///
/// # Invariants
///
/// `node` is an initialised node, registered, of a [`WatchList`] borrowed
/// for `'a`.
pub(crate) struct Watched<'a, T> {
    node: NonNull<Node<T>>,
    _list: PhantomData<&'a Node<T>>,
}

impl<T> Watched<'_, T> {
    pub(crate) fn watcher(&self) -> &T {
        // SAFETY: Initialised, and the list is borrowed (type invariant); the watcher is only
        // read.
        unsafe { &*addr_of!((*self.node.as_ptr()).watcher) }
    }

    /// The subscription's request, in host order: a call into `glue.c`,
    /// made only for a test that needs it.
    pub(crate) fn request(&self) -> &HostSubscr {
        // SAFETY: Registered (type invariant): `glue.c` gives its request, which does not
        // change while registered, as a `struct tipc_subscr` in the same allocation.
        unsafe { &*bindings::tipc_rs_sub_request(self.node.as_ptr().cast()).cast::<HostSubscr>() }
    }
}

/// Where [`WatchList::remove_where`] starts its search.
pub(crate) enum End {
    Oldest,
    Newest,
}

/// [`NameWatch`]es in the order they were pushed, linked through their own
/// allocations: O(1) push and unlink with no allocation; finding walks.
///
/// # Invariants
///
/// `first`..`last`, following `next` (and back by `prev`), are the nodes of
/// the [`NameWatch`]es this list owns (their `NameWatch` forgotten).
pub(crate) struct WatchList<T: Watcher> {
    first: Option<NonNull<Node<T>>>,
    last: Option<NonNull<Node<T>>>,
    _owns: PhantomData<NameWatch<T>>,
}

// SAFETY: As for `NameWatch`: the list owns them.
unsafe impl<T: Watcher> Send for WatchList<T> {}
// SAFETY: Shared access only reads the watchers, which are `Sync`.
unsafe impl<T: Watcher> Sync for WatchList<T> {}

impl<T: Watcher> Default for WatchList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Watcher> WatchList<T> {
    pub(crate) const fn new() -> Self {
        Self {
            first: None,
            last: None,
            _owns: PhantomData,
        }
    }

    /// Appends `w` after the newest.
    pub(crate) fn push_back(&mut self, w: NameWatch<T>) {
        let node = w.node;
        core::mem::forget(w);
        // SAFETY: `node` is unlinked (`NameWatch` invariant) and now ours; `last` is a node of
        // this list. Only the links are written, never the watcher the callbacks read.
        unsafe {
            addr_of_mut!((*node.as_ptr()).prev).write(self.last);
            match self.last {
                Some(last) => addr_of_mut!((*last.as_ptr()).next).write(Some(node)),
                None => self.first = Some(node),
            }
        }
        self.last = Some(node);
    }

    /// Unlinks `node`, a node of this list, and gives its `NameWatch` back.
    ///
    /// # Safety
    ///
    /// `node` must be a node of this list.
    unsafe fn unlink(&mut self, node: NonNull<Node<T>>) -> NameWatch<T> {
        // SAFETY: `node` and its neighbours are nodes of this list (the caller's contract and
        // the type invariant); only their links are accessed.
        unsafe {
            let prev = addr_of!((*node.as_ptr()).prev).read();
            let next = addr_of!((*node.as_ptr()).next).read();
            match prev {
                Some(p) => addr_of_mut!((*p.as_ptr()).next).write(next),
                None => self.first = next,
            }
            match next {
                Some(n) => addr_of_mut!((*n.as_ptr()).prev).write(prev),
                None => self.last = prev,
            }
            addr_of_mut!((*node.as_ptr()).prev).write(None);
            addr_of_mut!((*node.as_ptr()).next).write(None);
        }
        // INVARIANT: Registered, initialised, and unlinked now.
        NameWatch {
            node,
            _owner: PhantomData,
        }
    }

    /// Unlinks the first watch, searched from end `from`, that `f` picks.
    pub(crate) fn remove_where(
        &mut self,
        from: End,
        mut f: impl FnMut(&Watched<'_, T>) -> bool,
    ) -> Option<NameWatch<T>> {
        let mut at = match from {
            End::Oldest => self.first,
            End::Newest => self.last,
        };
        while let Some(node) = at {
            // SAFETY: `node` is a node of this list (type invariant): only its links are read.
            let (prev, next) = unsafe {
                let p = node.as_ptr();
                (addr_of!((*p).prev).read(), addr_of!((*p).next).read())
            };
            // INVARIANT: A node of this list, which is borrowed while `f` runs.
            let watched = Watched {
                node,
                _list: PhantomData,
            };
            if f(&watched) {
                // SAFETY: `node` is a node of this list.
                return Some(unsafe { self.unlink(node) });
            }
            at = match from {
                End::Oldest => next,
                End::Newest => prev,
            };
        }
        None
    }

    /// Unlinks the oldest watch.
    pub(crate) fn pop_front(&mut self) -> Option<NameWatch<T>> {
        // SAFETY: `first` is a node of this list.
        self.first.map(|node| unsafe { self.unlink(node) })
    }
}

impl<T: Watcher> Drop for WatchList<T> {
    fn drop(&mut self) {
        // Each is withdrawn in turn, oldest first.
        while self.pop_front().is_some() {}
    }
}

/// `tipc_rs_sub_report()` for watchers of type `T`.
///
/// # Safety
///
/// `owner` must be the owner area of an initialised `Node<T>` whose C
/// subscription is registered (or being registered) and not yet withdrawn,
/// `s` its request (a `struct tipc_subscr`) and `r` valid for the call.
pub(crate) unsafe fn report<T: Watcher>(
    owner: *const c_void,
    s: *const bindings::tipc_subscr,
    r: *const Report,
) {
    let node = owner.cast::<Node<T>>();
    // SAFETY: The caller's contract: the node is initialised while its `NameWatch` lives, and
    // its watcher is only read; `s` (the uapi type) and `r` are valid for the call.
    unsafe { (*addr_of!((*node).watcher)).report(&*s.cast::<HostSubscr>(), &*r) };
}

/// `tipc_rs_sub_expired()` for watchers of type `T`.
///
/// # Safety
///
/// As for [`report`].
pub(crate) unsafe fn expire<T: Watcher>(owner: *const c_void, s: *const bindings::tipc_subscr) {
    let node = owner.cast::<Node<T>>();
    // SAFETY: As in `report`.
    unsafe { (*addr_of!((*node).watcher)).expire(&*s.cast::<HostSubscr>()) };
}
