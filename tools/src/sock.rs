// SPDX-License-Identifier: GPL-2.0
//! A minimal AF_TIPC socket for clients and tests.

use std::io::{Error, Result};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

const TIPC_SERVICE_RANGE: u8 = 1;
const TIPC_SERVICE_ADDR: u8 = 2;
const TIPC_SOCKET_ADDR: u8 = 3;
/// How long a connect may wait for the server to accept: a bound, not a
/// timing expectation.
const CONNECT_TIMEOUT_MS: u32 = 120_000;

/// Binding scope, `TIPC_CLUSTER_SCOPE` / `TIPC_NODE_SCOPE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Cluster = 2,
    Node = 3,
}

/// `struct sockaddr_tipc`: 16 bytes, the union flattened into three words.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct SockaddrTipc {
    family: u16,
    addrtype: u8,
    scope: i8,
    w: [u32; 3],
}

/// The addresses a TIPC socket call can take or return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketAddr {
    /// `{type, lower, upper}`: a range of service instances.
    Range { ty: u32, lower: u32, upper: u32 },
    /// `{type, instance}` looked up from node `domain` (0: anywhere).
    Service { ty: u32, instance: u32, domain: u32 },
    /// `{ref, node}`: one socket.
    Id { port: u32, node: u32 },
}

impl SocketAddr {
    fn raw(self, scope: i8) -> SockaddrTipc {
        let (addrtype, w) = match self {
            SocketAddr::Range { ty, lower, upper } => (TIPC_SERVICE_RANGE, [ty, lower, upper]),
            SocketAddr::Service {
                ty,
                instance,
                domain,
            } => (TIPC_SERVICE_ADDR, [ty, instance, domain]),
            SocketAddr::Id { port, node } => (TIPC_SOCKET_ADDR, [port, node, 0]),
        };
        SockaddrTipc {
            family: libc::AF_TIPC as u16,
            addrtype,
            scope,
            w,
        }
    }

    fn from_raw(raw: &SockaddrTipc) -> Option<Self> {
        let [a, b, c] = raw.w;
        match raw.addrtype {
            TIPC_SERVICE_RANGE => Some(SocketAddr::Range {
                ty: a,
                lower: b,
                upper: c,
            }),
            TIPC_SERVICE_ADDR => Some(SocketAddr::Service {
                ty: a,
                instance: b,
                domain: c,
            }),
            TIPC_SOCKET_ADDR => Some(SocketAddr::Id { port: a, node: b }),
            _ => None,
        }
    }
}

