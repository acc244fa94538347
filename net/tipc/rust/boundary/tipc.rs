// SPDX-License-Identifier: GPL-2.0

//! Safe calls into `tipc.ko`'s internals, through `glue.c`.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use kernel::{
    bindings,
    error::{
        code::{EAGAIN, EINVAL},
        to_result,
    },
    net::{
        namespace::NetNs,
        socket::{SockType, Socket},
        tipc::{Scope, AF_TIPC},
    },
    prelude::*,
    uapi,
    workqueue::{kthread::Worker, Queue},
};

/// A name table change that passed a subscription's filter (`glue.h`).
pub(crate) use bindings::tipc_rs_report as Report;
/// A service range `{type, lower, upper}`, host order (uapi `tipc.h`).
pub(crate) use uapi::tipc_service_range as ServiceRange;
/// A subscription request (uapi `tipc.h`) as the name table holds it: every
/// word in host order, the handle as sent.
pub(crate) use uapi::tipc_subscr as HostSubscr;

/// Subscriptions per namespace (`TIPC_MAX_SUBSCR`, `net/tipc/subscr.h`).
pub(crate) const TIPC_MAX_SUBSCR: u32 = bindings::TIPC_RS_MAX_SUBSCR;
/// The largest text a command replies (`ULTRA_STRING_MAX_LEN`, `netlink_compat.c`).
pub(crate) const ULTRA_STRING_MAX_LEN: usize = bindings::TIPC_RS_ULTRA_STRING_MAX_LEN as usize;

/// A network namespace whose TIPC state lives as long as the handle.
///
/// # Invariants
///
/// TIPC's per-namespace state of the namespace (`struct tipc_net`, and the
/// servers' part of it) outlives this handle and every copy.
#[derive(Clone, Copy)]
pub(crate) struct TipcNet(NetNs);

impl TipcNet {
    /// # Safety
    ///
    /// TIPC's per-namespace state of `net` must outlive the handle and
    /// every copy of it.
    pub(super) unsafe fn new(net: NetNs) -> Self {
        // INVARIANT: The caller's contract.
        Self(net)
    }

    /// `init_net`, for KUnit cases (which run inside `tipc.ko`).
    #[cfg(tipc_server_kunit)]
    pub(crate) fn init_net() -> Self {
        // SAFETY: `tipc.ko`'s state of `init_net` lives until the module unloads, and the KUnit
        // cases run, and end, while it is loaded.
        unsafe { Self::new(NetNs::init_net()) }
    }

    /// The namespace.
    pub(crate) fn ns(self) -> NetNs {
        self.0
    }
}

/// The worker that runs the receive work of a namespace's servers: one of
/// the `SCHED_BATCH` kthread workers that `glue.c` shares between namespaces.
///
/// # Invariants
///
/// `0` is a kthread worker that stays valid until the pernet exit of the
/// namespace it was taken from has stopped its servers (`glue.c` lets it go
/// after that).
#[derive(Clone, Copy)]
pub(crate) struct RecvWorker(*mut bindings::kthread_worker);

// SAFETY: The C kthread worker API may be used from any thread.
unsafe impl Send for RecvWorker {}
// SAFETY: The C kthread worker API may be used from any thread concurrently.
unsafe impl Sync for RecvWorker {}

impl RecvWorker {
    /// The receive worker of `net`'s servers; `ENODEV` once the
    /// namespace's exit has begun.
    pub(crate) fn of(net: TipcNet) -> Result<Self> {
        // SAFETY: `net`'s TIPC state is live (`TipcNet` invariant).
        let worker = unsafe { bindings::tipc_rs_recv_worker(net.ns().as_ptr()) };
        if worker.is_null() {
            return Err(ENODEV);
        }
        // INVARIANT: Given to the namespace before its servers start, and kept by `glue.c`
        // until its exit stopped them.
        Ok(Self(worker))
    }

    pub(crate) fn get(&self) -> &Worker {
        // SAFETY: Valid while `self` is (type invariant).
        unsafe { Worker::from_raw(self.0) }
    }

    /// Whether a message reached `sock` within a short poll, which ends at
    /// once when the CPU has other work (`tipc_rs_sock_poll_rx()`).
    pub(crate) fn poll_rx(&self, sock: &Socket) -> bool {
        // SAFETY: `sock` is a valid socket (the `Socket` invariant) and the worker is valid
        // while `self` is (type invariant); C reads both only during the call.
        unsafe { bindings::tipc_rs_sock_poll_rx(sock.as_ptr(), self.0) }
    }
}

/// The per-CPU workqueue on which the topology servers of every namespace
/// send (`glue.c`).
///
/// # Invariants
///
/// `0` is a workqueue that stays valid until the pernet exit of the
/// namespace it was taken from has stopped its servers (`glue.c` lets it go
/// after that).
pub(crate) struct SendQueue(*mut bindings::workqueue_struct);

