// SPDX-License-Identifier: GPL-2.0

//! Kernel sockets.
//!
//! A [`Socket`] owns a `struct socket` created in the kernel with
//! `sock_create_kern()`. Its calls never sleep waiting for the peer: sends and
//! receives are non-blocking and report [`Sent::WouldBlock`] /
//! [`Received::WouldBlock`] instead, so a server drives them from work items
//! and resumes when the socket's events (see [`SocketEvents`]) say so.
//!
//! C headers: [`include/linux/net.h`](srctree/include/linux/net.h),
//! [`include/net/sock.h`](srctree/include/net/sock.h)

use super::namespace::NetNs;
use crate::{
    bindings,
    error::{code::*, to_result, Error, Result},
    sync::{Arc, ArcBorrow},
    types::ForeignOwnable,
};
use core::{
    any::TypeId,
    cell::UnsafeCell,
    ffi::{c_int, c_void},
    mem::{size_of, MaybeUninit},
    ptr::{self, addr_of_mut, NonNull},
    sync::atomic::{AtomicBool, Ordering},
};

/// A socket address of some family, as the C socket calls take it.
///
/// # Safety
///
/// Implementors are `#[repr(C)]` structures that begin like
/// `struct sockaddr` (with `sa_family_t` first, holding [`Self::FAMILY`]),
/// and every bit pattern of them is a valid value (plain integer fields), so
/// the kernel may write any address of that family into one.
pub unsafe trait SockAddr: Copy {
    /// The address family, `AF_*`.
    const FAMILY: u16;
}

/// Socket types, `SOCK_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum SockType {
    /// `SOCK_STREAM`.
    Stream = bindings::sock_type_SOCK_STREAM as i32,
    /// `SOCK_DGRAM`.
    Dgram = bindings::sock_type_SOCK_DGRAM as i32,
    /// `SOCK_RDM`.
    Rdm = bindings::sock_type_SOCK_RDM as i32,
    /// `SOCK_SEQPACKET`.
    SeqPacket = bindings::sock_type_SOCK_SEQPACKET as i32,
}

/// What a non-blocking receive gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// A message of this many bytes (at most the buffer's size) was read.
    Data(usize),
    /// Nothing is queued now; the socket's `data_ready` event says when.
    WouldBlock,
    /// The peer closed the connection (a zero-length read on a connected socket).
    Closed,
}

/// What a non-blocking send gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// The whole message was queued.
    Done,
    /// Nothing was sent: the socket is congested; its `write_space` event says when to retry.
    WouldBlock,
}

