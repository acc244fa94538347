// SPDX-License-Identifier: GPL-2.0
//! The local path: generic netlink family "TIPC", the kernel's compat layer
//! for legacy configuration requests (net/tipc/netlink_compat.c).
//!
//! A request is `nlmsghdr`, `genlmsghdr` {TIPC_GENL_CMD, version 1},
//! `struct tipc_genlmsghdr` {dest, cmd} in host order, then the raw TLV
//! area.  The reply copies those three headers and carries the reply TLVs;
//! with `NLM_F_ACK` an `NLMSG_ERROR` follows (the errno the handler
//! returned, which comes alone when the handler produced no TLV).

use super::*;
use std::cell::Cell;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

const NLMSG_HDRLEN: usize = 16;
const GENL_HDRLEN: usize = 4;
/// `TIPC_GENL_HDRLEN`: `struct tipc_genlmsghdr`.
const TIPC_GENL_HDRLEN: usize = 8;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLMSG_NOOP: u16 = 0x1;
const NLMSG_ERROR: u16 = 0x2;
/// `GENL_ID_CTRL`: the controller family.
const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
/// `TIPC_GENL_NAME`.
const TIPC_GENL_NAME: &str = "TIPC";
/// `TIPC_GENL_VERSION`.
const TIPC_GENL_VERSION: u8 = 1;
/// `TIPC_GENL_CMD`.
const TIPC_GENL_CMD: u8 = 1;
/// Room for the largest compat reply (an ultra string of 32 KiB).
const RECV_BUF: usize = 128 * 1024;

fn ne16(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}

