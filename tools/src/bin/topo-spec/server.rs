// SPDX-License-Identifier: GPL-2.0
//! The Rust server's own promises, beyond upstream's behaviour: statistics
//! in /proc/net/tipc_server, connections closed when the peer goes away,
//! bounded outbound queues (event_queue_limit) and balanced counters.
//!
//! Run as `topo-spec server` while tipc.ko carries the Rust server, with
//! nothing else using TIPC.

use super::*;
use std::collections::BTreeMap;

const STATS: &str = "/proc/net/tipc_server";
const LIMIT: &str = "/sys/module/tipc/parameters/event_queue_limit";

fn stats() -> Result<BTreeMap<String, u64>, String> {
    let text = std::fs::read_to_string(STATS).map_err(|e| format!("{STATS}: {e}"))?;
    let mut m = BTreeMap::new();
    for line in text.lines() {
        let (k, v) = line.split_once(' ').ok_or(format!("bad line '{line}'"))?;
        m.insert(
            k.to_string(),
            v.parse().map_err(|_| format!("bad value in '{line}'"))?,
        );
    }
    Ok(m)
}

fn stat(name: &str) -> Result<u64, String> {
    stats()?
        .get(name)
        .copied()
        .ok_or(format!("no {name} in {STATS}"))
}

/// Waits until `name` reads `want` (the server closes asynchronously).
fn settle(name: &str, want: u64) -> CaseResult {
    let end = Instant::now() + Duration::from_millis(EVENT_MS as u64);
    loop {
        let v = stat(name)?;
        if v == want {
            return Ok(());
        }
        ensure!(Instant::now() < end, "{name} is {v}, expected {want}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sets event_queue_limit for the life of the guard.
struct Limit(String);

impl Limit {
    fn set(n: u32) -> Result<Self, String> {
        let old = std::fs::read_to_string(LIMIT).map_err(|e| format!("{LIMIT}: {e}"))?;
        std::fs::write(LIMIT, n.to_string()).map_err(|e| format!("{LIMIT}: {e}"))?;
        Ok(Limit(old.trim().to_string()))
    }
}

impl Drop for Limit {
    fn drop(&mut self) {
        let _ = std::fs::write(LIMIT, &self.0);
    }
}

/// Waits until no connection and no subscription is left: the suite
/// before may have just dropped its last client, whose connection closes
/// a moment later (a baseline counting it would end up above the count).
fn quiescent() -> CaseResult {
    settle("topology.connections", 0)?;
    settle("topology.subscriptions", 0)
}

fn stats_count_connections_and_subscriptions() -> CaseResult {
    quiescent()?;
    let (conns, subs) = (0, 0);
    let c = connect()?;
    for i in 0..3 {
        subscribe(&c, &Subscr::new(2000, i, i, TIPC_SUB_PORTS))?;
    }
    ensure!(
        stat("topology.connections")? == conns + 1,
        "connection not counted"
    );
    ensure!(
        stat("topology.subscriptions")? == subs + 3,
        "subscriptions not counted"
    );
    drop(c);
    settle("topology.subscriptions", subs)?;
    settle("topology.connections", conns)
}

fn peer_shutdown_closes_connection() -> CaseResult {
    quiescent()?;
    let (conns, subs) = (0, 0);
    let c = connect()?;
    subscribe(&c, &Subscr::new(2001, 0, 9, TIPC_SUB_PORTS))?;
    // An orderly shutdown, the socket itself kept open: the server must
    // still close its side and withdraw the subscription.
    io(c.sock.shutdown(), "shutdown")?;
    settle("topology.subscriptions", subs)?;
    settle("topology.connections", conns)
}

fn stalled_subscriber_closed_at_limit() -> CaseResult {
    const ROUNDS: u32 = 3000;
    let _limit = Limit::set(50)?;
    let overflows = stat("topology.closed_overflow")?;
    let c = connect()?;
    subscribe(&c, &Subscr::new(2002, 0, !0, TIPC_SUB_PORTS))?;
    let s = io(Socket::rdm(), "socket")?;
    let id = io(s.id(), "getsockname")?;
    for i in 0..ROUNDS {
        io(s.bind(2002, i, i, Scope::Cluster), "bind")?;
        io(s.unbind(2002, i, i, Scope::Cluster), "unbind")?;
    }
    settle("topology.closed_overflow", overflows + 1)?;
    // What did arrive is a gap-free prefix of the events, then the end.
    let mut n = 0u32;
    loop {
        match io(c.next(EVENT_MS), "recv")? {
            Recv::Event(e) => {
                let (kind, i) = (
                    if n.is_multiple_of(2) {
                        TIPC_PUBLISHED
                    } else {
                        TIPC_WITHDRAWN
                    },
                    n / 2,
                );
                check_event(&e, kind, i, i, id)?;
                n += 1;
            }
            Recv::Closed => break,
            other => return Err(format!("after {n} events: {other:?}")),
        }
    }
    ensure!(
        n < 2 * ROUNDS,
        "all {n} events arrived: the queue never overflowed"
    );
    Ok(())
}

fn initial_status_beyond_limit_delivered() -> CaseResult {
    const NAMES: u32 = 100;
    let _limit = Limit::set(20)?;
    let s = io(Socket::rdm(), "socket")?;
    for i in 0..NAMES {
        io(s.bind(2003, i, i, Scope::Cluster), "bind")?;
    }
    let id = io(s.id(), "getsockname")?;
    let c = connect()?;
    io(
        c.subscribe(&Subscr::new(2003, 0, !0, TIPC_SUB_PORTS)),
        "subscribe",
    )?;
    for i in 0..NAMES {
        check_event(&expect_event(&c)?, TIPC_PUBLISHED, i, i, id)?;
    }
    expect_quiet(&c)
}

fn counters_balance() -> CaseResult {
    settle("topology.connections", 0)?;
    let st = stats()?;
    let get = |k: &str| st.get(k).copied().unwrap_or(u64::MAX);
    let (queued, sent, discarded) = (
        get("topology.queued"),
        get("topology.sent"),
        get("topology.discarded_on_close"),
    );
    ensure!(
        queued == sent + discarded,
        "queued {queued} != sent {sent} + discarded {discarded}"
    );
    ensure!(
        get("topology.subscriptions") == 0,
        "subscriptions left: {}",
        get("topology.subscriptions")
    );
    Ok(())
}

const SERVER: &[Case] = &[
    (
        "stats_count_connections_and_subscriptions",
        stats_count_connections_and_subscriptions,
    ),
    (
        "peer_shutdown_closes_connection",
        peer_shutdown_closes_connection,
    ),
    (
        "stalled_subscriber_closed_at_limit",
        stalled_subscriber_closed_at_limit,
    ),
    (
        "initial_status_beyond_limit_delivered",
        initial_status_beyond_limit_delivered,
    ),
    ("counters_balance", counters_balance),
];

pub fn run() -> usize {
    run_suite("rust_server", SERVER, None)
}
