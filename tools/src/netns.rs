// SPDX-License-Identifier: GPL-2.0
//! Running a piece of this process in another node's network namespace
//! (`setns()` of the calling thread, and back), so sockets, sysctls and
//! /proc/thread-self/net are that node's while it runs.

use std::fs::File;
use std::os::fd::AsRawFd;

fn setns(f: &File) -> std::io::Result<()> {
    // SAFETY: plain syscall on a namespace descriptor we hold open.
    if unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) } < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Returns the thread to its namespace, even if the work failed.
struct Home(File);

impl Drop for Home {
    fn drop(&mut self) {
        if let Err(e) = setns(&self.0) {
            // Going on in the wrong namespace would test the wrong node.
            eprintln!("cannot return to the original namespace: {e}");
            std::process::abort();
        }
    }
}

/// Runs `f` in the namespace that `ip netns add NS` created.
pub fn in_ns<T>(ns: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    let home = File::open("/proc/thread-self/ns/net").map_err(|e| format!("own namespace: {e}"))?;
    let path = format!("/run/netns/{ns}");
    let there = File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    setns(&there).map_err(|e| format!("setns {path}: {e}"))?;
    let _home = Home(home);
    Ok(f())
}