// SAFETY: The C workqueue API may be used from any thread.
unsafe impl Send for SendQueue {}
// SAFETY: The C workqueue API may be used from any thread concurrently.
unsafe impl Sync for SendQueue {}

impl SendQueue {
    /// The send queue of `net`'s connection-oriented servers; `ENODEV`
    /// once the namespace's exit has begun.
    pub(crate) fn of(net: TipcNet) -> Result<Self> {
        // SAFETY: `net`'s TIPC state is live (`TipcNet` invariant).
        let queue = unsafe { bindings::tipc_rs_send_queue(net.ns().as_ptr()) };
        if queue.is_null() {
            return Err(ENODEV);
        }
        // INVARIANT: Given to the namespace before its servers start, and kept by `glue.c`
        // until its exit stopped them.
        Ok(Self(queue))
    }

    pub(crate) fn get(&self) -> &Queue {
        // SAFETY: Valid while `self` is (type invariant).
        unsafe { Queue::from_raw(self.0) }
    }

    /// Waits until every work item queued before this call has finished,
    /// other namespaces' too. Process context, not from a work item of
    /// this queue.
    pub(crate) fn flush(&self) {
        // SAFETY: Valid while `self` is (type invariant).
        unsafe { bindings::__flush_workqueue(self.0) }
    }
}

/// A service range of one instance.
pub(crate) fn instance(ty: u32, instance: u32) -> ServiceRange {
    ServiceRange {
        type_: ty,
        lower: instance,
        upper: instance,
    }
}

/// Creates a socket for a server of `net`. It does not pin `tipc.ko` (the
/// servers stop in its pernet exit; pinned, it could never be unloaded).
pub(crate) fn server_socket(net: TipcNet, ty: SockType) -> Result<Socket> {
    let sock = Socket::new(net.ns(), AF_TIPC, ty, 0)?;
    // SAFETY: Server sockets are released by the server's stop, which runs in the pernet exit
    // of `tipc.ko` (`tipc_topsrv_exit_net`) at the latest; module unload runs every pernet exit
    // before `tipc.ko` goes, so the module outlives the socket.
    unsafe { sock.drop_module_refs() };
    Ok(sock)
}

/// Publishes `range` for `sock` with `scope`, at critical importance, even
/// for the reserved types that `kernel_bind()` refuses.
pub(crate) fn publish(sock: &Socket, range: ServiceRange, scope: Scope) -> Result {
    // SAFETY: `sock` is a valid TIPC socket (the `Socket` invariant; servers only create
    // `AF_TIPC` ones).
    to_result(unsafe {
        bindings::tipc_rs_sock_publish(
            sock.as_ptr(),
            range.type_,
            range.lower,
            range.upper,
            scope as i32,
            uapi::TIPC_CRITICAL_IMPORTANCE as i32,
        )
    })
}

/// Makes `sock`'s messages to a gone destination dropped, not returned: a
/// connectionless server must not get its replies back as requests.
pub(crate) fn make_replies_droppable(sock: &Socket) -> Result {
    // SAFETY: `sock` is a valid TIPC socket (the `Socket` invariant).
    to_result(unsafe { bindings::tipc_rs_sock_set_droppable(sock.as_ptr()) })
}

/// The most messages one [`send_batch`] call takes (at least one: the
/// server's send work relies on it).
pub(crate) const SEND_BATCH: usize = 64;
const _: () = assert!(SEND_BATCH > 0);

/// Sends up to [`SEND_BATCH`] of `msgs` in order, each its own message, on
/// the connected TIPC `SOCK_SEQPACKET` socket `sock`, under one socket lock
/// and without waiting (`tipc_sk_send_batch()`, `net/tipc/socket.c`): as
/// many as the send window and link congestion let through.
///
/// Returns how many were sent: `Ok(0)` if `msgs` is empty or the socket is
/// congested (its write-space event says when to retry). After a partial
/// send the next call sends the rest, or fails.
pub(crate) fn send_batch<'a>(
    sock: &Socket,
    msgs: impl IntoIterator<Item = &'a [u8]>,
) -> Result<usize> {
    // SAFETY: An array of `MaybeUninit` needs no initialisation.
    let mut iov: [MaybeUninit<bindings::kvec>; SEND_BATCH] =
        unsafe { MaybeUninit::uninit().assume_init() };
    let mut n: i32 = 0;
    for (v, m) in iov.iter_mut().zip(msgs) {
        // `tipc_sk_send_batch()` only reads through it (an `ITER_SOURCE` iterator).
        v.write(bindings::kvec {
            iov_base: m.as_ptr().cast_mut().cast(),
            iov_len: m.len(),
        });
        n += 1;
    }
    if n == 0 {
        return Ok(0);
    }
    // SAFETY: `sock` is a valid socket (the `Socket` invariant); the C side checks that it is a
    // TIPC `SOCK_SEQPACKET` one and fails otherwise. `iov[..n]` are initialised (above) and
    // describe `n` readable slices that the borrow of `msgs` keeps alive for the call, which only
    // reads them.
    let ret = unsafe { bindings::tipc_sk_send_batch(sock.as_ptr(), iov.as_ptr().cast(), n) };
    match ret {
        n if n >= 0 => Ok(n as usize),
        e if e == EAGAIN.to_errno() => Ok(0),
        e => Err(Error::from_errno(e)),
    }
}

