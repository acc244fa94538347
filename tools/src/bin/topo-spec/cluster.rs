// SPDX-License-Identifier: GPL-2.0
//! Multi-node part of the specification: node (type 0) and link (type 2)
//! state events, and bindings made on other nodes.
//!
//! Run inside one node's namespace as `topo-spec cluster NS=z.c.n...`, one
//! argument per peer node: the peer's network namespace and address.  The
//! last case takes the last peer down (its bearer disabled).

use super::*;
use std::collections::BTreeSet;
use std::process::{Child, Command};
use std::sync::OnceLock;

const IP: &str = "/sbin/ip";

struct Peer {
    ns: String,
    addr: u32,
}

static PEERS: OnceLock<Vec<Peer>> = OnceLock::new();

fn peers() -> &'static [Peer] {
    PEERS.get().expect("peers set")
}

fn parse_addr(s: &str) -> Option<u32> {
    let v: Vec<u32> = s
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match v[..] {
        [z, c, n] => Some(tipc_addr(z, c, n)),
        _ => None,
    }
}

fn in_ns(ns: &str, args: &[&str]) -> Command {
    let mut c = Command::new(IP);
    c.args(["netns", "exec", ns]).args(args);
    c
}

fn own_addr() -> Result<u32, String> {
    Ok(io(io(Socket::rdm(), "socket")?.id(), "getsockname")?.1)
}

/// Collects `n` events and checks they are PUBLISHED for exactly `want`.
fn expect_published_set(c: &TopologyClient, want: &BTreeSet<u32>) -> CaseResult {
    let mut got = BTreeSet::new();
    for _ in 0..want.len() {
        let e = expect_event(c)?;
        ensure!(e.event == TIPC_PUBLISHED, "expected PUBLISHED, got {e:?}");
        ensure!(
            e.found_lower == e.found_upper,
            "node event over a range: {e:?}"
        );
        got.insert(e.found_lower);
    }
    ensure!(&got == want, "published {:x?}, expected {:x?}", got, want);
    expect_quiet(c)
}

fn nodes_up_in_type_0() -> CaseResult {
    let c = connect()?;
    io(
        c.subscribe(&Subscr::new(TIPC_NODE_STATE, 0, !0, TIPC_SUB_SERVICE)),
        "subscribe",
    )?;
    let mut want: BTreeSet<u32> = peers().iter().map(|p| p.addr).collect();
    want.insert(own_addr()?);
    expect_published_set(&c, &want)
}

fn links_up_in_type_2() -> CaseResult {
    let c = connect()?;
    io(
        c.subscribe(&Subscr::new(TIPC_LINK_STATE, 0, !0, TIPC_SUB_PORTS)),
        "subscribe",
    )?;
    let want: BTreeSet<u32> = peers().iter().map(|p| p.addr).collect();
    expect_published_set(&c, &want)
}

struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn remote_binding_seen() -> CaseResult {
    let c = connect()?;
    io(
        c.subscribe(&Subscr::new(3000, 0, 100, TIPC_SUB_PORTS)),
        "subscribe",
    )?;
    for p in peers() {
        let mut child = Reaped(io(
            in_ns(&p.ns, &["/bin/tipc-topo", "bind", "3000", "7", "8"]).spawn(),
            "spawn tipc-topo bind",
        )?);
        let e = expect_event(&c)?;
        ensure!(
            (e.event, e.found_lower, e.found_upper, e.node) == (TIPC_PUBLISHED, 7, 8, p.addr),
            "expected {{3000,7,8}} published from {}, got {e:?}",
            addr_string(p.addr)
        );
        let _ = child.0.kill();
        let w = expect_event(&c)?;
        ensure!(
            (w.event, w.port, w.node) == (TIPC_WITHDRAWN, e.port, p.addr),
            "expected the withdrawal of {e:?}, got {w:?}"
        );
    }
    Ok(())
}

fn node_down_withdrawn() -> CaseResult {
    let last = peers().last().ok_or("no peer")?;
    let nodes = connect()?;
    io(
        nodes.subscribe(&Subscr::new(
            TIPC_NODE_STATE,
            last.addr,
            last.addr,
            TIPC_SUB_SERVICE,
        )),
        "subscribe",
    )?;
    ensure!(expect_event(&nodes)?.event == TIPC_PUBLISHED, "peer not up");
    let links = connect()?;
    io(
        links.subscribe(&Subscr::new(
            TIPC_LINK_STATE,
            last.addr,
            last.addr,
            TIPC_SUB_PORTS,
        )),
        "subscribe",
    )?;
    ensure!(expect_event(&links)?.event == TIPC_PUBLISHED, "link not up");
    let st = io(
        in_ns(
            &last.ns,
            &[
                "/sbin/tipc",
                "bearer",
                "disable",
                "media",
                "eth",
                "dev",
                "eth0",
            ],
        )
        .status(),
        "tipc bearer disable",
    )?;
    ensure!(st.success(), "tipc bearer disable failed: {st}");
    let l = expect_event(&links)?;
    ensure!(
        l.event == TIPC_WITHDRAWN && l.found_lower == last.addr,
        "link event {l:?}"
    );
    let n = expect_event(&nodes)?;
    ensure!(
        n.event == TIPC_WITHDRAWN && n.found_lower == last.addr,
        "node event {n:?}"
    );
    Ok(())
}

const CLUSTER: &[Case] = &[
    ("nodes_up_in_type_0", nodes_up_in_type_0),
    ("links_up_in_type_2", links_up_in_type_2),
    ("remote_binding_seen", remote_binding_seen),
    ("node_down_withdrawn", node_down_withdrawn),
];

pub fn run(args: &[String]) -> usize {
    let mut peers = Vec::new();
    for a in args {
        match a
            .split_once('=')
            .and_then(|(ns, ad)| Some((ns, parse_addr(ad)?)))
        {
            Some((ns, addr)) => peers.push(Peer {
                ns: ns.to_string(),
                addr,
            }),
            None => {
                eprintln!("topo-spec cluster: bad peer '{a}', expected NS=z.c.n");
                return 1;
            }
        }
    }
    let _ = PEERS.set(peers);
    run_suite("topology_cluster", CLUSTER, None)
}
