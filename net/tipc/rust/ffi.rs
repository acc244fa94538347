// SPDX-License-Identifier: GPL-2.0

//! The FFI boundary between the Rust server and the rest of `tipc.ko`.
//!
//! Everything TIPC-internal the server needs is reached through `glue.c`
//! (those symbols are private to `tipc.ko`, so the kernel crate cannot wrap
//! them), and everything C calls in the server enters here. This is the
//! only module of the crate with `unsafe` code; what it exports is safe.

use crate::namespace::NetServers;
use crate::topology::{self, Subscription};
use core::ffi::{c_int, c_void};
use core::pin::Pin;
use core::ptr::NonNull;
use kernel::{
    bindings,
    error::to_result,
    net::{namespace::NetNs, socket::Socket},
    prelude::*,
    sync::Arc,
};

pub(crate) use kernel::net::tipc::{Scope, AF_TIPC};

/// `TIPC_CRITICAL_IMPORTANCE`, the importance of server sockets.
pub(crate) const TIPC_CRITICAL_IMPORTANCE: i32 = 3;

/// A service range `{type, lower, upper}` (`struct tipc_service_range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ServiceRange {
    pub(crate) ty: u32,
    pub(crate) lower: u32,
    pub(crate) upper: u32,
}

/// A name table change as [`Subscription::report`] gets it, host order.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Report {
    pub(crate) lower: u32,
    pub(crate) upper: u32,
    pub(crate) port: u32,
    pub(crate) node: u32,
    pub(crate) event: u32,
    pub(crate) scope: c_int,
    pub(crate) must: bool,
}

#[repr(C)]
struct SubOps {
    report: unsafe extern "C" fn(*const c_void, *const Report),
    timeout: unsafe extern "C" fn(*const c_void),
}

extern "C" {
    fn tipc_rs_sub_create(
        net: *mut c_void,
        ty: u32,
        lower: u32,
        upper: u32,
        filter: u32,
        timeout: u32,
        ops: *const SubOps,
        owner: *const c_void,
    ) -> *mut c_void;
    fn tipc_rs_sub_delete(sub: *mut c_void);
    fn tipc_rs_sock_publish(
        sock: *mut c_void,
        ty: u32,
        lower: u32,
        upper: u32,
        scope: c_int,
        importance: c_int,
    ) -> c_int;
    fn tipc_rs_kern_evt(net: *mut c_void, evt: *const u8);
    fn tipc_rs_net_servers(net: *mut c_void) -> *mut c_void;
    fn tipc_rs_set_net_servers(net: *mut c_void, servers: *mut c_void);
    fn tipc_rs_take_net_servers(net: *mut c_void) -> *mut c_void;
    fn tipc_rs_queue_limit() -> u32;
    fn tipc_rs_reply_queue_limit() -> u32;
    fn tipc_rs_sock_set_droppable(sock: *mut c_void) -> c_int;
    fn tipc_rs_own_addr(net: *mut c_void) -> u32;
    fn tipc_rs_remote_management(net: *mut c_void) -> u32;
    fn tipc_nl_compat_serve(net: *mut c_void, cmd: u16, req: *const u8, len: c_int) -> *mut c_void;
    fn tipc_rs_skb_data(skb: *mut c_void, len: *mut u32) -> *const u8;
    fn tipc_rs_skb_free(skb: *mut c_void);
    #[cfg(tipc_server_fault)]
    fn tipc_rs_fault_point(point: u32);
    fn seq_write(seq: *mut c_void, data: *const c_void, len: usize) -> c_int;
}

/// Publishes `range` for `sock` with `scope`, even for the reserved types
/// that `kernel_bind()` refuses, at `importance`.
pub(crate) fn publish(sock: &Socket, range: ServiceRange, scope: Scope, importance: i32) -> Result {
    // SAFETY: `sock` is a valid TIPC socket (the `Socket` invariant; servers only create
    // `AF_TIPC` ones).
    to_result(unsafe {
        tipc_rs_sock_publish(
            sock.as_ptr().cast(),
            range.ty,
            range.lower,
            range.upper,
            scope as c_int,
            importance,
        )
    })
}

/// Delivers a 48-byte topology event to a kernel subscriber (group messaging).
pub(crate) fn deliver_kernel_event(net: NetNs, evt: &[u8; 48]) {
    // SAFETY: `net` is live (`NetNs` invariant); `evt` is a readable `struct tipc_event`.
    unsafe { tipc_rs_kern_evt(net.as_ptr().cast(), evt.as_ptr()) }
}