/// The most messages one [`recv_batch`] call takes.
pub(crate) const RECV_BATCH: usize = 16;

/// Receives up to [`RECV_BATCH`] of the messages queued on the connected
/// TIPC `SOCK_SEQPACKET` socket `sock`, under one socket lock and without
/// waiting (`tipc_sk_recv_batch()`, `net/tipc/socket.c`): message `i` goes
/// to `buf` at `i * slot`, truncated to `slot` bytes, and its length to
/// `lens[i]`; a length of 0 is the peer's shutdown, and the last.
///
/// Returns how many were received: `Ok(0)` if none is queued. An error
/// stops a batch before the message that caused it, so the next call
/// returns it. `EINVAL` if `buf` has no room for a slot.
pub(crate) fn recv_batch(
    sock: &Socket,
    buf: &mut [u8],
    slot: usize,
    lens: &mut [u32; RECV_BATCH],
) -> Result<usize> {
    let cnt = buf.len().checked_div(slot).unwrap_or(0).min(RECV_BATCH);
    if cnt == 0 {
        return Err(EINVAL);
    }
    // SAFETY: `sock` is a valid socket (the `Socket` invariant); the C side checks that it is a
    // TIPC `SOCK_SEQPACKET` one and fails otherwise. It writes at most `cnt` slots of `slot`
    // bytes to `buf` and `cnt` entries to `lens`, for which both have room (`cnt` is at most
    // `buf.len() / slot` and `RECV_BATCH`), and keeps neither pointer after returning.
    let ret = unsafe {
        bindings::tipc_sk_recv_batch(
            sock.as_ptr(),
            buf.as_mut_ptr().cast(),
            slot,
            lens.as_mut_ptr(),
            cnt as i32,
        )
    };
    match ret {
        // C returns at most `cnt`.
        n if n >= 0 => Ok((n as usize).min(cnt)),
        e if e == EAGAIN.to_errno() => Ok(0),
        e => Err(Error::from_errno(e)),
    }
}

/// A socket this thread owns (`lock_sock()`) until the value drops: what
/// the peer sends meanwhile goes to the socket's backlog, and the drop
/// (`release_sock()`) processes it on this thread, running the socket's
/// callbacks (`data_ready`, `write_space`) here, and sending what TIPC
/// answers to a message (acknowledgements, rejections). Whatever else
/// takes the socket's lock waits: a send, a shutdown, a [`recv_batch`];
/// one of those on the same socket from the holding thread never returns,
/// and neither does any of them after a `mem::forget` of the value (a
/// hang, not memory unsafety).
///
/// # Invariants
///
/// `sock` is held, by the thread that made this value, which stays on it
/// (`PhantomData<*mut ()>`: not `Send`, as lockdep ties the hold to it).
pub(crate) struct HeldSocket<'a> {
    sock: &'a Socket,
    _thread: PhantomData<*mut ()>,
}

impl<'a> HeldSocket<'a> {
    /// Holds `sock`; sleeps while another thread holds it.
    #[must_use = "the socket is let go at once"]
    pub(crate) fn hold(sock: &'a Socket) -> Self {
        // SAFETY: `sock` is a valid socket (the `Socket` invariant).
        unsafe { bindings::tipc_rs_sock_lock(sock.as_ptr()) };
        // INVARIANT: Held just above, by this thread.
        Self {
            sock,
            _thread: PhantomData,
        }
    }
}

impl Drop for HeldSocket<'_> {
    fn drop(&mut self) {
        // SAFETY: This thread holds `sock` (type invariant), which is valid for the borrow.
        unsafe { bindings::tipc_rs_sock_unlock(self.sock.as_ptr()) };
    }
}

/// Bytes of a `struct tipc_event`.
pub(crate) const EVENT_LEN: usize = core::mem::size_of::<uapi::tipc_event>();

/// A `struct tipc_event` as the 32-bit words it is made of, each as it
/// goes on the wire: formatting one is a few word stores.
pub(crate) type EventWords = [u32; EVENT_LEN / 4];
const _: () = assert!(EVENT_LEN % 4 == 0);

