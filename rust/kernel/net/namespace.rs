// SPDX-License-Identifier: GPL-2.0

//! Network namespaces.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use crate::bindings;
use core::ptr::{addr_of_mut, NonNull};

/// A network namespace, named without holding a reference on it.
///
/// Kernel sockets hold no reference on their namespace, and per-namespace
/// state created in a `pernet_operations::init` callback must not hold one
/// either (the namespace could then never exit). This handle is for such
/// state: it is valid from `init` until `exit` of the pernet operations that
/// created it.
///
/// # Invariants
///
/// `ptr` points to a `struct net` that stays alive for as long as this
/// handle or any copy of it exists.
///
/// # Examples
///
/// ```
/// use kernel::net::namespace::NetNs;
///
/// let net = NetNs::init_net();
/// assert!(net == NetNs::init_net());
/// assert!(core::ptr::eq(net.as_ptr(), core::ptr::addr_of_mut!(kernel::bindings::init_net)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NetNs {
    ptr: NonNull<bindings::net>,
}

// SAFETY: A `struct net` may be used from any thread; the handle is only a pointer.
unsafe impl Send for NetNs {}
// SAFETY: A `struct net` may be used from any thread concurrently.
unsafe impl Sync for NetNs {}

impl NetNs {
    /// The initial network namespace, which lives forever.
    pub fn init_net() -> Self {
        // Taking the address of the static does not access it.
        let ptr = addr_of_mut!(bindings::init_net);
        // SAFETY: The address of a static is never null.
        let ptr = unsafe { NonNull::new_unchecked(ptr) };
        // INVARIANT: `init_net` is never freed.
        Self { ptr }
    }

    /// Names the namespace at `ptr` without taking a reference.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a live `struct net` that outlives the returned
    /// handle and every copy of it: for example, handles stored in state
    /// that the namespace's own `pernet_operations::exit` tears down.
    pub unsafe fn from_raw(ptr: *mut bindings::net) -> Option<Self> {
        // INVARIANT: The caller guarantees the lifetime; null is rejected.
        NonNull::new(ptr).map(|ptr| Self { ptr })
    }

    /// The raw `struct net` pointer, for C APIs.
    pub fn as_ptr(&self) -> *mut bindings::net {
        self.ptr.as_ptr()
    }
}
