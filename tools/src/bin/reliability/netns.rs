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

    /// The namespace's inode number (what the server's `fault_net` takes).
    pub fn inum(&self) -> Result<u32, String> {
        use std::os::unix::fs::MetadataExt;
        let path = format!("/run/netns/{}", self.name);
        let m = std::fs::metadata(&path).map_err(|e| format!("{path}: {e}"))?;
        u32::try_from(m.ino()).map_err(|_| format!("{path}: inode {} too large", m.ino()))
    }

    /// Runs `args` (a command and its arguments) inside the namespace.
    pub fn exec(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["netns", "exec", self.name.as_str()];
        all.extend_from_slice(args);
        ip(&all)
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

/// Runs `f` on a thread of its own inside `ns`; what `f` opens and does not
/// return is closed when it returns (and the thread ends). Sockets it
/// returns stay in `ns`, and keep it alive until they are closed.
pub fn in_netns<T, F>(ns: &Netns, f: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, String> + Send + 'static,
{
    let name = ns.name.clone();
    std::thread::spawn(move || tipc_tools::netns::in_ns(&name, f)?)
        .join()
        .map_err(|_| "namespace thread panicked".to_string())?
}