/// The `event_queue_limit` module parameter.
pub(crate) fn queue_limit() -> u32 {
    // SAFETY: Reads a module parameter; no preconditions.
    unsafe { tipc_rs_queue_limit() }
}

/// The `reply_queue_limit` module parameter, in bytes.
pub(crate) fn reply_queue_limit() -> u32 {
    // SAFETY: Reads a module parameter; no preconditions.
    unsafe { tipc_rs_reply_queue_limit() }
}

/// Makes messages `sock` sends dropped, rather than returned to it, when
/// their destination is gone: a connectionless server must not receive its
/// own replies back as requests.
pub(crate) fn make_replies_droppable(sock: &Socket) -> Result {
    // SAFETY: `sock` is a valid TIPC socket (the `Socket` invariant).
    to_result(unsafe { tipc_rs_sock_set_droppable(sock.as_ptr().cast()) })
}

/// The node address of `net`, 0 until it has one.
pub(crate) fn own_addr(net: NetNs) -> u32 {
    // SAFETY: `net` is live (`NetNs` invariant) and TIPC's pernet state exists while a server
    // runs in it.
    unsafe { tipc_rs_own_addr(net.as_ptr().cast()) }
}

/// The `net.tipc.remote_management` sysctl of `net`.
pub(crate) fn remote_management(net: NetNs) -> u32 {
    // SAFETY: As in `own_addr`; the value lives in the servers' pernet state.
    unsafe { tipc_rs_remote_management(net.as_ptr().cast()) }
}

/// What a configuration command replied: TLVs in an `sk_buff`.
///
/// # Invariants
///
/// `skb` is a linear `sk_buff` owned by this value.
pub(crate) struct CommandReply {
    skb: NonNull<c_void>,
}

impl CommandReply {
    /// The reply's TLVs.
    pub(crate) fn bytes(&self) -> &[u8] {
        let mut len = 0u32;
        // SAFETY: `skb` is a live linear `sk_buff` (type invariant).
        let data = unsafe { tipc_rs_skb_data(self.skb.as_ptr(), &mut len) };
        // SAFETY: `data` points at the `len` bytes of the buffer, which lives as long as `self`.
        unsafe { core::slice::from_raw_parts(data, len as usize) }
    }
}

impl Drop for CommandReply {
    fn drop(&mut self) {
        // SAFETY: `skb` is owned by this value (type invariant) and used no more.
        unsafe { tipc_rs_skb_free(self.skb.as_ptr()) }
    }
}

/// Runs configuration command `cmd` of `net` with the request TLVs `body`
/// (checked by the caller) through the kernel's own TLV command code.
pub(crate) fn run_config_command(net: NetNs, cmd: u16, body: &[u8]) -> Result<CommandReply> {
    let len = c_int::try_from(body.len()).map_err(|_| EINVAL)?;
    // SAFETY: `net` is live; `body` is readable for `len` bytes and the command code only reads
    // it. The caller is the service's receive work: process context, no lock held (commands
    // sleep and take RTNL).
    let skb = unsafe { tipc_nl_compat_serve(net.as_ptr().cast(), cmd, body.as_ptr(), len) };
    // INVARIANT: The returned buffer is ours and linear (built by `tipc_tlv_alloc()`).
    NonNull::new(skb)
        .map(|skb| CommandReply { skb })
        .ok_or(ENOMEM)
}

/// Sleeps for `ms` milliseconds (KUnit cases that wait for the server).
#[cfg(tipc_server_kunit)]
pub(crate) fn sleep_ms(ms: u32) {
    // SAFETY: Called from a KUnit case, in process context.
    unsafe { bindings::msleep(ms) }
}

/// Sleeps at fault-injection point `point` if it is selected (`fault.c`).
#[cfg(tipc_server_fault)]
pub(crate) fn fault_point(point: u32) {
    // SAFETY: No preconditions; called in process context (`core::fault::point`).
    unsafe { tipc_rs_fault_point(point) }
}

/// A subscription registered with the name table.
///
/// Owns both the Rust [`Subscription`] and the C `struct tipc_subscription`
/// the name table links; dropping it withdraws the C object first, which
/// guarantees that no callback uses the Rust one any more, then frees it.
///
/// # Invariants
///
/// `csub` was returned by `tipc_rs_sub_create()` with `owner` as its owner
/// and has not been deleted; `owner` does not move until `drop` (it is
/// pinned in its box).
pub(crate) struct NameSubscription {
    csub: NonNull<c_void>,
    owner: Pin<KBox<Subscription>>,
}

