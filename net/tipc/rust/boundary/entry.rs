// SPDX-License-Identifier: GPL-2.0

//! The functions C calls in the server, generated once in the crate root
//! by [`export_entry_points!`]: direct calls to monomorphic functions,
//! each checked against its declaration in `glue.h`.

use super::tipc::{fault_point, Point, ServiceRange, TipcNet};
use core::ffi::{c_int, c_void};
use kernel::{bindings, net::namespace::NetNs, prelude::*, sync::Arc, types::ForeignOwnable};

/// The servers of one network namespace, as `tipc.ko` reaches them.
pub(crate) trait PerNet: Send + Sync + Sized + 'static {
    /// Starts the servers of `net`, from its pernet `init`.
    fn start(net: TipcNet) -> Result<Arc<Self>>;

    /// Stops every server (pernet `exit`): none of them runs after this.
    fn stop(&self);

    /// The node got address `addr`: `true` if the servers took the
    /// node-state name `{0, addr}`, else the caller publishes it itself.
    fn publish_node_state(&self, addr: u32) -> bool;

    /// A subscription of group messaging for the own node's socket `port`:
    /// its id, for [`PerNet::kernel_unsubscribe`].
    fn kernel_subscribe(&self, port: u32, range: ServiceRange, filter: u32) -> Result<u32>;

    /// Ends a subscription made by [`PerNet::kernel_subscribe`].
    fn kernel_unsubscribe(&self, id: u32);

    /// Appends the text of `/proc/net/tipc_server`.
    fn write_stats(&self, buf: &mut KVec<u8>) -> core::fmt::Result;
}

/// Checks at compile time that an entry point has its C declaration's type.
macro_rules! same_type {
    ($ours:path, $c:path) => {
        const _: () = {
            let _ = if true { $ours } else { $c };
        };
    };
}
pub(crate) use same_type;

