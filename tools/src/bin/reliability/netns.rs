// SPDX-License-Identifier: GPL-2.0
//! Throw-away network namespaces, and running code inside one.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

const IP: &str = "/sbin/ip";

/// A named namespace (`ip netns`), deleted when dropped.
pub struct Netns {
    name: String,
    deleted: bool,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

fn ip(args: &[&str]) -> Result<(), String> {
    // Its output only matters when it fails (the guest kernel has no file
    // locking, which `ip netns` warns about every time).
    let out = Command::new(IP)
        .args(args)
        .output()
        .map_err(|e| format!("{IP}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}: {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Netns {
    pub fn new() -> Result<Self, String> {
        let name = format!("rel{}", NEXT.fetch_add(1, Ordering::Relaxed));
        ip(&["netns", "add", &name])?;
        Ok(Netns {
            name,
            deleted: false,
        })
    }

    /// Deletes the namespace: it goes once nothing holds it any more.
    pub fn delete(mut self) -> Result<(), String> {
        self.deleted = true;
        ip(&["netns", "del", &self.name])
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if !self.deleted {
            let _ = ip(&["netns", "del", &self.name]);
        }
    }
}

/// Runs `f` on a thread of its own inside `ns`; everything `f` opens is
/// closed when it returns (and the thread ends).
pub fn in_netns<F>(ns: &Netns, f: F) -> Result<(), String>
where
    F: FnOnce() -> Result<(), String> + Send + 'static,
{
    let name = ns.name.clone();
    std::thread::spawn(move || tipc_tools::netns::in_ns(&name, f)?)
        .join()
        .map_err(|_| "namespace thread panicked".to_string())?
}
