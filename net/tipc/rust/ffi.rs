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
    net::{
        namespace::NetNs,
        socket::{SockType, Socket},
    },
    prelude::*,
    sync::Arc,
    types::ForeignOwnable,
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
    /// The publication's key: with the socket, it names one binding.
    pub(crate) key: u32,
    pub(crate) event: u32,
    pub(crate) scope: c_int,
    pub(crate) must: bool,
}

extern "C" {
    fn tipc_rs_sub_create(
        net: *mut c_void,
        ty: u32,
        lower: u32,
        upper: u32,
        filter: u32,
        timeout: u32,
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
    fn tipc_rs_kern_evt(net: *mut c_void, evt: *const u8) -> bool;
    fn tipc_rs_net_servers(net: *mut c_void) -> *mut c_void;
    fn tipc_rs_set_net_servers(net: *mut c_void, servers: *mut c_void);
    fn tipc_rs_queue_limit() -> u32;
    fn tipc_rs_reply_queue_limit() -> u32;
    fn tipc_rs_sock_set_droppable(sock: *mut c_void) -> c_int;
    fn tipc_rs_own_addr(net: *mut c_void) -> u32;
    fn tipc_rs_remote_management(net: *mut c_void) -> u32;
    fn tipc_nl_compat_serve(
        net: *mut c_void,
        cmd: u16,
        req: *const u8,
        len: c_int,
        rep: *mut *mut c_void,
    ) -> c_int;
    fn tipc_rs_skb_data(skb: *mut c_void, len: *mut u32) -> *const u8;
    fn tipc_rs_skb_free(skb: *mut c_void);
    #[cfg(tipc_server_fault)]
    fn tipc_rs_fault_point(net: *mut c_void, point: u32);
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

/// Creates a socket for a server of `net` that does not keep `tipc.ko`
/// loaded: the servers live as long as TIPC in their namespace, and every
/// socket would otherwise pin the module (no `rmmod` ever).
pub(crate) fn server_socket(net: NetNs, ty: SockType) -> Result<Socket> {
    let sock = Socket::new(net, AF_TIPC, ty, 0)?;
    // SAFETY: Server sockets are released by the server's stop, which runs in the pernet exit
    // of `tipc.ko` (`tipc_topsrv_exit_net`) at the latest; module unload runs every pernet exit
    // before `tipc.ko` goes, so the module outlives the socket.
    unsafe { sock.drop_module_refs() };
    Ok(sock)
}

/// Delivers a 48-byte topology event to a kernel subscriber (group
/// messaging); `false` if no message could be allocated for it.
pub(crate) fn deliver_kernel_event(net: NetNs, evt: &[u8; 48]) -> bool {
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

/// Why a configuration command failed: its error code, and the reply the
/// kernel's command code made for it, if it made one.
pub(crate) struct CommandError {
    pub(crate) errno: Error,
    pub(crate) reply: Option<CommandReply>,
}

/// Runs configuration command `cmd` of `net` with the request TLVs `body`
/// (checked by the caller) through the kernel's own TLV command code.
pub(crate) fn run_config_command(
    net: NetNs,
    cmd: u16,
    body: &[u8],
) -> core::result::Result<CommandReply, CommandError> {
    let len = c_int::try_from(body.len()).map_err(|_| CommandError {
        errno: EINVAL,
        reply: None,
    })?;
    let mut skb = core::ptr::null_mut();
    // SAFETY: `net` is live; `body` is readable for `len` bytes and the command code only reads
    // it; `skb` is a valid out-pointer. The caller is the service's receive work: process
    // context, no lock held (commands sleep and take RTNL).
    let rc =
        unsafe { tipc_nl_compat_serve(net.as_ptr().cast(), cmd, body.as_ptr(), len, &mut skb) };
    // INVARIANT: A returned buffer is ours and linear (built by `tipc_tlv_alloc()`).
    let reply = NonNull::new(skb).map(|skb| CommandReply { skb });
    match (rc, reply) {
        (0, Some(reply)) => Ok(reply),
        (0, None) => Err(CommandError {
            errno: ENOMEM,
            reply: None,
        }),
        (rc, reply) => Err(CommandError {
            errno: Error::from_errno(rc),
            reply,
        }),
    }
}

/// Sleeps for `ms` milliseconds (KUnit cases that wait for the server).
#[cfg(tipc_server_kunit)]
pub(crate) fn sleep_ms(ms: u32) {
    // SAFETY: Called from a KUnit case, in process context.
    unsafe { bindings::msleep(ms) }
}

/// Stops at fault-injection point `point` of `net` if it is selected (`fault.c`).
#[cfg(tipc_server_fault)]
pub(crate) fn fault_point(net: NetNs, point: u32) {
    // SAFETY: `net` is live; called in process context (`core::fault::point`).
    unsafe { tipc_rs_fault_point(net.as_ptr().cast(), point) }
}

/// A subscription registered with the name table.
///
/// Dropping it withdraws the subscription and shuts its timer down
/// synchronously, so it must be dropped in process context, never from the
/// report or timer callbacks (softirq).
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

/// `glue.c` calls this for every name table change a subscription sees
/// (softirq or process context, name table locks held).
///
/// # Safety
///
/// `owner` must be the `Subscription` of a live `NameSubscription` (its C
/// subscription not yet deleted), and `r` valid for the call.
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_rs_sub_report(owner: *const c_void, r: *const Report) {
    // SAFETY: `owner` is the `Subscription` registered in `NameSubscription::new`, alive until
    // the C subscription is deleted (type invariant); `r` is valid for the call.
    unsafe { (*owner.cast::<Subscription>()).report(&*r) }
}

/// `glue.c` calls this when a subscription's timer fires (softirq).
///
/// # Safety
///
/// As for [`tipc_rs_sub_report`].
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_rs_sub_expired(owner: *const c_void) {
    // SAFETY: As in `tipc_rs_sub_report`.
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
///
/// # Safety
///
/// `net` must be a namespace in its pernet `init` for `tipc.ko`, whose
/// `exit` calls [`tipc_rs_net_exit`] with the pointer this stores.
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_rs_net_init(net: *mut bindings::net) -> c_int {
    // SAFETY: Called from the pernet `init` of `net`; the servers it starts are stopped and
    // freed by `tipc_rs_net_exit` in the pernet `exit`, so they never outlive the namespace.
    let Some(net) = (unsafe { NetNs::from_raw(net) }) else {
        return EINVAL.to_errno();
    };
    match NetServers::start(net) {
        Ok(servers) => {
            // SAFETY: `net` is live; the reference is taken back in `tipc_rs_net_exit`.
            unsafe {
                tipc_rs_set_net_servers(net.as_ptr().cast(), servers.into_foreign().cast_mut())
            };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// Entry point of `tipc_topsrv_exit_net()` (glue.c): stops `servers`,
/// which no C path can reach any more.
///
/// # Safety
///
/// `servers` must be what [`tipc_rs_net_init`] stored (or null), passed
/// here once, after `glue.c` made it unreachable under RTNL.
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_rs_net_exit(servers: *mut c_void) {
    // SAFETY: `servers` is null or came from `into_foreign` in `tipc_rs_net_init`, and is passed
    // back once (the caller's contract): the reference is taken back exactly once.
    if let Some(servers) = unsafe { Arc::<NetServers>::try_from_foreign(servers) } {
        servers.stop();
    }
}

/// Runs `f` on the servers of `net`, if they are running.
fn with_servers<R>(net: *mut bindings::net, f: impl FnOnce(&NetServers) -> R) -> Option<R> {
    // SAFETY: The callers are C paths that run while `net` is live and its TIPC pernet state
    // exists (until `tipc_exit_net`, after the servers' exit).
    let p = unsafe { tipc_rs_net_servers(net.cast()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: A non-null slot holds `tipc_rs_net_init`'s `Arc<NetServers>` reference; the exit
    // empties it (under RTNL) before `tipc_rs_net_exit` takes it back. Callers hold a reference on
    // the namespace (group sockets, the proc file), which keeps the exit away, or hold RTNL
    // (`tipc_topsrv_publish_node_state`).
    let servers = unsafe { <Arc<NetServers> as ForeignOwnable>::borrow(p) };
    Some(f(&servers))
}

/// `tipc_topsrv_publish_node_state()` (topsrv.h), called by
/// `tipc_net_finalize()` under RTNL: the node got address `addr`; the
/// configuration service takes the node-state name if it can.
///
/// # Safety
///
/// `net` must be a live namespace with TIPC's pernet state, and the caller
/// must hold RTNL.
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_topsrv_publish_node_state(
    net: *mut bindings::net,
    addr: u32,
) -> bool {
    // SAFETY: `net` is live (the caller's contract).
    if let Some(ns) = unsafe { NetNs::from_raw(net) } {
        crate::core::fault::point(ns, crate::core::fault::Point::NodeState);
    }
    with_servers(net, |s| s.publish_node_state(addr)).unwrap_or(false)
}

/// `tipc_topsrv_kern_subscr()` (topsrv.h): a subscription of the kernel's
/// group messaging, whose events go to socket `port` of the own node.
///
/// # Safety
///
/// `net` must be a live namespace with TIPC's pernet state (the caller, a
/// group member socket, holds a reference on it), and `conid` a valid
/// out-pointer.
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_topsrv_kern_subscr(
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
///
/// # Safety
///
/// As for [`tipc_topsrv_kern_subscr`].
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_topsrv_kern_unsubscr(net: *mut bindings::net, conid: c_int) {
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
        tipc_rs_kunit_replyqueue_reuse => tests::replyqueue_reuses_slots,
        tipc_rs_kunit_replyqueue_congested => tests::replyqueue_congested_node_waits_alone,
        tipc_rs_kunit_replyqueue_reserve => tests::replyqueue_room_reserved_first,
        tipc_rs_kunit_replyqueue_share => tests::replyqueue_node_share,
        tipc_rs_kunit_feed_order => tests::feed_tells_changes_in_order,
        tipc_rs_kunit_feed_known => tests::feed_tells_what_group_may_know,
        tipc_rs_kunit_feed_bounded => tests::feed_bounded_under_churn,
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
///
/// # Safety
///
/// `net` must be the live namespace of the proc file being read, and `seq`
/// its `seq_file`.
#[no_mangle]
pub(crate) unsafe extern "C" fn tipc_rs_stats_show(net: *mut bindings::net, seq: *mut c_void) {
    with_servers(net, |s| {
        let mut buf = KVec::new();
        if s.format_stats(&mut buf).is_ok() {
            // SAFETY: `seq` is the seq_file being shown; `buf` is readable for its length.
            unsafe { seq_write(seq, buf.as_ptr().cast(), buf.len()) };
        }
    });
}
