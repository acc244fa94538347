// SPDX-License-Identifier: GPL-2.0
//! reliability: the Rust server's race and lifetime scenarios.
//!
//! Each historical upstream bug of the topology server (see
//! Documentation/tipc-rust/reliability.rst) is a scenario here that opens
//! the race window with the server's fault-injection points
//! (`fault_points`, `fault_delay_ms`, `fault_hits` in
//! /sys/module/tipc/parameters) and then checks what a server with the bug
//! would get wrong: objects that outlive their connection or namespace
//! (the `live.*` counters in /proc/net/tipc_server return to their
//! baseline), requests that are lost, a server that no longer serves.
//! Use-after-free and lock misuse are left to KASAN and lockdep, which the
//! test command's log check reads.
//!
//!   reliability [CASE]          the scenarios (KTAP suite tipc_reliability)
//!   reliability churn N         namespace churn with N namespaces
//!
//! Sizes come from the environment: CHURN (namespaces, 20),
//! STALLED_EVENTS (20000) and STALLED_LIMIT (the event_queue_limit used,
//! 5000).
//!
//! Run in the initial namespace with the Rust tipc.ko loaded (built with
//! CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION), nothing else using TIPC.

mod netns;

use netns::{in_netns, Netns};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tipc_tools::ktap::{run_suite, Case, CaseResult};
use tipc_tools::*;

const STATS: &str = "/proc/net/tipc_server";
const PARAMS: &str = "/sys/module/tipc/parameters";
/// Fault-injection points (net/tipc/rust/core/fault.rs).
const ACCEPT_BEFORE_START: u32 = 1 << 0;
const RECEIVE_BEFORE_HANDLE: u32 = 1 << 1;
const STOP_BEFORE_DRAIN: u32 = 1 << 2;
const SEND_BEFORE_SEND: u32 = 1 << 3;
/// Injected delay, ms: long enough for the other side of the race.
const DELAY_MS: u32 = 300;
/// How long objects may take to go after their owner did.
const SETTLE: Duration = Duration::from_secs(20);

fn io<T>(r: std::io::Result<T>, what: &str) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

fn stats() -> Result<BTreeMap<String, u64>, String> {
    let text = io(std::fs::read_to_string(STATS), STATS)?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect())
}

fn stat(name: &str) -> Result<u64, String> {
    stats()?
        .get(name)
        .copied()
        .ok_or(format!("no {name} in {STATS}"))
}

/// The server objects alive in every namespace together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Live {
    servers: u64,
    connections: u64,
    subscriptions: u64,
}

fn live() -> Result<Live, String> {
    Ok(Live {
        servers: stat("live.servers")?,
        connections: stat("live.connections")?,
        subscriptions: stat("live.subscriptions")?,
    })
}

