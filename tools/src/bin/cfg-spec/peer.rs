// SPDX-License-Identifier: GPL-2.0
//! The peer nodes under test and the three ways of asking them: from this
//! node over the network, from the node itself over its own service, and
//! locally over genetlink; their remote management level and counters.

use super::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tipc_tools::cfg::{Genl, RdmClient};
use tipc_tools::netns::in_ns;
use tipc_tools::{addr_string, Socket};

/// The per-namespace policy sysctl.
pub const REMOTE_MNG: &str = "/proc/sys/net/tipc/remote_management";
/// The service statistics of the namespace the calling thread is in.
const STATS: &str = "/proc/thread-self/net/tipc_server";

/// A node: its network namespace and address.
pub struct Peer {
    pub ns: String,
    pub addr: u32,
}

static PEERS: OnceLock<Vec<Peer>> = OnceLock::new();

/// Sets the peers from `NS=z.c.n` arguments; returns what is left over.
pub fn set_peers(args: &[String]) -> Result<Vec<String>, String> {
    let mut peers = Vec::new();
    let mut rest = Vec::new();
    for a in args {
        match a.split_once('=') {
            Some((ns, ad)) => {
                let addr = cfg::parse_node(ad).ok_or(format!("bad address in '{a}'"))?;
                peers.push(Peer {
                    ns: ns.to_string(),
                    addr,
                });
            }
            None => rest.push(a.clone()),
        }
    }
    if peers.is_empty() {
        return Err("no peer given (NS=z.c.n)".into());
    }
    let _ = PEERS.set(peers);
    Ok(rest)
}

/// Every peer.
pub fn peers() -> &'static [Peer] {
    PEERS.get().map(Vec::as_slice).unwrap_or(&[])
}

/// The peer whose service the policy cases change.
pub fn first() -> Result<&'static Peer, String> {
    peers().first().ok_or("no peer".into())
}

/// This node's address.
pub fn own_addr() -> Result<u32, String> {
    Ok(io(io(Socket::rdm(), "socket")?.id(), "getsockname")?.1)
}

fn req(cmd: u16, tlv: Option<&Tlv>) -> String {
    match tlv {
        Some(t) => format!(
            "command {cmd:#06x} with TLV {} {}",
            t.ty,
            cfg::hex(&t.value)
        ),
        None => format!("command {cmd:#06x}"),
    }
}

impl Peer {
    /// "n2 (1.1.2)".
    pub fn name(&self) -> String {
        format!("{} ({})", self.ns, addr_string(self.addr))
    }

    /// Runs `f` in this node's namespace.
    pub fn in_ns<T>(&self, f: impl FnOnce() -> T) -> Result<T, String> {
        in_ns(&self.ns, f)
    }

    /// Asks this node's kernel directly, over genetlink in its namespace.
    pub fn local(&self, cmd: u16, tlv: Option<&Tlv>) -> Result<Vec<u8>, String> {
        self.in_ns(|| Genl::open()?.request(cmd, tlv))?
            .map_err(|e| format!("{}: local {}: {e}", self.name(), req(cmd, tlv)))
    }

    /// Asks this node's service from here, over the network.
    pub fn remote(&self, cmd: u16, tlv: Option<&Tlv>) -> Result<Vec<u8>, String> {
        cfg::remote(self.addr)
            .request(cmd, tlv)
            .map_err(|e| format!("{}: remote {}: {e}", self.name(), req(cmd, tlv)))
    }

    /// Asks this node's service from a socket on the node itself.
    pub fn own_node(&self, cmd: u16, tlv: Option<&Tlv>) -> Result<Vec<u8>, String> {
        self.in_ns(|| RdmClient::new(self.addr)?.request(cmd, tlv))?
            .map_err(|e| format!("{}: own-node {}: {e}", self.name(), req(cmd, tlv)))
    }

    /// Reads `remote_management` in this node's namespace.
    pub fn level(&self) -> Result<u32, String> {
        let s = self
            .in_ns(|| std::fs::read_to_string(REMOTE_MNG))?
            .map_err(|e| format!("{}: read {REMOTE_MNG}: {e}", self.name()))?;
        s.trim()
            .parse()
            .map_err(|_| format!("{}: {REMOTE_MNG} reads '{}'", self.name(), s.trim()))
    }

    /// Writes `remote_management` in this node's namespace.
    pub fn set_level(&self, v: u32) -> Result<(), String> {
        self.in_ns(|| std::fs::write(REMOTE_MNG, format!("{v}\n")))?
            .map_err(|e| format!("{}: write {v} to {REMOTE_MNG}: {e}", self.name()))
    }

    /// This node's service counters (`config.*` of /proc/net/tipc_server),
    /// once every request received has been disposed of: a reply is counted
    /// only after it was sent, so a client can hold it before the counter
    /// rose. Waits (boundedly) for `requests` to equal the sum of the
    /// outcomes that end a request.
    pub fn counters(&self) -> Result<Counters, String> {
        const OUTCOMES: [&str; 5] = ["replied", "send_errors", "dropped", "ignored", "no_memory"];
        let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let c = self.read_counters()?;
            let get = |k: &str| c.0.get(k).copied().unwrap_or(0);
            let done: u64 = OUTCOMES.iter().map(|k| get(k)).sum();
            if done == get("requests") || std::time::Instant::now() > end {
                return Ok(c);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    fn read_counters(&self) -> Result<Counters, String> {
        let text = self
            .in_ns(|| std::fs::read_to_string(STATS))?
            .map_err(|e| format!("{}: {STATS}: {e}", self.name()))?;
        let mut m = BTreeMap::new();
        for line in text.lines() {
            let Some(name) = line.strip_prefix("config.") else {
                continue;
            };
            let (k, v) = name
                .split_once(' ')
                .ok_or(format!("bad line '{line}' in {STATS}"))?;
            let v = v
                .trim()
                .parse()
                .map_err(|_| format!("bad value in '{line}'"))?;
            m.insert(k.to_string(), v);
        }
        Ok(Counters(m))
    }
}

/// Sets a peer's `remote_management` and puts it back to 1 (the default)
/// when dropped, however the case ends.
pub struct Level<'a>(&'a Peer);

impl<'a> Level<'a> {
    pub fn set(p: &'a Peer, v: u32) -> Result<Self, String> {
        let g = Level(p);
        p.set_level(v)?;
        ensure!(p.level()? == v, "{} did not take level {v}", p.name());
        Ok(g)
    }
}

impl Drop for Level<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.set_level(1) {
            eprintln!("cfg-spec: restoring remote_management: {e}");
        }
    }
}

/// A snapshot of a service's counters.
pub struct Counters(BTreeMap<String, u64>);

impl Counters {
    /// How much counter `name` rose from `self` to `later`.
    pub fn rise(&self, later: &Counters, name: &str) -> Result<i64, String> {
        let get = |c: &Counters| {
            c.0.get(name)
                .copied()
                .ok_or(format!("no config.{name} in {STATS}"))
        };
        Ok(get(later)? as i64 - get(self)? as i64)
    }

    /// Checks that each counter rose by exactly the amount given.
    pub fn expect_rise(&self, later: &Counters, want: &[(&str, i64)]) -> CaseResult {
        let mut bad = Vec::new();
        for &(name, n) in want {
            let d = self.rise(later, name)?;
            if d != n {
                bad.push(format!("config.{name} rose by {d}, expected {n}"));
            }
        }
        ensure!(bad.is_empty(), "{}", bad.join("; "));
        Ok(())
    }
}