/// `tipc_rs_net_init()`.
///
/// # Safety
///
/// `net` must be a namespace in its pernet `init` for `tipc.ko`, and
/// `servers` a valid out-pointer whose value the pernet `exit` passes to
/// [`net_exit`].
pub(crate) unsafe fn net_init<P: PerNet>(
    net: *mut bindings::net,
    servers: *mut *const c_void,
) -> c_int {
    // SAFETY: Called from the pernet `init` of `net`; the servers are stopped and freed by
    // `net_exit` in the pernet `exit`, so they never outlive the namespace.
    let Some(net) = (unsafe { NetNs::from_raw(net) }) else {
        return EINVAL.to_errno();
    };
    // SAFETY: The servers, the only holders of the handle, are stopped by `net_exit` before
    // TIPC's state of `net` goes (`tipc_exit_net()` runs after the servers' pernet `exit`).
    match P::start(unsafe { TipcNet::new(net) }) {
        Ok(s) => {
            // SAFETY: `servers` is a valid out-pointer (the caller's contract).
            unsafe { *servers = s.into_foreign() };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `tipc_rs_net_exit()`: stops the servers.
///
/// # Safety
///
/// `servers` must be what [`net_init`] stored (or null), passed here once,
/// after `glue.c` made it unreachable under RTNL.
pub(crate) unsafe fn net_exit<P: PerNet>(servers: *const c_void) {
    // SAFETY: `servers` is null or from `into_foreign` in `net_init`, passed back once.
    if let Some(servers) = unsafe { Arc::<P>::try_from_foreign(servers) } {
        servers.stop();
    }
}

/// Runs `f` on the servers of `net`, if they are running.
///
/// # Safety
///
/// `net` must be live with TIPC's pernet state, and the caller must keep
/// the servers' exit away: hold a reference on the namespace (group
/// sockets), RTNL (under which the exit unlinks them), or be a reader of
/// the proc file (whose removal, first in the exit, waits for readers).
/// `P` must be the type [`net_init`] started, as it is for the entry points
/// [`export_entry_points!`] generates, all for one type.
pub(crate) unsafe fn with_servers<P: PerNet, R>(
    net: *mut bindings::net,
    f: impl FnOnce(&P) -> R,
) -> Option<R> {
    // SAFETY: `net` is live with TIPC's pernet state (the caller's contract).
    let p = unsafe { bindings::tipc_rs_net_servers(net) };
    if p.is_null() {
        return None;
    }
    // SAFETY: A non-null slot holds `net_init`'s `Arc<P>` reference, which the exit unlinks
    // before `net_exit` takes it back; the caller keeps the exit away meanwhile.
    let servers = unsafe { <Arc<P> as ForeignOwnable>::borrow(p) };
    Some(f(&servers))
}

/// `tipc_topsrv_publish_node_state()`.
///
/// # Safety
///
/// `net` must be live with TIPC's pernet state; the caller holds RTNL.
pub(crate) unsafe fn publish_node_state<P: PerNet>(net: *mut bindings::net, addr: u32) -> bool {
    // SAFETY: `net` is live for the call (the caller's contract); the handle does not outlive it.
    if let Some(ns) = unsafe { NetNs::from_raw(net) } {
        // SAFETY: The handle does not outlive the call, and `fault_point` reads only the
        // namespace (the servers' part of TIPC's state may be gone already: the exit race
        // this fault point is for).
        fault_point(unsafe { TipcNet::new(ns) }, Point::NodeState);
    }
    // SAFETY: The caller holds RTNL.
    unsafe { with_servers(net, |s: &P| s.publish_node_state(addr)) }.unwrap_or(false)
}

/// `tipc_topsrv_kern_subscr()`.
///
/// # Safety
///
/// `net` must be live with TIPC's pernet state (the caller, a group member
/// socket, holds a reference on it), and `conid` a valid out-pointer.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn kern_subscr<P: PerNet>(
    net: *mut bindings::net,
    port: u32,
    ty: u32,
    lower: u32,
    upper: u32,
    filter: u32,
    conid: *mut c_int,
) -> bool {
    let range = ServiceRange {
        type_: ty,
        lower,
        upper,
    };
    // SAFETY: The caller holds a reference on `net`.
    match unsafe { with_servers(net, |s: &P| s.kernel_subscribe(port, range, filter)) } {
        Some(Ok(id)) => {
            // SAFETY: The caller passes a valid out-pointer; ids fit an `int`.
            unsafe { *conid = id as c_int };
            true
        }
        _ => false,
    }
}

/// `tipc_topsrv_kern_unsubscr()`.
///
/// # Safety
///
/// As for [`kern_subscr`].
pub(crate) unsafe fn kern_unsubscr<P: PerNet>(net: *mut bindings::net, conid: c_int) {
    // SAFETY: As in `kern_subscr`.
    unsafe { with_servers(net, |s: &P| s.kernel_unsubscribe(conid as u32)) };
}

/// `tipc_rs_stats_show()`.
///
/// # Safety
///
/// `net` must be the live namespace of the proc file being read, and `seq`
/// its `seq_file`.
pub(crate) unsafe fn stats_show<P: PerNet>(net: *mut bindings::net, seq: *mut bindings::seq_file) {
    let show = |s: &P| {
        let mut buf = KVec::new();
        if s.write_stats(&mut buf).is_ok() {
            // SAFETY: `seq` is the seq_file being shown; `buf` is readable for its length.
            unsafe { bindings::seq_write(seq, buf.as_ptr().cast(), buf.len()) };
        }
    };
    // SAFETY: A reader of the proc file, which the exit removes (waiting for readers) first.
    unsafe { with_servers(net, show) };
}

/// Defines each `fn` as an `unsafe extern "C"` function calling the
/// expression after `=`, checked against its declaration in `glue.h`.
macro_rules! export {
    ($($(#[$m:meta])* fn $name:ident($($a:ident: $t:ty),*) $(-> $r:ty)? = $f:expr;)*) => {$(
        /// # Safety
        ///
        /// As for the function it calls (`boundary/entry.rs`).
        $(#[$m])*
        #[no_mangle]
        // The KUnit entries call safe functions: `unsafe` for the C type only.
        #[allow(unused_unsafe)]
        unsafe extern "C" fn $name($($a: $t),*) $(-> $r)? {
            // SAFETY: The caller's contract is the callee's.
            unsafe { $f($($a),*) }
        }
        $(#[$m])*
        $crate::boundary::entry::same_type!($name, kernel::bindings::$name);
    )*};
}
pub(crate) use export;

/// Generates every function C calls in the server, for the namespace's
/// servers `$servers` ([`PerNet`]), the name table watcher `$watcher`
/// ([`super::watch::Watcher`], implemented here) and, with
/// `CONFIG_TIPC_SERVER_RUST_KUNIT_TEST`, the KUnit case tables `$cases`
/// ([`super::kunit::Case`]).
macro_rules! export_entry_points {
    (servers: $servers:ty, watcher: $watcher:ty, kunit: $cases:expr $(,)?) => {
        #[allow(unsafe_code)]
        const _: () = {
            use core::ffi::{c_int, c_void};
            use kernel::bindings as c;
            use $crate::boundary::{
                entry as e,
                tipc::{HostSubscr, Report},
                watch,
            };
            #[cfg(tipc_server_kunit)]
            use {kernel::ffi::c_char, $crate::boundary::kunit};

            // SAFETY: `$watcher` is the one type whose callbacks are exported below.
            unsafe impl watch::Watcher for $watcher {
                fn report(&self, s: &HostSubscr, r: &Report) {
                    <$watcher>::report(self, s, r)
                }

                fn expire(&self, s: &HostSubscr) {
                    <$watcher>::expire(self, s)
                }
            }

            $crate::boundary::entry::export! {
                fn tipc_rs_net_init(net: *mut c::net, s: *mut *const c_void) -> c_int =
                    e::net_init::<$servers>;
                fn tipc_rs_net_exit(s: *const c_void) = e::net_exit::<$servers>;
                fn tipc_rs_stats_show(net: *mut c::net, seq: *mut c::seq_file) =
                    e::stats_show::<$servers>;
                fn tipc_topsrv_publish_node_state(net: *mut c::net, addr: u32) -> bool =
                    e::publish_node_state::<$servers>;
                fn tipc_topsrv_kern_subscr(
                    net: *mut c::net,
                    port: u32,
                    ty: u32,
                    lower: u32,
                    upper: u32,
                    filter: u32,
                    id: *mut c_int
                ) -> bool = e::kern_subscr::<$servers>;
                fn tipc_topsrv_kern_unsubscr(net: *mut c::net, id: c_int) =
                    e::kern_unsubscr::<$servers>;
                fn tipc_rs_sub_report(
                    owner: *const c_void,
                    s: *const c::tipc_subscr,
                    r: *const c::tipc_rs_report
                ) = watch::report::<$watcher>;
                fn tipc_rs_sub_expired(owner: *const c_void, s: *const c::tipc_subscr) =
                    watch::expire::<$watcher>;
                #[cfg(tipc_server_kunit)]
                fn tipc_rs_kunit_cases() -> u32 = || kunit::count($cases);
                #[cfg(tipc_server_kunit)]
                fn tipc_rs_kunit_name(i: u32) -> *const c_char = |i| kunit::name($cases, i);
                #[cfg(tipc_server_kunit)]
                fn tipc_rs_kunit_run(i: u32) -> c_int = |i| kunit::run($cases, i);
            }
        };
    };
}
pub(crate) use export_entry_points;
