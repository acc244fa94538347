// SPDX-License-Identifier: GPL-2.0
//! reliability: the Rust server's race and lifetime scenarios.
//!
//! Each historical upstream bug of the topology server, and each fault
//! found in this server (see Documentation/tipc-rust/reliability.rst), is
//! a scenario here. A scenario runs its server in a namespace of its own,
//! holds it at a fault-injection point there (`fault_points`, `fault_net`,
//! `fault_hold`, `fault_hits` in /sys/module/tipc/parameters), waits until
//! the server is there, makes the other side of the race happen, and only
//! then releases it: the order is the scenario's, not the clock's. Then it
//! checks what a server with the bug would get wrong: objects that outlive their connection or namespace
//! (the `live.*` counters in /proc/net/tipc_server return to their
//! baseline), requests that are lost, a server that no longer serves.
//! Use-after-free and lock misuse are left to KASAN and lockdep, which the
//! test command's log check reads.
//!
//!   reliability [CASE]          the scenarios (KTAP suite tipc_reliability)
//!   reliability churn N         namespace churn with N namespaces
//!   reliability repeat N        each fault scenario N times in a row
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
/// The same file as a thread inside another namespace sees it.
const THREAD_STATS: &str = "/proc/thread-self/net/tipc_server";
const PARAMS: &str = "/sys/module/tipc/parameters";
/// Fault-injection points (`enum tipc_rs_fault`, net/tipc/rust/glue.h).
const ACCEPT_BEFORE_START: usize = 0;
const RECEIVE_BEFORE_HANDLE: usize = 1;
const STOP_BEFORE_DRAIN: usize = 2;
const SEND_BEFORE_SEND: usize = 3;
const SEND_BEFORE_REQUEUE: usize = 4;
const NODE_STATE: usize = 5;
const EXIT_AFTER_STOP: usize = 6;
const FINALIZE: usize = 7;
const SEND_WORK_START: usize = 8;
const RECEIVE_HELD: usize = 9;
/// The longest a held point waits for its release: a bound for a test
/// that dies, never reached by one that runs (checked).
const HOLD_MS: u32 = 300_000;
/// How long objects may take to go after their owner did, and the longest
/// a scenario waits for the server to reach a point. Generous: the guest's
/// clock runs while a busy host starves its vCPU (seen: 26 s without a
/// run), and a bound only decides how long a failing case takes.
const SETTLE: Duration = Duration::from_secs(120);
/// After this long without reaching a point, a scenario makes more work.
const DRIVE_AFTER: Duration = Duration::from_secs(3);

fn io<T>(r: std::io::Result<T>, what: &str) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

fn parse_stats(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
        .collect()
}

fn stats() -> Result<BTreeMap<String, u64>, String> {
    Ok(parse_stats(&io(std::fs::read_to_string(STATS), STATS)?))
}

fn stat(name: &str) -> Result<u64, String> {
    stats()?
        .get(name)
        .copied()
        .ok_or(format!("no {name} in {STATS}"))
}