fn ne32(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// A generic netlink socket with the "TIPC" family resolved.  It belongs
/// to the network namespace it was opened in.
pub struct Genl {
    fd: OwnedFd,
    family: u16,
    seq: Cell<u32>,
    /// How long to wait for each answer.
    pub timeout_ms: i32,
}

/// What came back for one request: the payload of the answer (if any)
/// and the errno of the acknowledgement.
struct Answer {
    payload: Option<Vec<u8>>,
    errno: i32,
}

impl Genl {
    /// Opens a socket in the caller's namespace and resolves the family.
    pub fn open() -> Result<Genl, Error> {
        // SAFETY: plain syscall; a non-negative result is a new descriptor we own.
        let fd = check(unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_GENERIC,
            )
        })?;
        // SAFETY: `fd` was just returned by socket() and is owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut g = Genl {
            fd,
            family: 0,
            seq: Cell::new(1),
            timeout_ms: DEFAULT_TIMEOUT_MS,
        };
        g.family = g.resolve(TIPC_GENL_NAME)?;
        Ok(g)
    }

    fn send(&self, ty: u16, payload: &[u8]) -> Result<u32, Error> {
        let seq = self.seq.get();
        self.seq.set(seq.wrapping_add(1));
        let mut m = Vec::with_capacity(NLMSG_HDRLEN + payload.len());
        m.extend(((NLMSG_HDRLEN + payload.len()) as u32).to_ne_bytes());
        m.extend(ty.to_ne_bytes());
        m.extend((NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
        m.extend(seq.to_ne_bytes());
        m.extend(0u32.to_ne_bytes());
        m.extend(payload);
        // SAFETY: All-zero is a valid sockaddr_nl; pid 0 is the kernel.
        let mut to: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        to.nl_family = libc::AF_NETLINK as u16;
        // SAFETY: `m` is readable for its length, `to` is a valid sockaddr_nl.
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                m.as_ptr().cast(),
                m.len(),
                0,
                &to as *const libc::sockaddr_nl as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error().into());
        }
        Ok(seq)
    }

    fn recv(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut p = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        if check(unsafe { libc::poll(&mut p, 1, self.timeout_ms) })? == 0 {
            return Err(Error::Timeout);
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
        if n < 0 {
            return Err(io::Error::last_os_error().into());
        }
        Ok(n as usize)
    }

    /// Collects the answer of type `ty` to request `seq` and its ack.
    fn answer(&self, seq: u32, ty: u16) -> Result<Answer, Error> {
        let mut buf = vec![0u8; RECV_BUF];
        let mut payload = None;
        loop {
            let n = self.recv(&mut buf)?;
            let mut off = 0;
            while off < n {
                if n - off < NLMSG_HDRLEN {
                    return Err(Error::Protocol(format!("{} stray netlink bytes", n - off)));
                }
                let len = ne32(&buf, off) as usize;
                if len < NLMSG_HDRLEN || len > n - off {
                    return Err(Error::Protocol(format!("nlmsg_len {len} of {}", n - off)));
                }
                let (mty, mseq) = (ne16(&buf, off + 4), ne32(&buf, off + 8));
                let body = &buf[off + NLMSG_HDRLEN..off + len];
                off += wire::align4(len);
                if mseq != seq || mty == NLMSG_NOOP {
                    continue;
                }
                if mty == NLMSG_ERROR {
                    if body.len() < 4 {
                        return Err(Error::Protocol("short NLMSG_ERROR".into()));
                    }
                    let errno = -(ne32(body, 0) as i32);
                    return Ok(Answer { payload, errno });
                }
                if mty != ty || payload.is_some() {
                    return Err(Error::Protocol(format!(
                        "unexpected netlink message type {mty}"
                    )));
                }
                payload = Some(body.to_vec());
            }
        }
    }

    /// Asks the controller for the id of family `name`.
    fn resolve(&self, name: &str) -> Result<u16, Error> {
        let mut p = vec![CTRL_CMD_GETFAMILY, 1, 0, 0];
        let alen = 4 + name.len() + 1;
        p.extend((alen as u16).to_ne_bytes());
        p.extend(CTRL_ATTR_FAMILY_NAME.to_ne_bytes());
        p.extend(name.as_bytes());
        p.push(0);
        p.resize(GENL_HDRLEN + wire::align4(alen), 0);
        let seq = self.send(GENL_ID_CTRL, &p)?;
        let a = self.answer(seq, GENL_ID_CTRL)?;
        let body = match (a.payload, a.errno) {
            (Some(b), 0) => b,
            (_, 0) => return Err(Error::Protocol("no family in the answer".into())),
            (_, e) => return Err(Error::Kernel(e)),
        };
        let mut off = GENL_HDRLEN;
        while off + 4 <= body.len() {
            let len = ne16(&body, off) as usize;
            let ty = ne16(&body, off + 2) & 0x3fff;
            if len < 4 || off + len > body.len() {
                break;
            }
            if ty == CTRL_ATTR_FAMILY_ID && len >= 6 {
                return Ok(ne16(&body, off + 4));
            }
            off += wire::align4(len);
        }
        Err(Error::Protocol(format!("no id for family {name}")))
    }

    /// Sends command `cmd` with a raw TLV area (not checked) and returns
    /// the reply's TLV area as the kernel built it.
    pub fn request_area(&self, cmd: u16, area: &[u8]) -> Result<Vec<u8>, Error> {
        let mut p = vec![TIPC_GENL_CMD, TIPC_GENL_VERSION, 0, 0];
        p.extend(0u32.to_ne_bytes()); // dest: unused by the compat layer
        p.extend(cmd.to_ne_bytes());
        p.extend(0u16.to_ne_bytes());
        p.extend(area);
        let seq = self.send(self.family, &p)?;
        let a = self.answer(seq, self.family)?;
        let body = match a.payload {
            Some(b) => b,
            None if a.errno != 0 => return Err(Error::Kernel(a.errno)),
            None => return Err(Error::Protocol("acknowledged without a reply".into())),
        };
        if body.len() < GENL_HDRLEN + TIPC_GENL_HDRLEN {
            return Err(Error::Protocol(format!("{}-byte reply", body.len())));
        }
        let rcmd = ne16(&body, GENL_HDRLEN + 4);
        if rcmd != cmd {
            return Err(Error::Protocol(format!(
                "reply for command {rcmd:#06x}, expected {cmd:#06x}"
            )));
        }
        Ok(body[GENL_HDRLEN + TIPC_GENL_HDRLEN..].to_vec())
    }

    /// Sends command `cmd` with an optional TLV; returns the reply's TLV
    /// area, checked to be a well-formed TLV list.
    pub fn request(&self, cmd: u16, tlv: Option<&Tlv>) -> Result<Vec<u8>, Error> {
        let area = tlv.map(Tlv::encode).unwrap_or_default();
        let rep = self.request_area(cmd, &area)?;
        parse_tlvs(&rep).map_err(Error::Protocol)?;
        Ok(rep)
    }
}
