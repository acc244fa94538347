// SPDX-License-Identifier: GPL-2.0
//! topo-bench: workloads for measuring a topology server. Each prints
//! `BENCH <metric> <value>` per figure and `BENCHTIME <workload> <seconds>`
//! for the guest time its timed part took; scripts/bench.sh runs them for
//! each server build in one guest and compares.
//!
//!   topo-bench throughput SUBS MS   SUBS subscribers on one type, a publisher
//!                                   binding/unbinding for MS ms (SUBS 0: the
//!                                   publisher alone)
//!   topo-bench subrate CONNS MS     batches of 20,000 subscriptions over CONNS
//!                                   connections, until MS ms were spent subscribing
//!   topo-bench latency MS           bind -> PUBLISHED received, for MS ms
//!   topo-bench stalled EVENTS       memory held for a subscriber that never reads
//!   topo-bench submem SUBS          memory per subscription
//!
//! Cost figures come from /proc/stat deltas around the timed part: guest CPU
//! time (all CPUs, every non-idle state) and context switches, divided by the
//! events delivered or the subscriptions made.
//!
//! Synchronisation: a name bound at start ({SYNC_TYPE, 0}) is reported at
//! once to a subscription on it, so that subscription's PUBLISHED event,
//! coming back on a connection, shows that the server has handled every
//! request sent before it on that connection. No timer is involved.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use tipc_tools::*;

/// The pre-bound name that sync() subscribes to.
const SYNC_TYPE: u32 = 2_999_999;
/// Subscriptions per batch in `subrate` (below the 65,535 cap per namespace).
const SUBRATE_BATCH: u32 = 20_000;
/// Instance bound last in `throughput`: readers stop at its PUBLISHED event.
const END: u32 = u32::MAX;

fn die(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("topo-bench: {what}: {e}");
    std::process::exit(1)
}

fn arg(args: &[String], i: usize) -> u32 {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| die("usage", "see the source"))
}

fn connect() -> TopologyClient {
    TopologyClient::connect().unwrap_or_else(|e| die("connect", e))
}

fn sync_subscr() -> Subscr {
    Subscr::new(SYNC_TYPE, 0, 0, TIPC_SUB_PORTS)
}

/// Binds the sync name; keep the socket for as long as sync() is used.
fn sync_anchor() -> Socket {
    let s = Socket::rdm().unwrap_or_else(|e| die("socket", e));
    s.bind(SYNC_TYPE, 0, 0, Scope::Node)
        .unwrap_or_else(|e| die("bind sync name", e));
    s
}

/// Sends the sync subscription on `c` (see wait_sync()).
fn send_sync(c: &TopologyClient) {
    c.subscribe(&sync_subscr())
        .unwrap_or_else(|e| die("subscribe", e));
}

/// Waits for the sync subscription's PUBLISHED event on `c`; other events
/// before it are skipped.
fn wait_sync(c: &TopologyClient) {
    let want = sync_subscr().encode(c.network_order);
    loop {
        match c.next(60_000).unwrap_or_else(|e| die("recv", e)) {
            Recv::Event(e) if e.event == TIPC_PUBLISHED && e.s == want => return,
            Recv::Event(_) => {}
            other => die("sync", format!("{other:?}")),
        }
    }
}

/// Returns once the server has handled everything sent on `c` so far.
fn sync(c: &TopologyClient) {
    send_sync(c);
    wait_sync(c);
}

fn subscribe_synced(c: &TopologyClient, s: &Subscr) {
    c.subscribe(s).unwrap_or_else(|e| die("subscribe", e));
    sync(c);
}

fn report(metric: &str, value: f64) {
    println!("BENCH {metric} {value:.3}");
}

fn report_time(workload: &str, d: Duration) {
    println!("BENCHTIME {workload} {:.3}", d.as_secs_f64());
}

/// CPU time (clock ticks, every CPU) and context switches, from /proc/stat.
#[derive(Clone, Copy, Default)]
struct Stat {
    busy: u64,
    ctxt: u64,
}

impl Stat {
    fn now() -> Stat {
        let text = std::fs::read_to_string("/proc/stat").unwrap_or_else(|e| die("/proc/stat", e));
        let mut st = Stat::default();
        for l in text.lines() {
            let mut f = l.split_whitespace();
            match f.next() {
                // user nice system idle iowait irq softirq steal ...: all but idle, iowait.
                Some("cpu") => {
                    let v: Vec<u64> = f.take(8).map(|x| x.parse().unwrap_or(0)).collect();
                    st.busy = v
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != 3 && *i != 4)
                        .map(|(_, x)| x)
                        .sum();
                }
                Some("ctxt") => st.ctxt = f.next().and_then(|x| x.parse().ok()).unwrap_or(0),
                _ => {}
            }
        }
        st
    }

    fn since(self, before: Stat) -> Stat {
        Stat {
            busy: self.busy - before.busy,
            ctxt: self.ctxt - before.ctxt,
        }
    }

    fn add(&mut self, d: Stat) {
        self.busy += d.busy;
        self.ctxt += d.ctxt;
    }

    /// Reports CPU microseconds and context switches per `n` `unit`s.
    fn report(self, unit: &str, suffix: &str, n: f64) {
        // SAFETY: plain sysconf query.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        report(
            &format!("cpu_us_per_{unit}.{suffix}"),
            self.busy as f64 * 1e6 / hz / n,
        );
        report(&format!("ctxsw_per_{unit}.{suffix}"), self.ctxt as f64 / n);
    }
}

