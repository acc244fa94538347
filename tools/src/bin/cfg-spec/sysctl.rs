// SPDX-License-Identifier: GPL-2.0
//! The `remote_management` sysctl itself: 1 by default in every namespace,
//! writable only with CAP_NET_ADMIN, values 0 to 2 only.

use super::peer::{first, peers, Peer, REMOTE_MNG};
use super::*;
use std::ffi::CString;
use std::io::Write;

pub fn default_is_1() -> CaseResult {
    for p in peers() {
        let v = p.level()?;
        ensure!(v == 1, "{}: remote_management is {v}", p.name());
    }
    let own = io(std::fs::read_to_string(REMOTE_MNG), REMOTE_MNG)?;
    ensure!(
        own.trim() == "1",
        "own remote_management reads '{}'",
        own.trim()
    );
    Ok(())
}

/// `struct __user_cap_header_struct`.
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

/// `struct __user_cap_data_struct`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// `_LINUX_CAPABILITY_VERSION_3`: two `CapData`, 64 capabilities.
const CAP_VERSION_3: u32 = 0x2008_0522;
const CAP_NET_ADMIN: u32 = 12;

/// Exit codes of the child besides 0 (written) and an errno of write().
const OPEN_FAILED: i32 = 128;
const CAPS_FAILED: i32 = 255;

/// The forked child: drops CAP_NET_ADMIN from its effective set, then
/// writes `value` to `path`.  Only syscalls, then `_exit()`.
fn child(path: &CString, value: &[u8]) -> ! {
    let errno = || std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    let mut hdr = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: `hdr` and `data` are the version-3 layouts capget/capset take.
    let code = unsafe {
        let mut ok = libc::syscall(libc::SYS_capget, &mut hdr, data.as_mut_ptr()) == 0;
        data[0].effective &= !(1 << CAP_NET_ADMIN);
        ok = ok && libc::syscall(libc::SYS_capset, &mut hdr, data.as_ptr()) == 0;
        data = [CapData::default(); 2];
        ok = ok && libc::syscall(libc::SYS_capget, &mut hdr, data.as_mut_ptr()) == 0;
        if !ok || data[0].effective & (1 << CAP_NET_ADMIN) != 0 {
            CAPS_FAILED
        } else {
            let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if fd < 0 {
                OPEN_FAILED + errno().min(126)
            } else if libc::write(fd, value.as_ptr().cast(), value.len()) < 0 {
                errno().min(127)
            } else {
                0
            }
        }
    };
    // SAFETY: ends the child without running the parent's cleanup.
    unsafe { libc::_exit(code) }
}

/// Writes `value` to `path` from a child without CAP_NET_ADMIN, in the
/// namespace the calling thread is in; `Ok(None)` if the write went
/// through, else the errno and the step that failed.
fn write_without_net_admin(
    path: &str,
    value: &[u8],
) -> Result<Option<(i32, &'static str)>, String> {
    let path = CString::new(path).map_err(|e| e.to_string())?;
    // SAFETY: cfg-spec runs no other threads, and the child only makes
    // syscalls before it exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        child(&path, value);
    }
    let mut status = 0;
    // SAFETY: waits for our own child.
    if unsafe { libc::waitpid(pid, &mut status, 0) } != pid {
        return Err(format!("waitpid: {}", std::io::Error::last_os_error()));
    }
    if !libc::WIFEXITED(status) {
        return Err(format!("child ended with status {status:#x}"));
    }
    Ok(match libc::WEXITSTATUS(status) {
        0 => None,
        CAPS_FAILED => return Err("the child could not drop CAP_NET_ADMIN".into()),
        c if c >= OPEN_FAILED => Some((c - OPEN_FAILED, "open")),
        c => Some((c, "write")),
    })
}

fn strerror(errno: i32) -> String {
    std::io::Error::from_raw_os_error(errno).to_string()
}

pub fn write_needs_net_admin() -> CaseResult {
    let p = first()?;
    let r = p.in_ns(|| write_without_net_admin(REMOTE_MNG, b"2\n"))??;
    let now = p.level()?;
    if now != 1 {
        p.set_level(1)?;
    }
    match r {
        None => Err(format!(
            "{}: written without CAP_NET_ADMIN (level now {now})",
            p.name()
        )),
        Some((e, step)) => {
            ensure!(
                e == libc::EPERM,
                "{step} without CAP_NET_ADMIN failed with {}, expected EPERM",
                strerror(e)
            );
            ensure!(now == 1, "level changed to {now}");
            Ok(())
        }
    }
}

fn write_err(p: &Peer, value: &str) -> Result<Option<i32>, String> {
    p.in_ns(|| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(REMOTE_MNG)
            .and_then(|mut f| f.write_all(value.as_bytes()))
    })
    .map(|r| r.err().map(|e| e.raw_os_error().unwrap_or(0)))
}

pub fn rejects_out_of_range() -> CaseResult {
    let p = first()?;
    for v in ["3\n", "-1\n"] {
        let r = write_err(p, v)?;
        let now = p.level()?;
        if now != 1 {
            p.set_level(1)?;
        }
        ensure!(
            r == Some(libc::EINVAL),
            "writing {:?}: {}, expected EINVAL",
            v.trim(),
            r.map_or("accepted".into(), strerror)
        );
        ensure!(
            now == 1,
            "writing {:?} changed the level to {now}",
            v.trim()
        );
    }
    Ok(())
}