/// Receivers of a socket's events, attached with [`Socket::attach_events`].
///
/// The callbacks run with `sk_callback_lock` read-held in every context the
/// socket layer calls `sk_data_ready` / `sk_write_space` from: softirq, the
/// process context of a local sender that holds the receiving socket's
/// locks, and the `release_sock()` backlog, which may be inside this
/// owner's own [`Socket::recv`]. So they must not sleep, must not take a lock
/// that is held across socket calls, and cannot drop the owner (they only
/// borrow it): the expected body queues work and returns.
pub trait SocketEvents: Send + Sync + 'static {
    /// Data (or a connection request, or the peer's close) arrived.
    fn data_ready(this: ArcBorrow<'_, Self>);

    /// Send buffer space became available again.
    fn write_space(this: ArcBorrow<'_, Self>);
}

/// An attached owner: its type, and the socket's callbacks it replaced.
#[derive(Clone, Copy)]
struct Attached {
    owner: TypeId,
    data_ready: Option<unsafe extern "C" fn(*mut bindings::sock)>,
    write_space: Option<unsafe extern "C" fn(*mut bindings::sock)>,
}

/// An owned kernel socket.
///
/// # Examples
///
/// A UDP socket in the initial namespace: nothing has arrived, and a
/// receive says so instead of waiting.
///
/// ```
/// use kernel::bindings::AF_INET;
/// use kernel::net::{
///     namespace::NetNs,
///     socket::{Received, SockType, Socket},
/// };
///
/// let sock = Socket::new(NetNs::init_net(), AF_INET as u16, SockType::Dgram, 0)?;
/// let mut buf = [0u8; 16];
/// assert_eq!(sock.recv(&mut buf)?, Received::WouldBlock);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// - `sock` is a valid `struct socket` with a valid `sk`, owned by this
///   object and released only in `drop`.
/// - `events` is only accessed with `sk_callback_lock` write-held. It is
///   `Some` with `owner == TypeId::of::<T>()` exactly when `sk_user_data`
///   holds a pointer from `Arc::<T>::into_foreign` (one reference owned by the
///   socket) and `sk_data_ready`/`sk_write_space` are this module's
///   callbacks for `T`; it then holds the callbacks they replaced.
/// - `owner_type` is only accessed with `sk_callback_lock` write-held; once
///   set it never changes, and `T` is always that type.
pub struct Socket {
    sock: NonNull<bindings::socket>,
    events: UnsafeCell<Option<Attached>>,
    /// The one owner type ever attached: a callback that loaded the
    /// socket's `sk_data_ready` before a detach may still run after it, and
    /// must then find an owner of its own type, or none.
    owner_type: UnsafeCell<Option<TypeId>>,
    module_refs_dropped: AtomicBool,
}

// SAFETY: Socket calls may be made from any thread; `events` is protected by `sk_callback_lock`.
unsafe impl Send for Socket {}
// SAFETY: Socket calls may be made concurrently (the socket layer locks); `events` is protected
// by `sk_callback_lock`.
unsafe impl Sync for Socket {}

/// `addr` as the C calls take it. The pointer is only ever read through.
fn raw_addr<A: SockAddr>(addr: &A) -> (*mut bindings::sockaddr, c_int) {
    (
        (addr as *const A).cast_mut().cast(),
        size_of::<A>() as c_int,
    )
}

fn kvec(ptr: *mut c_void, len: usize) -> bindings::kvec {
    bindings::kvec {
        iov_base: ptr,
        iov_len: len,
    }
}

impl Socket {
    /// # Safety
    ///
    /// `sock` must be a valid socket with a valid `sk` whose ownership is transferred.
    unsafe fn from_raw(sock: *mut bindings::socket) -> Result<Self> {
        let sock = NonNull::new(sock).ok_or(EINVAL)?;
        // INVARIANT: The caller transfers a valid socket; nothing is attached yet.
        Ok(Self {
            sock,
            events: UnsafeCell::new(None),
            owner_type: UnsafeCell::new(None),
            module_refs_dropped: AtomicBool::new(false),
        })
    }

    /// Creates a kernel socket in `net`.
    ///
    /// Like every kernel socket, it holds no reference on `net`.
    pub fn new(net: NetNs, family: u16, ty: SockType, protocol: i32) -> Result<Self> {
        let mut sock = ptr::null_mut();
        // SAFETY: `net` is a live namespace (type invariant of `NetNs`); `sock` is a valid
        // out-pointer.
        to_result(unsafe {
            bindings::sock_create_kern(
                net.as_ptr(),
                family.into(),
                ty as c_int,
                protocol,
                &mut sock,
            )
        })?;
        // SAFETY: `sock_create_kern` succeeded, so `sock` is a new socket we own.
        unsafe { Self::from_raw(sock) }
    }

    fn sk(&self) -> *mut bindings::sock {
        // SAFETY: By the type invariant `sock` is valid; `sk` is set at creation and stays.
        unsafe { (*self.sock.as_ptr()).sk }
    }

    /// The raw `struct socket`, for protocol-specific calls.
    pub fn as_ptr(&self) -> *mut bindings::socket {
        self.sock.as_ptr()
    }

    /// Binds to `addr`.
    pub fn bind<A: SockAddr>(&self, addr: &A) -> Result {
        let (sa, len) = raw_addr(addr);
        // SAFETY: The socket is valid; `sa` is a readable address of `len` bytes that starts like
        // `struct sockaddr` (`SockAddr` contract); the kernel only reads it.
        to_result(unsafe { bindings::kernel_bind(self.as_ptr(), sa, len) })
    }

    /// Starts listening, with a queue of at most `backlog` pending connections.
    pub fn listen(&self, backlog: i32) -> Result {
        // SAFETY: The socket is valid.
        to_result(unsafe { bindings::kernel_listen(self.as_ptr(), backlog) })
    }

    /// Accepts a pending connection without waiting: `Ok(None)` if there is none.
    pub fn accept(&self) -> Result<Option<Socket>> {
        let mut new = ptr::null_mut();
        // SAFETY: The socket is valid; `new` is a valid out-pointer.
        let ret = unsafe {
            bindings::kernel_accept(self.as_ptr(), &mut new, bindings::O_NONBLOCK as c_int)
        };
        match ret {
            0 => {
                // SAFETY: `kernel_accept` succeeded: `new` is a connected socket we now own.
                unsafe { Self::from_raw(new) }.map(Some)
            }
            e if e == EAGAIN.to_errno() => Ok(None),
            e => Err(Error::from_errno(e)),
        }
    }

    /// Starts connecting to `addr` without waiting for the handshake:
    /// `Ok(true)` if connected already, `Ok(false)` if in progress.
    pub fn connect_nonblocking<A: SockAddr>(&self, addr: &A) -> Result<bool> {
        let (sa, len) = raw_addr(addr);
        // SAFETY: As in `bind`.
        let ret = unsafe {
            bindings::kernel_connect(self.as_ptr(), sa, len, bindings::O_NONBLOCK as c_int)
        };
        match ret {
            0 => Ok(true),
            e if e == EINPROGRESS.to_errno() => Ok(false),
            e => Err(Error::from_errno(e)),
        }
    }

    fn sendmsg(&self, buf: &[u8], name: *mut c_void, namelen: usize) -> Result<Sent> {
        let mut iov = kvec(buf.as_ptr().cast_mut().cast(), buf.len());
        // SAFETY: All-zero is a valid `msghdr` (no name, no control data).
        let mut msg: bindings::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
        msg.msg_name = name;
        msg.msg_namelen = namelen as c_int;
        msg.msg_flags = bindings::MSG_DONTWAIT | bindings::MSG_NOSIGNAL;
        // SAFETY: The socket is valid; `iov` describes `buf`, which the kernel only reads (the
        // cast to a mutable pointer is what `kvec` requires); `name` is null or a valid address
        // of `namelen` bytes.
        let ret =
            unsafe { bindings::kernel_sendmsg(self.as_ptr(), &mut msg, &mut iov, 1, buf.len()) };
        match ret {
            n if n >= 0 && n as usize == buf.len() => Ok(Sent::Done),
            // A message socket sends all or nothing; a stream would stop here.
            n if n >= 0 => Err(EMSGSIZE),
            e if e == EAGAIN.to_errno() => Ok(Sent::WouldBlock),
            e => Err(Error::from_errno(e)),
        }
    }

    /// Sends `buf` as one message on a connected socket, without waiting.
    pub fn send(&self, buf: &[u8]) -> Result<Sent> {
        self.sendmsg(buf, ptr::null_mut(), 0)
    }

    /// Sends `buf` as one message to `addr`, without waiting.
    pub fn send_to<A: SockAddr>(&self, buf: &[u8], addr: &A) -> Result<Sent> {
        let (sa, len) = raw_addr(addr);
        self.sendmsg(buf, sa.cast(), len as usize)
    }

    /// Receives one message into `buf`; with the length of the sender's
    /// address the protocol wrote into `name`, if one was asked for.
    fn recvmsg(
        &self,
        buf: &mut [u8],
        name: *mut c_void,
        namelen: usize,
    ) -> Result<Option<(usize, usize)>> {
        let mut iov = kvec(buf.as_mut_ptr().cast(), buf.len());
        // SAFETY: All-zero is a valid `msghdr`.
        let mut msg: bindings::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
        msg.msg_name = name;
        msg.msg_namelen = namelen as c_int;
        // SAFETY: The socket is valid; `iov` describes `buf`, writable for its length; `name` is
        // null or writable for `namelen` bytes.
        let ret = unsafe {
            bindings::kernel_recvmsg(
                self.as_ptr(),
                &mut msg,
                &mut iov,
                1,
                buf.len(),
                bindings::MSG_DONTWAIT as c_int,
            )
        };
        match ret {
            n if n >= 0 => Ok(Some((n as usize, msg.msg_namelen.max(0) as usize))),
            e if e == EAGAIN.to_errno() => Ok(None),
            e => Err(Error::from_errno(e)),
        }
    }

    /// Receives one message on a connected socket, without waiting. A longer
    /// message is truncated to `buf`'s size.
    pub fn recv(&self, buf: &mut [u8]) -> Result<Received> {
        Ok(match self.recvmsg(buf, ptr::null_mut(), 0)? {
            None => Received::WouldBlock,
            Some((0, _)) => Received::Closed,
            Some((n, _)) => Received::Data(n),
        })
    }

    /// Receives one message and its sender's address, without waiting:
    /// `Ok(None)` if nothing is queued. A zero-length message is data here.
    ///
    /// A sender address that is not an `A` (another family, or shorter)
    /// fails with `EINVAL`; the message is consumed.
    pub fn recv_from<A: SockAddr>(&self, buf: &mut [u8]) -> Result<Option<(usize, A)>> {
        // Protocols write their whole address whatever `msg_namelen` says (TIPC a 32-byte
        // `sockaddr_pair` for group messages), so the kernel writes into storage of the largest
        // size any family uses, and only then is the address checked and copied out.
        let mut storage = MaybeUninit::<bindings::__kernel_sockaddr_storage>::zeroed();
        let size = size_of::<bindings::__kernel_sockaddr_storage>();
        let Some((n, namelen)) = self.recvmsg(buf, storage.as_mut_ptr().cast(), size)? else {
            return Ok(None);
        };
        if namelen < size_of::<A>() || namelen > size {
            return Err(EINVAL);
        }
        let p = storage.as_ptr().cast::<u8>();
        // SAFETY: `storage` is zeroed, so all of it is initialised; it is larger than any
        // `SockAddr` (checked against `namelen` above, itself at most `size`), and the
        // `SockAddr` contract puts the `u16` family first. Unaligned reads: only bytes are
        // assumed of the storage's layout.
        let (family, addr) = unsafe {
            (
                ptr::read_unaligned(p.cast::<u16>()),
                ptr::read_unaligned(p.cast::<A>()),
            )
        };
        if family != A::FAMILY {
            return Err(EINVAL);
        }
        Ok(Some((n, addr)))
    }

    /// Shuts down both directions: the peer sees the end of the stream.
    pub fn shutdown(&self) -> Result {
        // SAFETY: The socket is valid.
        to_result(unsafe {
            bindings::kernel_sock_shutdown(self.as_ptr(), bindings::sock_shutdown_cmd_SHUT_RDWR)
        })
    }

    /// Stops this socket from holding references on the modules that
    /// implement it, as long as it lives.
    ///
    /// Every socket pins its protocol module. A socket that the protocol
    /// module itself creates and keeps until its namespace exits (a
    /// server's listener) would pin it forever and make `rmmod` impossible;
    /// such a socket calls this once. The references are taken back just
    /// before the socket is released.
    ///
    /// # Safety
    ///
    /// The caller must guarantee that this socket is released (dropped)
    /// before the modules that implement it finish unloading: nothing else
    /// keeps them loaded while it lives. A socket created and released by
    /// the protocol module's own pernet `init` and `exit` satisfies this.
    pub unsafe fn drop_module_refs(&self) {
        if self.module_refs_dropped.swap(true, Ordering::Relaxed) {
            return;
        }
        // SAFETY: The socket is valid; `ops` and `sk_prot_creator` are set at creation and each
        // holds one reference on its owner module, taken by the socket layer. The caller keeps
        // the modules loaded until the socket is released.
        unsafe {
            bindings::module_put((*(*self.as_ptr()).ops).owner);
            bindings::module_put((*(*self.sk()).sk_prot_creator).owner);
        }
    }

    /// Attaches `owner` to receive this socket's events.
    ///
    /// The socket's own `sk_data_ready`/`sk_write_space` (which wake tasks
    /// blocked in socket calls) are replaced until [`Socket::detach_events`]
    /// puts them back, so only the non-blocking calls of this type are meant
    /// to be used meanwhile. Fails with `EBUSY` if an owner is attached
    /// already, and with `EINVAL` for an owner of another type than one
    /// attached before.
    pub fn attach_events<T: SocketEvents>(&self, owner: Arc<T>) -> Result {
        let sk = self.sk();
        // SAFETY: `sk` is valid; `sk_callback_lock` is initialised with the socket.
        unsafe { bindings::write_lock_bh(addr_of_mut!((*sk).sk_callback_lock)) };
        // SAFETY: `events` is only accessed with `sk_callback_lock` write-held, as now.
        let events = unsafe { &mut *self.events.get() };
        // SAFETY: `owner_type` is only accessed with `sk_callback_lock` write-held, as now.
        let owner_type = unsafe { &mut *self.owner_type.get() };
        let ret = if events.is_some() {
            Err(EBUSY)
        } else if owner_type.is_some_and(|t| t != TypeId::of::<T>()) {
            Err(EINVAL)
        } else {
            *owner_type = Some(TypeId::of::<T>());
            // INVARIANT: `sk_user_data` takes the reference, the callbacks are those of `T`.
            // SAFETY: `sk` is valid and its callback fields are protected by the lock we hold.
            *events = Some(unsafe {
                Attached {
                    owner: TypeId::of::<T>(),
                    data_ready: (*sk).sk_data_ready,
                    write_space: (*sk).sk_write_space,
                }
            });
            // SAFETY: As above.
            unsafe {
                (*sk).sk_user_data = owner.into_foreign().cast_mut();
                (*sk).sk_data_ready = Some(data_ready_callback::<T>);
                (*sk).sk_write_space = Some(write_space_callback::<T>);
            }
            Ok(())
        };
        // SAFETY: Taken above.
        unsafe { bindings::write_unlock_bh(addr_of_mut!((*sk).sk_callback_lock)) };
        ret
    }

    /// Detaches the owner attached as a `T` and gives its reference back.
    ///
    /// Once this returns, no event callback is running on the owner or will
    /// run on it: callbacks run with `sk_callback_lock` read-held, and this
    /// clears `sk_user_data` with it write-held. Later events find nothing
    /// attached and do nothing. `None` if no `T` is attached.
    pub fn detach_events<T: SocketEvents>(&self) -> Option<Arc<T>> {
        let sk = self.sk();
        // SAFETY: As in `attach_events`.
        unsafe { bindings::write_lock_bh(addr_of_mut!((*sk).sk_callback_lock)) };
        // SAFETY: `events` is only accessed with `sk_callback_lock` write-held, as now.
        let events = unsafe { &mut *self.events.get() };
        let owner = match *events {
            Some(a) if a.owner == TypeId::of::<T>() => {
                *events = None;
                // SAFETY: By the type invariant `sk_user_data` holds an `Arc<T>` reference; it
                // is cleared under the lock, so the reference moves to us exactly once. The
                // socket's own callbacks go back in the same critical section.
                Some(unsafe {
                    let p = (*sk).sk_user_data;
                    (*sk).sk_user_data = ptr::null_mut();
                    (*sk).sk_data_ready = a.data_ready;
                    (*sk).sk_write_space = a.write_space;
                    Arc::<T>::from_foreign(p)
                })
            }
            _ => None,
        };
        // SAFETY: Taken above.
        unsafe { bindings::write_unlock_bh(addr_of_mut!((*sk).sk_callback_lock)) };
        owner
    }
}

/// Runs `f` on the `T` attached to `sk`, if any, with `sk_callback_lock` read-held.
///
/// # Safety
///
/// `sk` must be a valid socket whose callbacks were installed by
/// [`Socket::attach_events::<T>`].
unsafe fn with_owner<T: SocketEvents>(sk: *mut bindings::sock, f: fn(ArcBorrow<'_, T>)) {
    // SAFETY: `sk` is valid (the socket layer calls us with it).
    unsafe { bindings::read_lock_bh(addr_of_mut!((*sk).sk_callback_lock)) };
    // SAFETY: `sk_user_data` is read under the lock that `attach`/`detach` write it under.
    let p = unsafe { (*sk).sk_user_data };
    if !p.is_null() {
        // SAFETY: Non-null `sk_user_data` is an `Arc<T>` owned by the socket: the callbacks are
        // `T`'s, and a socket's owners are all of one type (`owner_type`), so even a callback
        // that runs after a detach and a new attach finds a `T`. The read lock keeps it from
        // being taken away during this call.
        f(unsafe { Arc::<T>::borrow(p) });
    }
    // SAFETY: Taken above.
    unsafe { bindings::read_unlock_bh(addr_of_mut!((*sk).sk_callback_lock)) };
}

/// `sk_data_ready` of a socket with a `T` attached.
///
/// # Safety
///
/// `sk` must be a valid socket whose callbacks were installed by
/// [`Socket::attach_events::<T>`]; the socket layer guarantees both.
unsafe extern "C" fn data_ready_callback<T: SocketEvents>(sk: *mut bindings::sock) {
    // SAFETY: Installed only by `attach_events::<T>`; the socket layer passes a valid `sk`.
    unsafe { with_owner::<T>(sk, T::data_ready) }
}

/// `sk_write_space` of a socket with a `T` attached.
///
/// # Safety
///
/// As for [`data_ready_callback`].
unsafe extern "C" fn write_space_callback<T: SocketEvents>(sk: *mut bindings::sock) {
    // SAFETY: As in `data_ready_callback`.
    unsafe { with_owner::<T>(sk, T::write_space) }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let sk = self.sk();
        // SAFETY: `sk_callback_lock` is write-held around the access, as the invariant requires.
        let attached = unsafe {
            bindings::write_lock_bh(addr_of_mut!((*sk).sk_callback_lock));
            let a = (*self.events.get()).is_some();
            bindings::write_unlock_bh(addr_of_mut!((*sk).sk_callback_lock));
            a
        };
        // Owners normally detach first: an attached owner is usually what owns the socket.
        if attached {
            crate::pr_warn!("kernel socket released with events attached; owner leaked\n");
        }
        if self.module_refs_dropped.load(Ordering::Relaxed) {
            // SAFETY: Give back the references `drop_module_refs` put, before release drops them.
            unsafe {
                bindings::__module_get((*(*self.as_ptr()).ops).owner);
                bindings::__module_get((*(*sk).sk_prot_creator).owner);
            }
        }
        // SAFETY: By the type invariant we own the socket; it is not used after this.
        unsafe { bindings::sock_release(self.as_ptr()) };
    }
}