/// Waits until the guest is idle (no CPU time counted over 50 ms, at most
/// one clock tick), so that work left over from an earlier step (a
/// connection's subscriptions being deleted) is not measured with the next.
fn wait_idle() {
    for _ in 0..200 {
        let s0 = Stat::now();
        std::thread::sleep(Duration::from_millis(50));
        if Stat::now().since(s0).busy <= 1 {
            return;
        }
    }
    eprintln!("topo-bench: the guest did not go idle within 10 s");
}

/// SUBS subscribers each receive every event a publisher produces by
/// binding/unbinding for MS ms; SUBS 0 measures the publisher alone. The
/// publisher keeps at most WINDOW events ahead of the slowest subscriber
/// (sleeping while it is that far ahead), so that no server's queue grows
/// past its limit however long the run: delivery is measured in a steady
/// state, not as the drain of an ever-growing backlog.
fn throughput(subs: u32, ms: u32) {
    const TYPE: u32 = 3_000_000;
    /// Well below the Rust server's default event_queue_limit (65,536).
    const WINDOW: u64 = 8192;
    let _anchor = sync_anchor();
    let clients: Vec<TopologyClient> = (0..subs).map(|_| connect()).collect();
    for c in &clients {
        subscribe_synced(c, &Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS));
    }
    let published = Arc::new(AtomicU64::new(0));
    let progress: Arc<Vec<AtomicU64>> = Arc::new((0..subs).map(|_| AtomicU64::new(0)).collect());
    let start = Arc::new(Barrier::new(subs as usize + 1));
    let readers: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            let start = start.clone();
            let published = published.clone();
            let progress = progress.clone();
            std::thread::spawn(move || {
                start.wait();
                let mut n = 0u64;
                loop {
                    match c.next(60_000).unwrap_or_else(|e| die("recv", e)) {
                        Recv::Event(e) if e.event == TIPC_PUBLISHED && e.found_lower == END => {
                            break
                        }
                        Recv::Event(_) => {
                            n += 1;
                            if n.is_multiple_of(64) {
                                progress[k].store(n, Ordering::Relaxed);
                            }
                        }
                        other => die("throughput", format!("event {n}: {other:?}")),
                    }
                }
                let t = Instant::now();
                let want = published.load(Ordering::Acquire);
                if n != want {
                    die("throughput", format!("received {n} events of {want}"));
                }
                t
            })
        })
        .collect();
    let s = Socket::rdm().unwrap_or_else(|e| die("socket", e));
    let dur = Duration::from_millis(ms.into());
    let slowest = || {
        progress
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .min()
            .unwrap_or(u64::MAX)
    };
    wait_idle();
    start.wait();
    let st0 = Stat::now();
    let t0 = Instant::now();
    let mut events = 0u64;
    let mut waited = Duration::ZERO;
    let mut i = 0u32;
    while t0.elapsed() < dur {
        for _ in 0..16 {
            s.bind(TYPE, i, i, Scope::Node)
                .unwrap_or_else(|e| die("bind", e));
            s.unbind(TYPE, i, i, Scope::Node)
                .unwrap_or_else(|e| die("unbind", e));
            i = (i + 1) % 1_000_000;
        }
        events += 32;
        if subs > 0 && events.saturating_sub(slowest()) > WINDOW {
            let w0 = Instant::now();
            while events.saturating_sub(slowest()) > WINDOW {
                std::thread::sleep(Duration::from_millis(1));
            }
            waited += w0.elapsed();
        }
    }
    let pub_time = t0.elapsed() - waited;
    published.store(events, Ordering::Release);
    s.bind(TYPE, END, END, Scope::Node)
        .unwrap_or_else(|e| die("bind", e));
    let last = readers
        .into_iter()
        .map(|r| r.join().unwrap())
        .max()
        .unwrap_or_else(Instant::now);
    let cost = Stat::now().since(st0);
    // The publisher's own rate: time spent waiting for the window left out.
    report(
        &format!("publisher_events_per_s.subs{subs}"),
        events as f64 / pub_time.as_secs_f64(),
    );
    let delivered = events as f64 * subs.max(1) as f64;
    if subs > 0 {
        let d = last.duration_since(t0);
        report(
            &format!("delivered_events_per_s.subs{subs}"),
            delivered / d.as_secs_f64(),
        );
        report_time(&format!("throughput.subs{subs}"), d);
    } else {
        report_time("throughput.subs0", pub_time);
    }
    cost.report("event", &format!("subs{subs}"), delivered);
}