// SAFETY: The C subscription may be withdrawn from any thread; `Subscription` is `Send`.
unsafe impl Send for NameSubscription {}
// SAFETY: Shared access only reads the `Subscription`, which is `Sync`.
unsafe impl Sync for NameSubscription {}

static SUB_OPS: SubOps = SubOps {
    report: report_callback,
    timeout: timeout_callback,
};

/// `glue.c` calls this for every name table change a subscription sees.
///
/// # Safety
///
/// `owner` must be the `Subscription` a live `NameSubscription` registered,
/// and `r` a valid report; `glue.c` passes exactly those.
unsafe extern "C" fn report_callback(owner: *const c_void, r: *const Report) {
    // SAFETY: `owner` is the `Subscription` registered in `NameSubscription::new`, alive until
    // the C subscription is deleted (type invariant); `r` is valid for the call.
    unsafe { (*owner.cast::<Subscription>()).report(&*r) }
}

/// `glue.c` calls this when a subscription's timer fires.
///
/// # Safety
///
/// As for [`report_callback`].
unsafe extern "C" fn timeout_callback(owner: *const c_void) {
    // SAFETY: As in `report_callback`.
    unsafe { (*owner.cast::<Subscription>()).expire() }
}

impl NameSubscription {
    /// Registers `owner` for changes in `range` of `net`'s name table. The
    /// bindings already there are reported to it before this returns.
    pub(crate) fn new(
        net: NetNs,
        range: ServiceRange,
        filter: u32,
        timeout: u32,
        owner: Pin<KBox<Subscription>>,
    ) -> Result<Self> {
        let owner_ptr: *const Subscription = &*owner;
        // SAFETY: `net` is live; `owner_ptr` stays valid until `drop` deletes the C object
        // (it is pinned and owned by the result, or freed only after the failure below).
        let csub = unsafe {
            tipc_rs_sub_create(
                net.as_ptr().cast(),
                range.ty,
                range.lower,
                range.upper,
                filter,
                timeout,
                &SUB_OPS,
                owner_ptr.cast(),
            )
        };
        // INVARIANT: A non-null result is a registered subscription owned by us.
        NonNull::new(csub)
            .map(|csub| Self { csub, owner })
            .ok_or(ENOMEM)
    }

    /// The Rust side of the subscription.
    pub(crate) fn subscription(&self) -> &Subscription {
        &self.owner
    }
}

impl Drop for NameSubscription {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `csub` is registered and not deleted; after this call
        // no callback runs on `owner`, which is freed when the fields drop.
        unsafe { tipc_rs_sub_delete(self.csub.as_ptr()) }
    }
}