/// The bytes of event `e`.
pub(crate) fn event_bytes(e: &EventWords) -> &[u8; EVENT_LEN] {
    // SAFETY: Same size; `[u32; N]` has no padding, any bytes are valid `u8`s and `u8` needs
    // no alignment; the borrow of `e` bounds the result's.
    unsafe { &*core::ptr::from_ref(e).cast::<[u8; EVENT_LEN]>() }
}

/// Delivers topology event `evt` to a kernel subscriber (group messaging);
/// `false` if no message could be allocated for it.
pub(crate) fn deliver_kernel_event(net: TipcNet, evt: &EventWords) -> bool {
    // SAFETY: `net`'s TIPC state is live (`TipcNet` invariant); `evt` is readable for the size
    // of a `struct tipc_event` and 4-byte aligned as one, and `glue.c` only reads it.
    unsafe { bindings::tipc_rs_kern_evt(net.ns().as_ptr(), evt.as_ptr().cast()) }
}

/// The `event_queue_limit` module parameter.
pub(crate) fn queue_limit() -> usize {
    // SAFETY: Reads a module parameter; no preconditions.
    unsafe { bindings::tipc_rs_queue_limit() as usize }
}

/// The `reply_queue_limit` module parameter, in bytes.
pub(crate) fn reply_queue_limit() -> usize {
    // SAFETY: Reads a module parameter; no preconditions.
    unsafe { bindings::tipc_rs_reply_queue_limit() as usize }
}

/// The node address of `net`, 0 until it has one.
pub(crate) fn own_addr(net: TipcNet) -> u32 {
    // SAFETY: `net`'s TIPC state is live (`TipcNet` invariant).
    unsafe { bindings::tipc_rs_own_addr(net.ns().as_ptr()) }
}

/// The `net.tipc.remote_management` sysctl of `net`.
pub(crate) fn remote_management(net: TipcNet) -> u32 {
    // SAFETY: As in `own_addr`; the value lives in the servers' pernet state.
    unsafe { bindings::tipc_rs_remote_management(net.ns().as_ptr()) }
}

/// Where the server can be held by fault injection (`enum tipc_rs_fault`).
#[derive(Clone, Copy)]
#[repr(u32)]
pub(crate) enum Point {
    /// A connection is in the table, its socket callbacks not yet set.
    AcceptBeforeStart = bindings::tipc_rs_fault_TIPC_RS_FAULT_ACCEPT_BEFORE_START,
    /// A request (a connection: a batch of them) has been read and is not
    /// yet handled, nor the connection's socket held for it.
    ReceiveBeforeHandle = bindings::tipc_rs_fault_TIPC_RS_FAULT_RECEIVE_BEFORE_HANDLE,
    /// A server stop (namespace exit) has begun, nothing is drained yet.
    StopBeforeDrain = bindings::tipc_rs_fault_TIPC_RS_FAULT_STOP_BEFORE_DRAIN,
    /// Messages are about to be sent: a batch on a socket, one to a kernel
    /// subscriber.
    SendBeforeSend = bindings::tipc_rs_fault_TIPC_RS_FAULT_SEND_BEFORE_SEND,
    /// A send work has used its budget and is about to queue itself again.
    SendBeforeRequeue = bindings::tipc_rs_fault_TIPC_RS_FAULT_SEND_BEFORE_REQUEUE,
    /// `tipc_net_finalize()` is about to ask for the node-state name.
    NodeState = bindings::tipc_rs_fault_TIPC_RS_FAULT_NODE_STATE,
    /// A send work item starts to run.
    SendWorkStart = bindings::tipc_rs_fault_TIPC_RS_FAULT_SEND_WORK_START,
    /// A receive run holds its socket for a batch it is about to handle.
    ReceiveHeld = bindings::tipc_rs_fault_TIPC_RS_FAULT_RECEIVE_HELD,
}

/// Stops at `p` in `net` if the reliability tests selected it (`fault.c`,
/// with `CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION`). Process context; reads
/// only the namespace.
#[inline]
pub(crate) fn fault_point(net: TipcNet, p: Point) {
    // SAFETY: `net` is live (`TipcNet` invariant); the callers run in process context.
    #[cfg(tipc_server_fault)]
    unsafe {
        bindings::tipc_rs_fault_point(net.ns().as_ptr(), p as u32)
    };
    #[cfg(not(tipc_server_fault))]
    let _ = (net, p);
}

/// Sleeps for `ms` milliseconds (KUnit cases that wait for the server).
#[cfg(tipc_server_kunit)]
pub(crate) fn sleep_ms(ms: u32) {
    // SAFETY: Called from a KUnit case, in process context.
    unsafe { bindings::msleep(ms) }
}