/// Waits until the live objects are back to `base`: whatever a scenario
/// made must go once its clients and namespaces have.
fn settle(base: Live) -> CaseResult {
    let end = Instant::now() + SETTLE;
    loop {
        let now = live()?;
        if now == base {
            return Ok(());
        }
        if Instant::now() > end {
            return Err(format!("live objects {now:?}, expected {base:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn param(name: &str) -> Result<u64, String> {
    let p = format!("{PARAMS}/{name}");
    let v = io(std::fs::read_to_string(&p), &p)?;
    v.trim().parse().map_err(|_| format!("{p}: '{v}'"))
}

fn set_param(name: &str, v: u32) -> Result<(), String> {
    let p = format!("{PARAMS}/{name}");
    io(std::fs::write(&p, v.to_string()), &p)
}

/// Fault injection at `points` while alive; off again when dropped.
struct Faults {
    hits: u64,
}

impl Faults {
    fn on(points: u32) -> Result<Self, String> {
        Self::on_for(points, DELAY_MS)
    }

    fn on_for(points: u32, delay_ms: u32) -> Result<Self, String> {
        set_param("fault_delay_ms", delay_ms)?;
        let hits = param("fault_hits")?;
        set_param("fault_points", points)?;
        Ok(Faults { hits })
    }

    /// Waits until the server is inside a window.
    fn wait_hit(&self) -> CaseResult {
        let end = Instant::now() + SETTLE;
        while param("fault_hits")? == self.hits {
            if Instant::now() > end {
                return Err("the server never reached the fault-injection point".into());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }

    /// Fails unless the server went through a selected point: otherwise
    /// the scenario did not test the window it is about.
    fn check_hit(&self) -> CaseResult {
        let now = param("fault_hits")?;
        if now > self.hits {
            Ok(())
        } else {
            Err("no fault-injection point was hit".into())
        }
    }
}

impl Drop for Faults {
    fn drop(&mut self) {
        let _ = set_param("fault_points", 0);
    }
}

fn sleep_ms(ms: u32) {
    std::thread::sleep(Duration::from_millis(ms.into()));
}

fn connect() -> Result<TopologyClient, String> {
    io(TopologyClient::connect(), "connect to {1,1}")
}

fn expect_event(c: &TopologyClient, ms: i32) -> Result<Event, String> {
    match io(c.next(ms), "recv")? {
        Recv::Event(e) => Ok(e),
        other => Err(format!("expected an event, got {other:?}")),
    }
}

/// The server still works: a new subscription sees a new binding.
fn still_serving() -> CaseResult {
    let c = connect()?;
    io(
        c.subscribe(&Subscr::new(6999, 0, 0, TIPC_SUB_PORTS)),
        "subscribe",
    )?;
    let s = io(Socket::rdm(), "socket")?;
    io(s.bind(6999, 0, 0, Scope::Node), "bind")?;
    let e = expect_event(&c, 10_000)?;
    if e.event != TIPC_PUBLISHED || e.found_lower != 0 {
        return Err(format!("unexpected event {e:?}"));
    }
    Ok(())
}

/// Upstream leaked a connection when accept failed half-way, and used a
/// socket before its callbacks were set. Here the client is gone (and
/// its request queued) before the server has set the connection up.
fn client_gone_before_setup() -> CaseResult {
    let base = live()?;
    let f = Faults::on(ACCEPT_BEFORE_START)?;
    for _ in 0..3 {
        let c = connect()?;
        io(
            c.subscribe(&Subscr::new(6001, 0, 9, TIPC_SUB_PORTS)),
            "subscribe",
        )?;
    }
    sleep_ms(2 * DELAY_MS);
    f.check_hit()?;
    drop(f);
    settle(base)?;
    still_serving()
}

/// A request that arrives before the connection's callbacks are set must
/// still be read: its initial status comes back.
fn request_before_setup_served() -> CaseResult {
    let s = io(Socket::rdm(), "socket")?;
    io(s.bind(6002, 5, 5, Scope::Node), "bind")?;
    let f = Faults::on(ACCEPT_BEFORE_START)?;
    let c = connect()?;
    io(
        c.subscribe(&Subscr::new(6002, 0, 9, TIPC_SUB_PORTS)),
        "subscribe",
    )?;
    let e = expect_event(&c, 10_000)?;
    f.check_hit()?;
    if e.event != TIPC_PUBLISHED || e.found_lower != 5 {
        return Err(format!("unexpected event {e:?}"));
    }
    Ok(())
}

/// Upstream never closed a connection whose peer shut down in order, so
/// its subscriptions stayed until the namespace cap.
fn peer_shutdown_frees_subscriptions() -> CaseResult {
    let base = live()?;
    let mut kept = Vec::new();
    for _ in 0..20 {
        let c = connect()?;
        for i in 0..5 {
            io(
                c.subscribe(&Subscr::new(6003, i, i, TIPC_SUB_PORTS)),
                "subscribe",
            )?;
        }
        io(c.sock.shutdown(), "shutdown")?;
        // The client keeps its socket: only the shutdown tells the server.
        kept.push(c);
    }
    settle(base)?;
    drop(kept);
    still_serving()
}

/// Connects from namespace `ns`, sends a subscription and leaves at once.
fn subscribe_and_leave(ns: &Netns, ty: u32, bindings: u32) -> CaseResult {
    in_netns(ns, move || {
        let held: Vec<Socket> = (0..bindings)
            .map(|i| {
                let s = io(Socket::rdm(), "socket")?;
                io(s.bind(ty, i, i, Scope::Node), "bind")?;
                Ok(s)
            })
            .collect::<Result<_, String>>()?;
        let c = connect()?;
        io(
            c.subscribe(&Subscr::new(ty, 0, !0, TIPC_SUB_PORTS)),
            "subscribe",
        )?;
        drop(held);
        Ok(())
    })
}

/// Makes a client in a fresh namespace connect, subscribe and leave, and
/// deletes the namespace as soon as the server is inside the window at
/// `points` (which lasts a second): the namespace's servers stop while
/// that work is in flight. Everything of the namespace must go.
fn namespace_exit_in_window(points: u32, bindings: u32) -> CaseResult {
    let base = live()?;
    let ns = Netns::new()?;
    let f = Faults::on_for(points, 1000)?;
    subscribe_and_leave(&ns, 6004, bindings)?;
    f.wait_hit()?;
    ns.delete()?;
    sleep_ms(1500);
    drop(f);
    settle(base)?;
    still_serving()
}

/// Upstream dereferenced NULL when the namespace exited during accept,
/// and a close that raced the set-up of callbacks left the connection
/// behind.
fn namespace_exit_during_accept() -> CaseResult {
    namespace_exit_in_window(ACCEPT_BEFORE_START, 0)
}

/// A receive racing the close left an orphan subscription upstream: the
/// request is handled after the namespace's server has closed it.
fn namespace_exit_during_receive() -> CaseResult {
    namespace_exit_in_window(RECEIVE_BEFORE_HANDLE, 0)
}

/// Use-after-free on close during stop (CVE-2025-38464): the send work of
/// a connection runs while the namespace stops.
fn namespace_exit_during_send() -> CaseResult {
    namespace_exit_in_window(SEND_BEFORE_SEND, 4)
}

/// The stop itself is slowed: connections, queued work and timers in
/// flight meanwhile must all be gone when it returns.
fn namespace_exit_slow_stop() -> CaseResult {
    let base = live()?;
    let ns = Netns::new()?;
    let f = Faults::on(STOP_BEFORE_DRAIN)?;
    in_netns(&ns, || {
        let c = connect()?;
        let mut sub = Subscr::new(6005, 0, 9, TIPC_SUB_PORTS);
        sub.timeout = 50;
        io(c.subscribe(&sub), "subscribe")?;
        io(
            c.subscribe(&Subscr::new(6005, 10, 19, TIPC_SUB_PORTS)),
            "subscribe",
        )?;
        Ok(())
    })?;
    ns.delete()?;
    sleep_ms(4 * DELAY_MS);
    let hit = f.check_hit();
    drop(f);
    settle(base)?;
    hit
}

/// Namespaces created and destroyed in a loop while clients connect,
/// subscribe and leave in them.
fn namespace_churn_n(n: u32) -> CaseResult {
    let base = live()?;
    for i in 0..n {
        let ns = Netns::new()?;
        let leave_open = i % 2 == 0;
        in_netns(&ns, move || {
            for k in 0..4 {
                let c = connect()?;
                io(
                    c.subscribe(&Subscr::new(6006, 0, 9, TIPC_SUB_PORTS)),
                    "subscribe",
                )?;
                let s = io(Socket::rdm(), "socket")?;
                io(s.bind(6006, k, k, Scope::Node), "bind")?;
                if leave_open {
                    // Unread events in flight when the client goes.
                    continue;
                }
                expect_event(&c, 10_000)?;
            }
            Ok(())
        })?;
        ns.delete()?;
    }
    settle(base)?;
    still_serving()
}

fn namespace_churn() -> CaseResult {
    namespace_churn_n(env_u32("CHURN", 20))
}

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn slab_kb() -> Result<u64, String> {
    let m = io(std::fs::read_to_string("/proc/meminfo"), "/proc/meminfo")?;
    m.lines()
        .find_map(|l| l.strip_prefix("Slab:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or("no Slab in /proc/meminfo".into())
}

/// Reads events until the server closes or `n` have come; checks they
/// alternate PUBLISHED/WITHDRAWN over increasing instances, as published.
fn read_in_order(c: &TopologyClient, n: u32, pause_every: u32) -> Result<(u32, bool), String> {
    let mut got = 0;
    while got < n {
        match io(c.next(30_000), "recv")? {
            Recv::Event(e) => {
                let want = if got % 2 == 0 {
                    TIPC_PUBLISHED
                } else {
                    TIPC_WITHDRAWN
                };
                if e.event != want || e.found_lower != got / 2 {
                    return Err(format!("event {got} out of order: {e:?}"));
                }
                got += 1;
                if pause_every > 0 && got % pause_every == 0 {
                    sleep_ms(20);
                }
            }
            Recv::Closed => return Ok((got, true)),
            other => return Err(format!("after {got} events: {other:?}")),
        }
    }
    Ok((got, false))
}

/// A subscriber that never reads and one that reads slowly, while
/// `STALLED_EVENTS` events are generated: kernel memory stays within the
/// queue bound, the stalled one is closed and counted, the slow one gets
/// every event in order or is closed and counted, and the counters
/// balance (queued = sent + discarded on close).
fn stalled_and_slow_subscribers() -> CaseResult {
    const TYPE: u32 = 6010;
    let events = env_u32("STALLED_EVENTS", 20_000) & !1;
    let limit = env_u32("STALLED_LIMIT", 5_000);
    let old_limit = param("event_queue_limit")? as u32;
    set_param("event_queue_limit", limit)?;
    let r = (|| {
        let base = stats()?;
        let delta = |name: &str| -> Result<u64, String> {
            Ok(stat(name)? - base.get(name).copied().unwrap_or(0))
        };
        let stalled = connect()?;
        io(
            stalled.subscribe(&Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS)),
            "subscribe",
        )?;
        let slow = connect()?;
        io(
            slow.subscribe(&Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS)),
            "subscribe",
        )?;
        let slab_before = slab_kb()?;
        let reader = std::thread::spawn(move || read_in_order(&slow, events, 500));
        let s = io(Socket::rdm(), "socket")?;
        let mut slab_peak = slab_before;
        for i in 0..events / 2 {
            io(s.bind(TYPE, i, i, Scope::Node), "bind")?;
            io(s.unbind(TYPE, i, i, Scope::Node), "unbind")?;
            if i % 4096 == 0 {
                slab_peak = slab_peak.max(slab_kb()?);
            }
        }
        slab_peak = slab_peak.max(slab_kb()?);
        let (slow_got, slow_closed) = reader.join().map_err(|_| "reader panicked")??;
        let (stalled_got, stalled_closed) = read_in_order(&stalled, events, 0)?;
        println!(
            "# {events} events, limit {limit}: stalled got {stalled_got} (closed {stalled_closed}), \
             slow got {slow_got} (closed {slow_closed}), slab +{} kB at peak",
            slab_peak.saturating_sub(slab_before)
        );
        if events as u64 > limit as u64 + 64 && !stalled_closed {
            return Err("the stalled subscriber was never closed".into());
        }
        if !slow_closed && slow_got != events {
            return Err(format!("slow subscriber got {slow_got} of {events}"));
        }
        let closed = u64::from(stalled_closed) + u64::from(slow_closed);
        if delta("topology.closed_overflow")? != closed {
            return Err(format!(
                "{closed} closed, closed_overflow rose by {}",
                delta("topology.closed_overflow")?
            ));
        }
        // Two queues at their limit, ~100 bytes an event, and slack.
        let bound_kb = 2 * u64::from(limit) * 100 / 1024 + 16 * 1024;
        if slab_peak.saturating_sub(slab_before) > bound_kb {
            return Err(format!(
                "slab grew {} kB, bound {bound_kb} kB",
                slab_peak - slab_before
            ));
        }
        drop(stalled);
        let end = Instant::now() + SETTLE;
        let conns = *base
            .get("topology.connections")
            .ok_or("no topology.connections")?;
        while stat("topology.connections")? != conns {
            if Instant::now() > end {
                return Err("connections did not close".into());
            }
            sleep_ms(100);
        }
        let (q, sent, disc) = (
            delta("topology.queued")?,
            delta("topology.sent")?,
            delta("topology.discarded_on_close")?,
        );
        if q != sent + disc {
            return Err(format!("queued {q} != sent {sent} + discarded {disc}"));
        }
        Ok(())
    })();
    // The case's own failure first; a failed restore after it.
    let restored = set_param("event_queue_limit", old_limit);
    r?;
    restored?;
    still_serving()
}

const CASES: &[Case] = &[
    ("client_gone_before_setup", client_gone_before_setup),
    ("request_before_setup_served", request_before_setup_served),
    (
        "peer_shutdown_frees_subscriptions",
        peer_shutdown_frees_subscriptions,
    ),
    ("namespace_exit_during_accept", namespace_exit_during_accept),
    (
        "namespace_exit_during_receive",
        namespace_exit_during_receive,
    ),
    ("namespace_exit_during_send", namespace_exit_during_send),
    ("namespace_exit_slow_stop", namespace_exit_slow_stop),
    ("namespace_churn", namespace_churn),
    ("stalled_and_slow_subscribers", stalled_and_slow_subscribers),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let failed = match args.first().map(String::as_str) {
        Some("churn") => {
            let n = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(20);
            let r = namespace_churn_n(n);
            if let Err(e) = &r {
                eprintln!("reliability: churn: {e}");
            }
            usize::from(r.is_err())
        }
        only => run_suite("tipc_reliability", CASES, only),
    };
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