/// Entry point of `tipc_topsrv_init_net()` (glue.c): starts the servers of `net`.
#[no_mangle]
pub(crate) extern "C" fn tipc_rs_net_init(net: *mut bindings::net) -> c_int {
    // SAFETY: Called from the pernet `init` of `net`; the servers it starts are stopped and
    // freed by `tipc_rs_net_exit` in the pernet `exit`, so they never outlive the namespace.
    let Some(net) = (unsafe { NetNs::from_raw(net) }) else {
        return EINVAL.to_errno();
    };
    match NetServers::start(net) {
        Ok(servers) => {
            // SAFETY: `net` is live; the pointer is taken back in `tipc_rs_net_exit`.
            unsafe {
                tipc_rs_set_net_servers(
                    net.as_ptr().cast(),
                    Arc::into_raw(servers).cast_mut().cast(),
                )
            };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// Entry point of `tipc_topsrv_exit_net()` (glue.c): stops the servers of `net`.
#[no_mangle]
pub(crate) extern "C" fn tipc_rs_net_exit(net: *mut bindings::net) {
    // SAFETY: `net` is live during its pernet `exit`. The slot is emptied under RTNL, which
    // `tipc_topsrv_publish_node_state` runs under, so no C path uses the servers after this.
    let p = unsafe { tipc_rs_take_net_servers(net.cast()) };
    if p.is_null() {
        return;
    }
    // SAFETY: `p` came from `Arc::into_raw` in `tipc_rs_net_init`, and the slot is empty now:
    // the reference is taken back exactly once.
    let servers = unsafe { Arc::<NetServers>::from_raw(p.cast()) };
    servers.stop();
}

/// Runs `f` on the servers of `net`, if they are running.
fn with_servers<R>(net: *mut bindings::net, f: impl FnOnce(&NetServers) -> R) -> Option<R> {
    // SAFETY: The callers are C paths that run while `net` is live and its TIPC pernet state
    // exists (between `tipc_rs_net_init` and `tipc_rs_net_exit`).
    let p = unsafe { tipc_rs_net_servers(net.cast()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` holds an `Arc<NetServers>` reference until `tipc_rs_net_exit` takes it,
    // which cannot run concurrently with the callers: they hold a reference on the namespace
    // (group sockets, the proc file) or RTNL (`tipc_topsrv_publish_node_state`), under which the
    // slot is emptied.
    Some(f(unsafe { &*p.cast::<NetServers>() }))
}

/// `tipc_topsrv_publish_node_state()` (topsrv.h), called by
/// `tipc_net_finalize()` under RTNL: the node got address `addr`; the
/// configuration service takes the node-state name if it can.
#[no_mangle]
pub(crate) extern "C" fn tipc_topsrv_publish_node_state(
    net: *mut bindings::net,
    addr: u32,
) -> bool {
    with_servers(net, |s| s.publish_node_state(addr)).unwrap_or(false)
}

/// `tipc_topsrv_kern_subscr()` (topsrv.h): a subscription of the kernel's
/// group messaging, whose events go to socket `port` of the own node.
#[no_mangle]
pub(crate) extern "C" fn tipc_topsrv_kern_subscr(
    net: *mut bindings::net,
    port: u32,
    ty: u32,
    lower: u32,
    upper: u32,
    filter: u32,
    conid: *mut c_int,
) -> bool {
    let r = with_servers(net, |s| {
        topology::kernel_subscribe(s, port, ServiceRange { ty, lower, upper }, filter)
    });
    match r {
        Some(Ok(id)) => {
            // SAFETY: The caller passes a valid out-pointer.
            unsafe { *conid = id as c_int };
            true
        }
        _ => false,
    }
}

/// `tipc_topsrv_kern_unsubscr()` (topsrv.h).
#[no_mangle]
pub(crate) extern "C" fn tipc_topsrv_kern_unsubscr(net: *mut bindings::net, conid: c_int) {
    with_servers(net, |s| topology::kernel_unsubscribe(s, conid as u32));
}

/// KUnit entry points (`kunit.c`), with `CONFIG_TIPC_SERVER_RUST_KUNIT_TEST`.
#[cfg(tipc_server_kunit)]
mod kunit_entry {
    use crate::tests;
    use core::ffi::c_int;

    macro_rules! entry {
        ($($c:ident => $f:path),* $(,)?) => {$(
            #[no_mangle]
            pub(crate) extern "C" fn $c() -> c_int {
                $f()
            }
        )*};
    }

    entry! {
        tipc_rs_kunit_wire_decode => tests::wire_decode,
        tipc_rs_kunit_wire_event_order => tests::wire_event_in_subscriber_order,
        tipc_rs_kunit_wire_cancel => tests::wire_cancel_matches_bytes,
        tipc_rs_kunit_wire_overlap => tests::wire_overlap,
        tipc_rs_kunit_wire_kernel_request => tests::wire_kernel_request_initialised,
        tipc_rs_kunit_outqueue_fifo => tests::outqueue_fifo_across_chunks,
        tipc_rs_kunit_outqueue_limit => tests::outqueue_limit,
        tipc_rs_kunit_cfg_header => tests::cfg_header,
        tipc_rs_kunit_cfg_tlv => tests::cfg_tlv,
        tipc_rs_kunit_cfg_args => tests::cfg_args,
        tipc_rs_kunit_cfg_hostile => tests::cfg_hostile,
        tipc_rs_kunit_cfg_policy => tests::cfg_policy,
        tipc_rs_kunit_cfg_replies => tests::cfg_replies,
        tipc_rs_kunit_lifecycle_echo => tests::lifecycle_echo_then_peer_close,
        tipc_rs_kunit_lifecycle_bad_request => tests::lifecycle_bad_request_closes,
        tipc_rs_kunit_lifecycle_stop => tests::lifecycle_stop_closes_everything,
    }
}

/// Writes the statistics of `net`'s servers to `/proc/net/tipc_server`.
#[no_mangle]
pub(crate) extern "C" fn tipc_rs_stats_show(net: *mut bindings::net, seq: *mut c_void) {
    with_servers(net, |s| {
        let mut buf = KVec::new();
        if s.format_stats(&mut buf).is_ok() {
            // SAFETY: `seq` is the seq_file being shown; `buf` is readable for its length.
            unsafe { seq_write(seq, buf.as_ptr().cast(), buf.len()) };
        }
    });
}