fn check(ret: libc::c_int) -> Result<libc::c_int> {
    if ret < 0 {
        Err(Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn check_len(ret: isize) -> Result<usize> {
    if ret < 0 {
        Err(Error::last_os_error())
    } else {
        Ok(ret as usize)
    }
}

/// An owned AF_TIPC socket.
pub struct Socket {
    fd: OwnedFd,
}

impl Socket {
    fn new(kind: libc::c_int) -> Result<Self> {
        // SAFETY: plain syscall; a non-negative result is a new descriptor we own.
        let fd = check(unsafe { libc::socket(libc::AF_TIPC, kind | libc::SOCK_CLOEXEC, 0) })?;
        // SAFETY: `fd` was just returned by socket() and is owned by nobody else.
        Ok(Socket {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// A `SOCK_SEQPACKET` socket.
    pub fn seqpacket() -> Result<Self> {
        Self::new(libc::SOCK_SEQPACKET)
    }

    /// A `SOCK_RDM` socket.
    pub fn rdm() -> Result<Self> {
        Self::new(libc::SOCK_RDM)
    }

    fn bind_raw(&self, raw: SockaddrTipc) -> Result<()> {
        // SAFETY: `raw` is a valid sockaddr_tipc of the length given.
        check(unsafe {
            libc::bind(
                self.fd.as_raw_fd(),
                &raw as *const SockaddrTipc as *const libc::sockaddr,
                std::mem::size_of::<SockaddrTipc>() as u32,
            )
        })
        .map(drop)
    }

    /// Publishes `{ty, lower, upper}` with `scope`.
    pub fn bind(&self, ty: u32, lower: u32, upper: u32, scope: Scope) -> Result<()> {
        self.bind_raw(SocketAddr::Range { ty, lower, upper }.raw(scope as i8))
    }

    /// Withdraws a publication made by [`Socket::bind`] (a negative scope).
    pub fn unbind(&self, ty: u32, lower: u32, upper: u32, scope: Scope) -> Result<()> {
        self.bind_raw(SocketAddr::Range { ty, lower, upper }.raw(-(scope as i8)))
    }

    /// Connects to `addr`.
    pub fn connect(&self, addr: SocketAddr) -> Result<()> {
        // TIPC gives up a connect after 8 s by default; a guest whose vCPU
        // a busy host starves may need longer for the server to accept.
        const SOL_TIPC: libc::c_int = 271;
        const TIPC_CONN_TIMEOUT: libc::c_int = 130;
        let ms: u32 = CONNECT_TIMEOUT_MS;
        // SAFETY: `ms` is a readable u32 of the size given.
        check(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                SOL_TIPC,
                TIPC_CONN_TIMEOUT,
                &ms as *const u32 as *const libc::c_void,
                std::mem::size_of::<u32>() as u32,
            )
        })?;
        let raw = addr.raw(0);
        // SAFETY: `raw` is a valid sockaddr_tipc of the length given.
        check(unsafe {
            libc::connect(
                self.fd.as_raw_fd(),
                &raw as *const SockaddrTipc as *const libc::sockaddr,
                std::mem::size_of::<SockaddrTipc>() as u32,
            )
        })
        .map(drop)
    }

    /// This socket's own `{ref, node}`.
    pub fn id(&self) -> Result<(u32, u32)> {
        let mut raw = SockaddrTipc::default();
        let mut len = std::mem::size_of::<SockaddrTipc>() as libc::socklen_t;
        // SAFETY: `raw` is writable for `len` bytes.
        check(unsafe {
            libc::getsockname(
                self.fd.as_raw_fd(),
                &mut raw as *mut SockaddrTipc as *mut libc::sockaddr,
                &mut len,
            )
        })?;
        match SocketAddr::from_raw(&raw) {
            Some(SocketAddr::Id { port, node }) => Ok((port, node)),
            other => Err(Error::other(format!("getsockname gave {other:?}"))),
        }
    }

    /// Sends one message on a connected socket.
    pub fn send(&self, buf: &[u8]) -> Result<usize> {
        // SAFETY: `buf` is readable for its length.
        check_len(unsafe {
            libc::send(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
            )
        })
    }

    /// Sends one message to `addr`.
    pub fn send_to(&self, buf: &[u8], addr: SocketAddr) -> Result<usize> {
        let raw = addr.raw(0);
        // SAFETY: `buf` is readable for its length, `raw` is a valid sockaddr_tipc.
        check_len(unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
                &raw as *const SockaddrTipc as *const libc::sockaddr,
                std::mem::size_of::<SockaddrTipc>() as u32,
            )
        })
    }

    /// Waits up to `timeout_ms` (negative: forever) for the socket to be readable.
    pub fn wait_readable(&self, timeout_ms: i32) -> Result<bool> {
        let mut p = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = check(unsafe { libc::poll(&mut p, 1, timeout_ms) })?;
        Ok(n > 0)
    }

    /// Receives one message into `buf`; `Ok(None)` if nothing came within
    /// `timeout_ms`, `Ok(Some(0))` at end of stream.
    pub fn recv_timeout(&self, buf: &mut [u8], timeout_ms: i32) -> Result<Option<usize>> {
        if !self.wait_readable(timeout_ms)? {
            return Ok(None);
        }
        // SAFETY: `buf` is writable for its length.
        let n = unsafe {
            libc::recv(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT,
            )
        };
        match check_len(n) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Ok(None),
            // A connection the peer closed may also be reported as an error.
            Err(e) if e.raw_os_error() == Some(libc::ECONNRESET) => Ok(Some(0)),
            Err(e) => Err(e),
        }
    }

    /// Shuts down both directions (an orderly close, the socket stays open).
    pub fn shutdown(&self) -> Result<()> {
        // SAFETY: plain syscall on our descriptor.
        check(unsafe { libc::shutdown(self.fd.as_raw_fd(), libc::SHUT_RDWR) }).map(drop)
    }

    /// Joins communication group `ty` as member `instance`, cluster-wide;
    /// with `member_events`, membership changes arrive as messages.
    pub fn join_group(&self, ty: u32, instance: u32, member_events: bool) -> Result<()> {
        const SOL_TIPC: libc::c_int = 271;
        const TIPC_GROUP_JOIN: libc::c_int = 135;
        const TIPC_GROUP_MEMBER_EVTS: u32 = 0x2;
        let req: [u32; 4] = [
            ty,
            instance,
            Scope::Cluster as u32,
            if member_events {
                TIPC_GROUP_MEMBER_EVTS
            } else {
                0
            },
        ];
        // SAFETY: `req` is a readable `struct tipc_group_req`.
        check(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                SOL_TIPC,
                TIPC_GROUP_JOIN,
                req.as_ptr().cast(),
                std::mem::size_of_val(&req) as u32,
            )
        })
        .map(drop)
    }

    /// Receives one message: its length, `msg_flags` and sender.
    pub fn recv_msg(
        &self,
        buf: &mut [u8],
        timeout_ms: i32,
    ) -> Result<Option<(usize, i32, SocketAddr)>> {
        if !self.wait_readable(timeout_ms)? {
            return Ok(None);
        }
        let mut raw = [SockaddrTipc::default(); 2];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        // SAFETY: All-zero is a valid msghdr.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = raw.as_mut_ptr().cast();
        msg.msg_namelen = std::mem::size_of_val(&raw) as u32;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        // SAFETY: `msg` points to writable buffers of the lengths it gives.
        let n =
            check_len(unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) })?;
        let from = SocketAddr::from_raw(&raw[0])
            .ok_or_else(|| Error::other(format!("bad peer address type {}", raw[0].addrtype)))?;
        Ok(Some((n, msg.msg_flags, from)))
    }

    /// Receives one message and the sender's address.
    pub fn recv_from(
        &self,
        buf: &mut [u8],
        timeout_ms: i32,
    ) -> Result<Option<(usize, SocketAddr)>> {
        if !self.wait_readable(timeout_ms)? {
            return Ok(None);
        }
        let mut raw = SockaddrTipc::default();
        let mut len = std::mem::size_of::<SockaddrTipc>() as libc::socklen_t;
        // SAFETY: `buf` and `raw` are writable for the lengths given.
        let n = check_len(unsafe {
            libc::recvfrom(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT,
                &mut raw as *mut SockaddrTipc as *mut libc::sockaddr,
                &mut len,
            )
        })?;
        let from = SocketAddr::from_raw(&raw)
            .ok_or_else(|| Error::other(format!("bad peer address type {}", raw.addrtype)))?;
        Ok(Some((n, from)))
    }
}
