// SPDX-License-Identifier: GPL-2.0
//! topo-bench: workloads for measuring a topology server. Each prints one
//! line `BENCH <metric> <value>` per figure; scripts/bench.sh runs them for
//! each server build in one guest and compares.
//!
//!   topo-bench throughput SUBS EVENTS   SUBS subscribers on one type, a
//!                                       publisher binding/unbinding EVENTS times
//!   topo-bench subrate SUBS CONNS       SUBS subscriptions over CONNS connections
//!   topo-bench latency SAMPLES          bind -> PUBLISHED received
//!   topo-bench stalled EVENTS           memory held for a subscriber that never reads
//!   topo-bench submem SUBS              memory per subscription

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use tipc_tools::*;

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

/// Subscribes and waits until the server has handled it (a zero-timeout
/// subscription's timeout event comes back after it).
fn subscribe_synced(c: &TopologyClient, s: &Subscr) {
    c.subscribe(s).unwrap_or_else(|e| die("subscribe", e));
    sync(c);
}

fn sync(c: &TopologyClient) {
    let mut s = Subscr::new(999_999, 0, 0, TIPC_SUB_PORTS);
    s.timeout = 0;
    c.subscribe(&s).unwrap_or_else(|e| die("subscribe", e));
    loop {
        match c.next(60_000).unwrap_or_else(|e| die("recv", e)) {
            Recv::Event(e) if e.event == TIPC_SUBSCR_TIMEOUT => return,
            Recv::Event(_) => {}
            other => die("sync", format!("{other:?}")),
        }
    }
}

fn report(metric: &str, value: f64) {
    println!("BENCH {metric} {value:.1}");
}

/// SUBS subscribers each receive every one of EVENTS events.
fn throughput(subs: u32, events: u32) {
    const TYPE: u32 = 3_000_000;
    let clients: Vec<TopologyClient> = (0..subs).map(|_| connect()).collect();
    for c in &clients {
        subscribe_synced(c, &Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS));
    }
    let start = Arc::new(Barrier::new(subs as usize + 1));
    let readers: Vec<_> = clients
        .into_iter()
        .map(|c| {
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                for n in 0..events {
                    match c.next(60_000).unwrap_or_else(|e| die("recv", e)) {
                        Recv::Event(_) => {}
                        other => die("throughput", format!("event {n}: {other:?}")),
                    }
                }
                Instant::now()
            })
        })
        .collect();
    let s = Socket::rdm().unwrap_or_else(|e| die("socket", e));
    start.wait();
    let t0 = Instant::now();
    for i in 0..events / 2 {
        s.bind(TYPE, i, i, Scope::Node)
            .unwrap_or_else(|e| die("bind", e));
        s.unbind(TYPE, i, i, Scope::Node)
            .unwrap_or_else(|e| die("unbind", e));
    }
    let published = t0.elapsed();
    let last = readers
        .into_iter()
        .map(|r| r.join().unwrap())
        .max()
        .unwrap();
    let delivered = last.duration_since(t0);
    report(
        &format!("publisher_events_per_s.subs{subs}"),
        events as f64 / published.as_secs_f64(),
    );
    report(
        &format!("delivered_events_per_s.subs{subs}"),
        (events as f64 * subs as f64) / delivered.as_secs_f64(),
    );
}

/// SUBS subscriptions spread over CONNS connections, until all are in place.
fn subrate(subs: u32, conns: u32) {
    let clients: Vec<TopologyClient> = (0..conns).map(|_| connect()).collect();
    let t0 = Instant::now();
    for i in 0..subs {
        let c = &clients[(i % conns) as usize];
        c.subscribe(&Subscr::new(3_000_001, i, i, TIPC_SUB_PORTS))
            .unwrap_or_else(|e| die("subscribe", e));
    }
    for c in &clients {
        sync(c);
    }
    report(
        &format!("subscriptions_per_s.conns{conns}"),
        subs as f64 / t0.elapsed().as_secs_f64(),
    );
}

/// Bind -> PUBLISHED received, in microseconds.
fn latency(samples: u32) {
    const TYPE: u32 = 3_000_002;
    let c = connect();
    subscribe_synced(&c, &Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS));
    let s = Socket::rdm().unwrap_or_else(|e| die("socket", e));
    let mut us = Vec::with_capacity(samples as usize);
    for i in 0..samples {
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
        let _ = c.next(60_000);
    }
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
    std::thread::sleep(Duration::from_millis(500));
}

/// Kernel memory held while a subscriber that never reads gets EVENTS events.
fn stalled(events: u32) {
    const TYPE: u32 = 3_000_003;
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