/// Counter `name` of the servers of namespace `ns`.
fn ns_stat(ns: &Netns, name: &'static str) -> Result<u64, String> {
    in_netns(ns, move || {
        let text = io(std::fs::read_to_string(THREAD_STATS), THREAD_STATS)?;
        parse_stats(&text)
            .get(name)
            .copied()
            .ok_or(format!("no {name} in {THREAD_STATS}"))
    })
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

/// Waits until `cond` holds, for at most [`SETTLE`].
fn wait_for(what: &str, mut cond: impl FnMut() -> Result<bool, String>) -> CaseResult {
    let end = Instant::now() + SETTLE;
    while !cond()? {
        if Instant::now() > end {
            return Err(format!("{what}: not within {SETTLE:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// The network namespaces userspace holds: those of tasks, of open
/// namespace files, and those `ip netns` keeps.
fn held_namespaces() -> Result<usize, String> {
    use std::os::unix::fs::MetadataExt;
    let mut held = std::collections::BTreeSet::new();
    let dir = |p: &str| std::fs::read_dir(p).into_iter().flatten().flatten();
    for proc in dir("/proc").filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok()) {
        let pid = proc.path();
        for task in dir(&format!("{}/task", pid.display())) {
            if let Ok(m) = std::fs::metadata(task.path().join("ns/net")) {
                held.insert(m.ino());
            }
        }
        for fd in dir(&format!("{}/fd", pid.display())) {
            let link = std::fs::read_link(fd.path()).unwrap_or_default();
            let link = link.to_string_lossy();
            if let Some(ino) = link.strip_prefix("net:[").and_then(|l| l.strip_suffix(']')) {
                held.insert(ino.parse().map_err(|_| format!("{link}"))?);
            }
        }
    }
    for ns in dir("/run/netns") {
        if let Ok(m) = std::fs::metadata(ns.path()) {
            held.insert(m.ino());
        }
    }
    Ok(held.len())
}

/// Waits until no namespace is being torn down: every namespace has its
/// two servers, and only the ones userspace holds have servers. What ran
/// before the suite may have deleted namespaces that go only now, and a
/// baseline taken meanwhile would count their servers.
fn no_namespace_going() -> CaseResult {
    let end = Instant::now() + 2 * SETTLE;
    loop {
        let (servers, held) = (live()?.servers, held_namespaces()?);
        if servers == 2 * held as u64 {
            return Ok(());
        }
        if Instant::now() > end {
            println!(
                "# {servers} servers for {held} namespaces after {:?}",
                2 * SETTLE
            );
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The live objects once no client is connected, no subscription is left
/// and no namespace is being torn down: the baseline a scenario starts
/// from. (The scenario before may have just dropped its last client, whose
/// connection closes a moment later, or deleted its namespace, whose
/// servers stop a moment later.)
fn quiescent() -> Result<Live, String> {
    wait_for("no connection, subscription or namespace going", || {
        let l = live()?;
        Ok(
            l.connections == 0
                && l.subscriptions == 0
                && l.servers == 2 * held_namespaces()? as u64,
        )
    })?;
    live()
}

/// Waits until the live objects are back to `base`: whatever a scenario
/// made must go once its clients and namespaces have.
fn settle(base: Live) -> CaseResult {
    wait_for(
        "live objects back to their baseline",
        || Ok(live()? == base),
    )
    .map_err(|e| format!("{e}: {:?}, expected {base:?}", live()))
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

/// `fault_hits`: one count per point.
fn hits() -> Result<Vec<u64>, String> {
    let p = format!("{PARAMS}/fault_hits");
    let v = io(std::fs::read_to_string(&p), &p)?;
    v.trim()
        .split(',')
        .map(|h| h.parse().map_err(|_| format!("{p}: '{v}'")))
        .collect()
}

fn mask(points: &[usize]) -> u32 {
    points.iter().fold(0, |m, p| m | 1 << p)
}

/// Fault injection in one namespace while alive: the server stops at the
/// selected points there, and the held ones wait until released. Off
/// again, and everything released, when dropped.
struct Faults {
    hits: Vec<u64>,
    expired: u64,
}

impl Faults {
    fn on(ns: &Netns, points: &[usize], hold: &[usize]) -> Result<Self, String> {
        set_param("fault_points", 0)?;
        set_param("fault_delay_ms", 0)?;
        set_param("fault_hold_ms", HOLD_MS)?;
        set_param("fault_hold", mask(hold))?;
        set_param("fault_net", ns.inum()?)?;
        let f = Faults {
            hits: hits()?,
            expired: param("fault_expired")?,
        };
        set_param("fault_points", mask(points))?;
        Ok(f)
    }

    /// Times the server has been at `point` in the namespace so far.
    fn hits(&self, point: usize) -> Result<u64, String> {
        let now = hits()?;
        let (Some(now), Some(then)) = (now.get(point), self.hits.get(point)) else {
            return Err(format!("no fault point {point}"));
        };
        Ok(now - then)
    }

    /// Waits until the server is at `point`; whenever it takes
    /// [`DRIVE_AFTER`], `drive` makes more work that passes there.
    fn wait_hit(&self, point: usize, drive: impl FnMut() -> CaseResult) -> CaseResult {
        self.wait_hits(point, 1, drive)
    }

    /// [`Faults::wait_hit`] until the server has been at `point` `n` times.
    fn wait_hits(&self, point: usize, n: u64, mut drive: impl FnMut() -> CaseResult) -> CaseResult {
        let end = Instant::now() + SETTLE;
        let mut next = Instant::now() + DRIVE_AFTER;
        while self.hits(point)? < n {
            if Instant::now() > end {
                return Err(format!("the server never reached fault point {point}"));
            }
            if Instant::now() > next {
                drive()?;
                next = Instant::now() + DRIVE_AFTER;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }

    /// Selects `point` too, from now on, held.
    fn hold(&self, point: usize) -> CaseResult {
        let held = param("fault_hold")? as u32;
        set_param("fault_hold", held | 1 << point)?;
        let points = param("fault_points")? as u32;
        set_param("fault_points", points | 1 << point)
    }

    fn release(&self, point: usize) -> CaseResult {
        let held = param("fault_hold")? as u32;
        set_param("fault_hold", held & !(1 << point))
    }

    /// Releases every point, and checks that none was released by its
    /// time bound: the scenario, not the clock, decided the order.
    fn release_all(&self) -> CaseResult {
        set_param("fault_hold", 0)?;
        let expired = param("fault_expired")? - self.expired;
        if expired > 0 {
            return Err(format!(
                "{expired} hold(s) ended by time, not by the scenario"
            ));
        }
        Ok(())
    }
}

impl Drop for Faults {
    fn drop(&mut self) {
        let _ = set_param("fault_points", 0);
        let _ = set_param("fault_hold", 0);
        let _ = set_param("fault_net", 0);
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

/// Subscribes with `sub` (to names nobody has bound yet) and waits until
/// the server has it: then a zero-timeout subscription of a type nobody
/// binds, sent after it, has timed out (requests on a connection are
/// handled in order).
fn subscribe_synced(c: &TopologyClient, sub: &Subscr) -> CaseResult {
    io(c.subscribe(sub), "subscribe")?;
    let mut sync = Subscr::new(999_998, 0, 0, TIPC_SUB_PORTS);
    sync.timeout = 0;
    io(c.subscribe(&sync), "subscribe")?;
    let e = expect_event(c, 30_000)?;
    if e.event != TIPC_SUBSCR_TIMEOUT || e.s != sync.encode(c.network_order) {
        return Err(format!("expected the sync event, got {e:?}"));
    }
    Ok(())
}

/// A socket bound to instances `0..n` of `ty`, node scope.
fn bound(ty: u32, n: u32) -> Result<Socket, String> {
    bound_from(ty, 0, n)
}

/// A socket bound to instances `first..first + n` of `ty`, node scope.
fn bound_from(ty: u32, first: u32, n: u32) -> Result<Socket, String> {
    let s = io(Socket::rdm(), "socket")?;
    for i in first..first + n {
        io(s.bind(ty, i, i, Scope::Node), "bind")?;
    }
    Ok(s)
}

/// A client of the topology service and the bindings it watches.
struct Watcher {
    client: TopologyClient,
    _bindings: Socket,
}

/// In `ns`: `bindings` instances of `ty` bound, and a client subscribed to
/// all of `ty`; both stay until dropped (and keep `ns` alive until then).
fn watch_in(ns: &Netns, ty: u32, bindings: u32) -> Result<Watcher, String> {
    in_netns(ns, move || {
        let b = bound(ty, bindings)?;
        let c = connect()?;
        io(
            c.subscribe(&Subscr::new(ty, 0, !0, TIPC_SUB_PORTS)),
            "subscribe",
        )?;
        Ok(Watcher {
            client: c,
            _bindings: b,
        })
    })
}

impl Watcher {
    /// One more subscription: more work for the server.
    fn again(&self, ty: u32) -> CaseResult {
        io(
            self.client
                .subscribe(&Subscr::new(ty, 0, !0, TIPC_SUB_PORTS)),
            "subscribe",
        )
    }
}

/// Runs `case` with `event_queue_limit` at `limit`, and puts the old
/// value back however it ends (the case's own failure reported first).
fn with_queue_limit(limit: u32, case: impl FnOnce() -> CaseResult) -> CaseResult {
    let old = param("event_queue_limit")? as u32;
    set_param("event_queue_limit", limit)?;
    let r = case();
    let restored = set_param("event_queue_limit", old);
    r?;
    restored
}

/// Ends a fault scenario: fault injection off, then everything the
/// scenario made must go, and the server still serves.
fn finish(f: Faults, base: Live) -> CaseResult {
    drop(f);
    settle(base)?;
    still_serving()
}

fn nothing() -> CaseResult {
    Ok(())
}

/// Upstream leaked a connection when accept failed half-way, and used a
/// socket before its callbacks were set. Here the client is gone (its
/// request queued) while the server holds its connection before set-up.
/// (One client: the accept work is held, so a second connect would wait.)
fn client_gone_before_setup() -> CaseResult {
    let base = quiescent()?;
    let ns = Netns::new()?;
    let f = Faults::on(&ns, &[ACCEPT_BEFORE_START], &[ACCEPT_BEFORE_START])?;
    let client = in_netns(&ns, || {
        let c = connect()?;
        io(
            c.subscribe(&Subscr::new(6001, 0, 9, TIPC_SUB_PORTS)),
            "subscribe",
        )?;
        Ok(c)
    })?;
    f.wait_hit(ACCEPT_BEFORE_START, nothing)?;
    drop(client);
    f.release_all()?;
    drop(f);
    ns.delete()?;
    settle(base)?;
    still_serving()
}

/// A request that arrives before the connection's callbacks are set must
/// still be read: its initial status comes back.
fn request_before_setup_served() -> CaseResult {
    let ns = Netns::new()?;
    let f = Faults::on(&ns, &[ACCEPT_BEFORE_START], &[ACCEPT_BEFORE_START])?;
    let w = watch_in(&ns, 6002, 1)?;
    f.wait_hit(ACCEPT_BEFORE_START, nothing)?;
    f.release_all()?;
    let e = expect_event(&w.client, 10_000)?;
    if e.event != TIPC_PUBLISHED || e.found_lower != 0 {
        return Err(format!("unexpected event {e:?}"));
    }
    Ok(())
}

/// Upstream never closed a connection whose peer shut down in order, so
/// its subscriptions stayed until the namespace cap.
fn peer_shutdown_frees_subscriptions() -> CaseResult {
    let base = quiescent()?;
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

/// Holds the server of a fresh namespace at `point` with work of a client
/// there (`bindings` names watched), then deletes the namespace and
/// releases the point only once the servers' stop has begun: the stop
/// meets that work in flight. Everything of the namespace must go.
fn namespace_exit_in_window(point: usize, bindings: u32) -> CaseResult {
    const TYPE: u32 = 6004;
    let base = quiescent()?;
    let ns = Netns::new()?;
    let f = Faults::on(
        &ns,
        &[point, STOP_BEFORE_DRAIN],
        &[point, STOP_BEFORE_DRAIN],
    )?;
    let w = watch_in(&ns, TYPE, bindings)?;
    f.wait_hit(point, || w.again(TYPE))?;
    // The client goes: nothing holds the namespace any more.
    drop(w);
    exit_meets_held(f, ns, base)
}

/// Deletes `ns` while `f` holds work of its server, and releases that work
/// only once the servers' stop has begun (`STOP_BEFORE_DRAIN`, held):
/// the stop goes first (a correct one waits for the held work; one that
/// does not closes the connection under it), then the held work.
fn exit_meets_held(f: Faults, ns: Netns, base: Live) -> CaseResult {
    ns.delete()?;
    f.wait_hit(STOP_BEFORE_DRAIN, nothing)?;
    f.release(STOP_BEFORE_DRAIN)?;
    sleep_ms(300);
    f.release_all()?;
    finish(f, base)
}

/// Upstream dereferenced NULL when the namespace exited during accept,
/// and a close that raced the set-up of callbacks left the connection
/// behind.
fn namespace_exit_during_accept() -> CaseResult {
    namespace_exit_in_window(ACCEPT_BEFORE_START, 0)
}

/// A receive racing the close left an orphan subscription upstream: the
/// request is handled after the namespace's server has begun to stop.
fn namespace_exit_during_receive() -> CaseResult {
    namespace_exit_in_window(RECEIVE_BEFORE_HANDLE, 0)
}

/// The namespace goes while a receive holds its socket for a request, and
/// the events of the names withdrawn meanwhile wait for the run to let
/// go: no send work starts while it holds (it would only wait for the
/// socket), the run queues it after the request, the stop waits for both,
/// and nothing is left. A regression test of the hold: with the socket
/// held, a close waits for the request, so it cannot show the orphan
/// subscription of [`namespace_exit_during_receive`].
fn namespace_exit_during_held_receive() -> CaseResult {
    const TYPE: u32 = 6004;
    let base = quiescent()?;
    let ns = Netns::new()?;
    let f = Faults::on(
        &ns,
        &[STOP_BEFORE_DRAIN, SEND_WORK_START],
        &[STOP_BEFORE_DRAIN],
    )?;
    let w = watch_in(&ns, TYPE, 4)?;
    for _ in 0..4 {
        expect_event(&w.client, 30_000)?;
    }
    // The next request is held with the socket (once the send work of
    // those events is idle: until then the run does not hold).
    f.hold(RECEIVE_HELD)?;
    w.again(TYPE)?;
    f.wait_hit(RECEIVE_HELD, || w.again(TYPE))?;
    let sends = f.hits(SEND_WORK_START)?;
    let queued = ns_stat(&ns, "topology.queued")?;
    // The client goes (its shutdown waits in the socket's backlog), then
    // its names: 4 withdrawal events for the still open connection, whose
    // send work waits for the run to let go.
    drop(w);
    wait_for("the withdrawal events queued", || {
        Ok(ns_stat(&ns, "topology.queued")? >= queued + 4)
    })?;
    // Time for a send work queued with them to start (it would not have,
    // on a correct server, however long this is: the connection is never
    // congested, so no `write_space` queues one, and nothing else in the
    // namespace sends).
    sleep_ms(500);
    let started = f.hits(SEND_WORK_START)? - sends;
    if started != 0 {
        f.release_all()?;
        return Err(format!(
            "{started} send run(s) started while the receive run held the socket"
        ));
    }
    exit_meets_held(f, ns, base)
}

/// The events a push makes due while the receive run holds the socket
/// reach the client once the run lets go: the push leaves the send work
/// to the run (`send_deferred`), and a run that let go without queueing
/// it would leave them queued for good (a later push does not queue a
/// send work it takes for due).
fn held_receive_delivers_after_release() -> CaseResult {
    const TYPE: u32 = 6008;
    let base = quiescent()?;
    let ns = Netns::new()?;
    let f = Faults::on(&ns, &[], &[])?;
    let Watcher {
        client,
        _bindings: bindings,
    } = watch_in(&ns, TYPE, 4)?;
    for _ in 0..4 {
        expect_event(&client, 30_000)?;
    }
    let again = || {
        io(
            client.subscribe(&Subscr::new(TYPE + 1, 0, !0, TIPC_SUB_PORTS)),
            "subscribe",
        )
    };
    f.hold(RECEIVE_HELD)?;
    again()?;
    f.wait_hit(RECEIVE_HELD, again)?;
    let queued = ns_stat(&ns, "topology.queued")?;
    // Withdrawn while the run holds the socket: 4 events, deferred.
    drop(bindings);
    wait_for("the withdrawal events queued", || {
        Ok(ns_stat(&ns, "topology.queued")? >= queued + 4)
    })?;
    f.release_all()?;
    for i in 0..4 {
        let e = expect_event(&client, 30_000)
            .map_err(|e| format!("withdrawal {i} after the hold: {e}"))?;
        if e.event != TIPC_WITHDRAWN {
            return Err(format!("expected a withdrawal, got {e:?}"));
        }
    }
    drop(client);
    ns.delete()?;
    finish(f, base)
}

/// A send run that sleeps holds up no other connection's sends: with one
/// send work stopped at `SEND_BEFORE_SEND` (held, as if it slept in the
/// socket's lock or in `Service::sent`), another connection's send work of the
/// same server reaches the point too. Were the send buffer the server's,
/// the second would sleep on it for as long as the first is held: longer
/// than the wait here ([`SETTLE`] < [`HOLD_MS`]).
fn sleeping_send_holds_up_no_other() -> CaseResult {
    const A: u32 = 6006;
    const B: u32 = 6007;
    let base = quiescent()?;
    let ns = Netns::new()?;
    let f = Faults::on(&ns, &[], &[])?;
    let a = watch_in(&ns, A, 1)?;
    let b = watch_in(&ns, B, 1)?;
    expect_event(&a.client, 30_000)?;
    expect_event(&b.client, 30_000)?;
    f.hold(SEND_BEFORE_SEND)?;
    let more_a = in_netns(&ns, || bound_from(A, 1, 1))?;
    f.wait_hit(SEND_BEFORE_SEND, nothing)?;
    let queued = ns_stat(&ns, "topology.queued")?;
    let more_b = in_netns(&ns, || bound_from(B, 1, 1))?;
    let reached = f.wait_hits(SEND_BEFORE_SEND, 2, nothing);
    let b_queued = ns_stat(&ns, "topology.queued")? > queued;
    f.release_all()?;
    match (reached, b_queued) {
        (Ok(()), _) => {}
        (Err(_), true) => {
            return Err(
                "a send work slept while another connection's send work was held".to_string(),
            )
        }
        (Err(e), false) => return Err(format!("the second event was never queued: {e}")),
    }
    // Both get their new instance (1) once released.
    for w in [&a, &b] {
        let e = expect_event(&w.client, 30_000)?;
        if e.event != TIPC_PUBLISHED || e.found_lower != 1 {
            return Err(format!("expected instance 1 published, got {e:?}"));
        }
    }
    drop((a, b, more_a, more_b));
    ns.delete()?;
    finish(f, base)
}

/// Use-after-free on close during stop (CVE-2025-38464): the send work of
/// a connection runs while the namespace stops.
fn namespace_exit_during_send() -> CaseResult {
    namespace_exit_in_window(SEND_BEFORE_SEND, 4)
}

/// The stop itself is held: connections, queued work and timers that fire
/// meanwhile must all be gone when it returns.
fn namespace_exit_slow_stop() -> CaseResult {
    let base = quiescent()?;
    let ns = Netns::new()?;
    let f = Faults::on(&ns, &[STOP_BEFORE_DRAIN], &[STOP_BEFORE_DRAIN])?;
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
    f.wait_hit(STOP_BEFORE_DRAIN, nothing)?;
    // The subscription's timer fires while the stop is held.
    sleep_ms(200);
    f.release_all()?;
    finish(f, base)
}

/// Releases a send work held where it re-queues itself only after the
/// namespace's stop has begun and has had time to reach its drain, so
/// that the re-queue lands while the stop waits for that work; the
/// re-queued run is held as it starts. A stop that flushes instead of
/// draining returns without it and the namespace's exit goes on
/// (`EXIT_AFTER_STOP`, which fails the scenario); the run, released then,
/// holds the last reference to the server and runs its destructor after
/// the exit (the configuration server's from its own queue's worker: a
/// hang, and objects that never go). A stop that drains waits for the
/// run, so the exit is not reached; after a second the run is released
/// all the same. (The first stop of a namespace is its topology server's,
/// then the configuration server's. If the stop is slower than the pause
/// here, the re-queue comes first and the scenario cannot tell; nor if
/// the exit takes longer than the second. It never fails a correct
/// server.)
fn stop_meets_requeue(f: &Faults, ns: Netns, client: impl FnOnce()) -> CaseResult {
    client();
    ns.delete()?;
    f.wait_hit(STOP_BEFORE_DRAIN, nothing)?;
    f.release(STOP_BEFORE_DRAIN)?;
    sleep_ms(300);
    f.hold(SEND_WORK_START)?;
    f.release(SEND_BEFORE_REQUEUE)?;
    f.wait_hit(SEND_WORK_START, nothing)?;
    let end = Instant::now() + Duration::from_secs(1);
    while f.hits(EXIT_AFTER_STOP)? == 0 && Instant::now() < end {
        sleep_ms(20);
    }
    let exited = f.hits(EXIT_AFTER_STOP)? > 0;
    f.release_all()?;
    ensure!(
        !exited,
        "the namespace's exit went on while a re-queued send work was pending"
    );
    Ok(())
}

/// The topology server's send work past its budget re-queues itself
/// while the namespace stops.
fn stop_waits_for_requeued_send() -> CaseResult {
    const TYPE: u32 = 6007;
    let base = quiescent()?;
    let ns = Netns::new()?;
    let points = [SEND_BEFORE_REQUEUE, STOP_BEFORE_DRAIN];
    let f = Faults::on(
        &ns,
        &[SEND_BEFORE_REQUEUE, STOP_BEFORE_DRAIN, EXIT_AFTER_STOP],
        &points,
    )?;
    // More events than one run of the send work sends.
    let w = watch_in(&ns, TYPE, 100)?;
    f.wait_hit(SEND_BEFORE_REQUEUE, || w.again(TYPE))?;
    stop_meets_requeue(&f, ns, || drop(w))?;
    finish(f, base)
}

/// The configuration service's send work past its budget re-queues
/// itself while the namespace stops (a flood of requests).
fn config_stop_waits_for_requeued_send() -> CaseResult {
    let base = quiescent()?;
    let ns = Netns::new()?;
    ns.exec(&["/sbin/tipc", "node", "set", "addr", "1.1.77"])?;
    let addr = tipc_addr(1, 1, 77);
    let points = [SEND_BEFORE_SEND, SEND_BEFORE_REQUEUE, STOP_BEFORE_DRAIN];
    let f = Faults::on(&ns, &[&points[..], &[EXIT_AFTER_STOP]].concat(), &points)?;
    // Requests that the service handles while its first send is held, so
    // that its send work finds more replies than one run sends.
    let requests = 100u32;
    let client = in_netns(&ns, move || {
        let c = io(Socket::rdm(), "socket")?;
        let to = SocketAddr::Service {
            ty: TIPC_NODE_STATE,
            instance: addr,
            domain: 0,
        };
        let noop = tipc_tools::cfg::encode_request(tipc_tools::cfg::TIPC_CMD_NOOP, None);
        for _ in 0..requests {
            io(c.send_to(&noop, to), "request")?;
        }
        Ok(c)
    })?;
    f.wait_hit(SEND_BEFORE_SEND, nothing)?;
    wait_for("replies queued", || {
        Ok(ns_stat(&ns, "config.reply_queue")? >= u64::from(requests))
    })?;
    f.release(SEND_BEFORE_SEND)?;
    f.wait_hit(SEND_BEFORE_REQUEUE, nothing)?;
    stop_meets_requeue(&f, ns, || drop(client))?;
    finish(f, base)
}

/// `tipc_net_finalize()` can run after the servers' namespace exit (it is
/// stopped only by TIPC's own, later, exit): a node whose address trial
/// ends then asks the servers, which are gone, for its node-state name.
/// The scenario holds the finalize until the namespace's exit is held
/// after the servers are gone, then lets it run.
fn node_state_after_servers_gone() -> CaseResult {
    let base = quiescent()?;
    let ns = Netns::new()?;
    ns.exec(&[
        "/sbin/ip", "link", "add", "tvx0", "type", "veth", "peer", "name", "tvy0",
    ])?;
    ns.exec(&["/sbin/ip", "link", "set", "tvx0", "up"])?;
    ns.exec(&["/sbin/ip", "link", "set", "tvy0", "up"])?;
    let f = Faults::on(
        &ns,
        &[FINALIZE, EXIT_AFTER_STOP, NODE_STATE],
        &[FINALIZE, EXIT_AFTER_STOP],
    )?;
    // No address: the bearer starts the node's address trial, whose end
    // (a second later) queues the finalize.
    ns.exec(&[
        "/sbin/tipc",
        "bearer",
        "enable",
        "media",
        "eth",
        "dev",
        "tvx0",
    ])?;
    f.wait_hit(FINALIZE, nothing)?;
    ns.delete()?;
    f.wait_hit(EXIT_AFTER_STOP, nothing)?;
    f.release(FINALIZE)?;
    f.wait_hit(NODE_STATE, nothing)?;
    f.release_all()?;
    finish(f, base)
}

/// A subscriber that never reads and keeps subscribing to names that
/// exist: each subscription's initial report goes past the queue limit
/// (the report is the name table's, it cannot be cut), but a subscription
/// that arrives when the queue holds its limit closes the connection, so
/// the queue never holds more than the limit and one report.
fn subscribe_past_full_queue_closes() -> CaseResult {
    const TYPE: u32 = 6008;
    const NAMES: u32 = 50;
    const LIMIT: u32 = 100;
    with_queue_limit(LIMIT, || {
        let ns = Netns::new()?;
        let w = watch_in(&ns, TYPE, NAMES)?;
        // Far more events than the connection's flow-control window (512
        // messages) and the limit together.
        for _ in 0..40 {
            if w.again(TYPE).is_err() {
                break; // closed by the server meanwhile
            }
        }
        wait_for("the connection closed", || {
            Ok(ns_stat(&ns, "topology.connections")? == 0)
        })?;
        let closed = ns_stat(&ns, "topology.closed_overflow")?;
        let high = ns_stat(&ns, "topology.queue_high_water")?;
        if closed != 1 {
            return Err(format!("closed_overflow {closed}, expected 1"));
        }
        if high > u64::from(LIMIT + NAMES) {
            return Err(format!(
                "queue reached {high} events; bound: limit {LIMIT} + one report of {NAMES}"
            ));
        }
        Ok(())
    })
}

/// Namespaces created and destroyed in a loop while clients connect,
/// subscribe and leave in them.
fn namespace_churn_n(n: u32) -> CaseResult {
    let base = quiescent()?;
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
    with_queue_limit(limit, || {
        // No connection from before (the scenario before may have just
        // dropped its last client): one closing during the run would move
        // the connection count below the baseline, and the counters.
        let live = quiescent()?;
        let base = stats()?;
        let delta = |name: &str| -> Result<u64, String> {
            Ok(stat(name)? - base.get(name).copied().unwrap_or(0))
        };
        let stalled = connect()?;
        subscribe_synced(&stalled, &Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS))?;
        let slow = connect()?;
        subscribe_synced(&slow, &Subscr::new(TYPE, 0, !0, TIPC_SUB_PORTS))?;
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
        settle(live)
    })?;
    still_serving()
}

/// Threads named after the TIPC servers' workqueues: a rescuer is
/// `kworker/R-<queue>`, the queues are `tipc_*`.
fn tipc_threads() -> Result<usize, String> {
    let procs = io(std::fs::read_dir("/proc"), "/proc")?;
    Ok(procs
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("comm")).ok())
        .filter(|comm| comm.starts_with("tipc") || comm.starts_with("kworker/R-tipc"))
        .count())
}

/// New namespaces cost the servers no thread: upstream's queues have no
/// rescuer, and neither may ours (a `WQ_MEM_RECLAIM` queue has one each).
/// Runs for every server variant (it only reads /proc).
fn namespaces_add_no_threads() -> CaseResult {
    let before = tipc_threads()?;
    let namespaces = (0..10)
        .map(|_| Netns::new())
        .collect::<Result<Vec<_>, _>>()?;
    let after = tipc_threads()?;
    drop(namespaces);
    println!(
        "# 10 namespaces: {} new tipc threads",
        after.saturating_sub(before)
    );
    ensure!(
        after <= before,
        "10 namespaces added {} tipc threads",
        after - before
    );
    Ok(())
}

/// Group messaging learns of members through kernel subscriptions of the
/// topology service. A flood of members joining and leaving while every
/// send work that starts is held (each sleeps at the point, in a kworker
/// of its own, and its CPU starts the next: about 300 kworkers, which the
/// pool reaps minutes later) must neither close those subscriptions
/// (membership events would stop for good) nor grow memory with the
/// flood: members that came and went unseen are never told, and those
/// that stay are.
fn group_membership_survives_flood() -> CaseResult {
    const GROUP: u32 = 7100;
    const FLOOD: u32 = 300;
    const LIMIT: u32 = 50;
    with_queue_limit(LIMIT, || {
        let base = quiescent()?;
        let ns = Netns::new()?;
        let join = move |instance: u32, events: bool| -> Result<Socket, String> {
            let s = io(Socket::rdm(), "socket")?;
            io(s.join_group(GROUP, instance, events), "join")?;
            Ok(s)
        };
        let (a, b) = in_netns(&ns, move || Ok((join(1, true)?, join(2, false)?)))?;
        let mut view = Members::default();
        view.read_until(&a, |v| v.len() == 1)?;
        let f = Faults::on(&ns, &[SEND_BEFORE_SEND], &[SEND_BEFORE_SEND])?;
        let e = in_netns(&ns, move || join(5, false))?;
        f.wait_hit(SEND_BEFORE_SEND, nothing)?;
        in_netns(&ns, move || {
            for i in 0..FLOOD {
                drop(join(100 + i, false)?);
            }
            Ok(())
        })?;
        f.release_all()?;
        drop(f);
        let d = in_netns(&ns, move || join(4, false))?;
        let want: Vec<SocketAddr> = [&b, &e, &d]
            .iter()
            .map(|s| io(s.id(), "getsockname").map(|(port, node)| SocketAddr::Id { port, node }))
            .collect::<Result<_, _>>()?;
        view.read_until(&a, |v| want.iter().all(|m| v.contains(m)))?;
        ensure!(
            view.len() == 3,
            "members seen: {:?}, expected {want:?}",
            view.0
        );
        for (name, expect) in [
            ("topology.closed_overflow", 0),
            ("topology.closed_no_memory", 0),
        ] {
            let got = ns_stat(&ns, name)?;
            ensure!(got == expect, "{name} {got}, expected {expect}");
        }
        drop((a, b, d, e));
        ns.delete()?;
        settle(base)
    })
}

/// The members a group socket has been told of (join and leave events):
/// those joined and not left since.
#[derive(Default)]
struct Members(Vec<SocketAddr>);

impl Members {
    fn len(&self) -> usize {
        self.0.len()
    }

    /// Reads membership events into the view until `done` says so.
    fn read_until(&mut self, s: &Socket, done: impl Fn(&Vec<SocketAddr>) -> bool) -> CaseResult {
        let end = Instant::now() + SETTLE;
        let mut buf = [0u8; 64];
        while !done(&self.0) {
            ensure!(Instant::now() < end, "members seen: {:?}", self.0);
            let Some((_, flags, from)) = io(s.recv_msg(&mut buf, 1000), "recv")? else {
                continue;
            };
            ensure!(
                flags & libc::MSG_OOB != 0,
                "a message that is no membership event"
            );
            if flags & libc::MSG_EOR != 0 {
                // A member that leaves before this socket's group took it
                // into service is reported gone without having been
                // reported (group.c: its JOIN came, its binding's event
                // not yet): nothing to take out then.
                self.0.retain(|m| *m != from);
            } else {
                ensure!(!self.0.contains(&from), "{from:?} joined twice");
                self.0.push(from);
            }
        }
        Ok(())
    }
}

const CASES: &[Case] = &[
    ("client_gone_before_setup", client_gone_before_setup),
    ("stop_waits_for_requeued_send", stop_waits_for_requeued_send),
    (
        "config_stop_waits_for_requeued_send",
        config_stop_waits_for_requeued_send,
    ),
    (
        "node_state_after_servers_gone",
        node_state_after_servers_gone,
    ),
    (
        "subscribe_past_full_queue_closes",
        subscribe_past_full_queue_closes,
    ),
    (
        "group_membership_survives_flood",
        group_membership_survives_flood,
    ),
    ("namespaces_add_no_threads", namespaces_add_no_threads),
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
    (
        "namespace_exit_during_held_receive",
        namespace_exit_during_held_receive,
    ),
    ("namespace_exit_during_send", namespace_exit_during_send),
    (
        "sleeping_send_holds_up_no_other",
        sleeping_send_holds_up_no_other,
    ),
    (
        "held_receive_delivers_after_release",
        held_receive_delivers_after_release,
    ),
    ("namespace_exit_slow_stop", namespace_exit_slow_stop),
    ("namespace_churn", namespace_churn),
    ("stalled_and_slow_subscribers", stalled_and_slow_subscribers),
];

/// The scenarios that hold the server at fault-injection points: the ones
/// `repeat` runs again and again.
const FAULT_CASES: &[Case] = &[
    ("client_gone_before_setup", client_gone_before_setup),
    ("request_before_setup_served", request_before_setup_served),
    ("namespace_exit_during_accept", namespace_exit_during_accept),
    (
        "namespace_exit_during_receive",
        namespace_exit_during_receive,
    ),
    (
        "namespace_exit_during_held_receive",
        namespace_exit_during_held_receive,
    ),
    ("namespace_exit_during_send", namespace_exit_during_send),
    (
        "sleeping_send_holds_up_no_other",
        sleeping_send_holds_up_no_other,
    ),
    (
        "held_receive_delivers_after_release",
        held_receive_delivers_after_release,
    ),
    ("namespace_exit_slow_stop", namespace_exit_slow_stop),
    ("stop_waits_for_requeued_send", stop_waits_for_requeued_send),
    (
        "config_stop_waits_for_requeued_send",
        config_stop_waits_for_requeued_send,
    ),
    (
        "node_state_after_servers_gone",
        node_state_after_servers_gone,
    ),
    (
        "group_membership_survives_flood",
        group_membership_survives_flood,
    ),
];

/// Each fault scenario `n` times in a row, as cases `NAME_1` .. `NAME_n`.
fn repeat(n: u32) -> usize {
    let mut cases: Vec<Case> = Vec::new();
    for &(name, f) in FAULT_CASES {
        for i in 1..=n {
            // Case names live as long as the process.
            let name: &'static str = Box::leak(format!("{name}_{i}").into_boxed_str());
            cases.push((name, f));
        }
    }
    run_suite("tipc_reliability_repeat", &cases, None)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let failed = match args.first().map(String::as_str) {
        Some("repeat") => {
            if let Err(e) = no_namespace_going() {
                println!("# {e}");
            }
            repeat(args.get(1).and_then(|v| v.parse().ok()).unwrap_or(20))
        }
        Some("churn") => {
            let n = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(20);
            let r = namespace_churn_n(n);
            if let Err(e) = &r {
                eprintln!("reliability: churn: {e}");
            }
            usize::from(r.is_err())
        }
        only => {
            if let Err(e) = no_namespace_going() {
                println!("# {e}");
            }
            run_suite("tipc_reliability", CASES, only)
        }
    };
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