/// Batches of SUBRATE_BATCH subscriptions spread over CONNS connections,
/// each timed until the server has handled all of them, until MS ms of
/// such time; connections are made before and closed after each batch,
/// outside the timed part.
fn subrate(conns: u32, ms: u32) {
    let _anchor = sync_anchor();
    let dur = Duration::from_millis(ms.into());
    let mut timed = Duration::ZERO;
    let mut cost = Stat::default();
    let mut subs = 0u64;
    while timed < dur {
        let clients: Vec<TopologyClient> = (0..conns).map(|_| connect()).collect();
        wait_idle();
        let st0 = Stat::now();
        let t0 = Instant::now();
        for i in 0..SUBRATE_BATCH {
            let c = &clients[(i % conns) as usize];
            c.subscribe(&Subscr::new(3_000_001, i, i, TIPC_SUB_PORTS))
                .unwrap_or_else(|e| die("subscribe", e));
        }
        for c in &clients {
            send_sync(c);
        }
        for c in &clients {
            wait_sync(c);
        }
        timed += t0.elapsed();
        cost.add(Stat::now().since(st0));
        subs += u64::from(SUBRATE_BATCH);
        drop(clients);
        wait_idle();
    }
    report(
        &format!("subscriptions_per_s.conns{conns}"),
        subs as f64 / timed.as_secs_f64(),
    );
    report_time(&format!("subrate.conns{conns}"), timed);
    cost.report("subscription", &format!("conns{conns}"), subs as f64);
}

/// Bind -> PUBLISHED received, in microseconds, for MS ms.
fn latency(ms: u32) {
    const TYPE: u32 = 3_000_002;
    let _anchor = sync_anchor();
    let c = connect();
    subscribe_synced(&c, &Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS));
    let s = Socket::rdm().unwrap_or_else(|e| die("socket", e));
    let dur = Duration::from_millis(ms.into());
    let mut us = Vec::new();
    wait_idle();
    let start = Instant::now();
    let mut i = 0u32;
    while start.elapsed() < dur {
        let t0 = Instant::now();
        s.bind(TYPE, i, i, Scope::Node)
            .unwrap_or_else(|e| die("bind", e));
        match c.next(60_000).unwrap_or_else(|e| die("recv", e)) {
            Recv::Event(e) if e.event == TIPC_PUBLISHED => {}
            other => die("latency", format!("{other:?}")),
        }
        us.push(t0.elapsed().as_secs_f64() * 1e6);
        s.unbind(TYPE, i, i, Scope::Node)
            .unwrap_or_else(|e| die("unbind", e));
        match c.next(60_000).unwrap_or_else(|e| die("recv", e)) {
            Recv::Event(e) if e.event == TIPC_WITHDRAWN => {}
            other => die("latency", format!("{other:?}")),
        }
        i = (i + 1) % 1_000_000;
    }
    report_time("latency", start.elapsed());
    us.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| us[((us.len() - 1) as f64 * p) as usize];
    report("latency_us.p50", pct(0.50));
    report("latency_us.p99", pct(0.99));
    report("latency_us.max", pct(1.0));
}

/// Unreclaimable slab in kB, from /proc/meminfo.
fn slab_kb() -> f64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_else(|e| die("meminfo", e));
    text.lines()
        .find_map(|l| l.strip_prefix("SUnreclaim:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| die("meminfo", "no SUnreclaim"))
}

fn settle() {
    wait_idle();
    std::thread::sleep(Duration::from_millis(500));
}

/// Kernel memory held while a subscriber that never reads gets EVENTS events.
fn stalled(events: u32) {
    const TYPE: u32 = 3_000_003;
    let _anchor = sync_anchor();
    let c = connect();
    subscribe_synced(&c, &Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS));
    settle();
    let before = slab_kb();
    let s = Socket::rdm().unwrap_or_else(|e| die("socket", e));
    for i in 0..events / 2 {
        s.bind(TYPE, i, i, Scope::Node)
            .unwrap_or_else(|e| die("bind", e));
        s.unbind(TYPE, i, i, Scope::Node)
            .unwrap_or_else(|e| die("unbind", e));
    }
    settle();
    let held = slab_kb() - before;
    report(&format!("stalled_subscriber_kb.events{events}"), held);
    report(
        "stalled_subscriber_bytes_per_event",
        held * 1024.0 / events as f64,
    );
    drop(c);
}

/// Kernel memory per subscription.
fn submem(subs: u32) {
    let _anchor = sync_anchor();
    let c = connect();
    settle();
    let before = slab_kb();
    for i in 0..subs {
        c.subscribe(&Subscr::new(3_000_004, i, i, TIPC_SUB_PORTS))
            .unwrap_or_else(|e| die("subscribe", e));
    }
    sync(&c);
    settle();
    report(
        "bytes_per_subscription",
        (slab_kb() - before) * 1024.0 / subs as f64,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("throughput") => throughput(arg(&args, 1), arg(&args, 2)),
        Some("subrate") => subrate(arg(&args, 1), arg(&args, 2)),
        Some("latency") => latency(arg(&args, 1)),
        Some("stalled") => stalled(arg(&args, 1)),
        Some("submem") => submem(arg(&args, 1)),
        _ => die(
            "usage",
            "topo-bench throughput|subrate|latency|stalled|submem ARGS",
        ),
    }
}
