// SPDX-License-Identifier: GPL-2.0
//! Robustness: malformed and mutated requests, connection churn while
//! events flow. Each case ends by checking that the server still serves
//! correctly. `topo-spec stress` is the short run of the test command;
//! `topo-spec stress full` the long one.

use super::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Whether this is the long run.
static FULL: AtomicBool = AtomicBool::new(false);

/// Size of a run: requests fuzzed, connections churned.
fn scale() -> (u32, u32) {
    if FULL.load(Ordering::Relaxed) {
        (200_000, 20_000)
    } else {
        (20_000, 1_000)
    }
}

/// xorshift64*: reproducible from the seed printed with each failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A request: random bytes, or a valid one with a few bytes changed.
fn fuzz_request(rng: &mut Rng, buf: &mut Vec<u8>) {
    buf.clear();
    if rng.below(2) == 0 {
        let len = rng.below(64) as usize;
        buf.extend((0..len).map(|_| rng.next() as u8));
    } else {
        let ty = 5000 + rng.below(4) as u32;
        let lower = rng.below(100) as u32;
        let mut s = Subscr::new(ty, lower, lower + rng.below(100) as u32, TIPC_SUB_PORTS);
        s.timeout = [0, 10, TIPC_WAIT_FOREVER][rng.below(3) as usize];
        buf.extend_from_slice(&s.encode(rng.below(2) == 0));
        for _ in 0..rng.below(4) {
            let i = rng.below(buf.len() as u64) as usize;
            buf[i] = rng.next() as u8;
        }
        if rng.below(8) == 0 {
            buf.truncate(rng.below(SUBSCR_LEN as u64) as usize);
        }
    }
}

/// The server still works: a new subscription sees a new binding.
fn still_serving() -> CaseResult {
    let c = connect()?;
    subscribe(&c, &Subscr::new(5999, 0, 0, TIPC_SUB_PORTS))?;
    let (_s, id) = bound(5999, 0, 0)?;
    check_event(&expect_event(&c)?, TIPC_PUBLISHED, 0, 0, id)
}

fn malformed_requests_fuzz() -> CaseResult {
    let (requests, _) = scale();
    let seed = 0x7fc0_ffee_u64 ^ requests as u64;
    let mut rng = Rng(seed);
    let mut buf = Vec::new();
    let mut sent = 0;
    let mut closed = 0;
    while sent < requests {
        let c = connect()?;
        // Bindings in the fuzzed types make events flow to what survives.
        let _b = bound(5000 + rng.below(4) as u32, rng.below(100) as u32, 200)?;
        for _ in 0..rng.below(50) + 1 {
            fuzz_request(&mut rng, &mut buf);
            if c.send_raw(&buf).is_err() {
                break;
            }
            sent += 1;
        }
        // Drain whatever came, until quiet or closed.
        loop {
            match io(c.next(20), "recv")? {
                Recv::Event(_) => {}
                Recv::Timeout => break,
                Recv::Closed => {
                    closed += 1;
                    break;
                }
                Recv::Malformed(n) => return Err(format!("seed {seed:#x}: {n}-byte message")),
            }
        }
    }
    ensure!(closed > 0, "seed {seed:#x}: no connection was ever closed");
    still_serving()
}

fn connection_churn_under_events() -> CaseResult {
    let (_, cycles) = scale();
    let stop = Arc::new(AtomicBool::new(false));
    let publisher = {
        let stop = stop.clone();
        std::thread::spawn(move || -> Result<u32, String> {
            let s = io(Socket::rdm(), "socket")?;
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                io(s.bind(5100, n % 64, n % 64, Scope::Cluster), "bind")?;
                io(s.unbind(5100, n % 64, n % 64, Scope::Cluster), "unbind")?;
                n += 1;
            }
            Ok(n)
        })
    };
    let mut r = Ok(());
    for i in 0..cycles {
        let step = || -> CaseResult {
            let c = connect()?;
            io(
                c.subscribe(&Subscr::new(5100, 0, 63, TIPC_SUB_PORTS)),
                "subscribe",
            )?;
            if i % 2 == 0 {
                // Leave with events in flight, unread.
                let _ = c.next(1);
            }
            Ok(())
        };
        if let Err(e) = step() {
            r = Err(format!("cycle {i}: {e}"));
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let published = publisher
        .join()
        .map_err(|_| "publisher panicked".to_string())??;
    r?;
    ensure!(published > 0, "the publisher never ran");
    still_serving()
}

const STRESS: &[Case] = &[
    ("malformed_requests_fuzz", malformed_requests_fuzz),
    (
        "connection_churn_under_events",
        connection_churn_under_events,
    ),
];

pub fn run(full: bool) -> usize {
    FULL.store(full, Ordering::Relaxed);
    run_suite("topology_stress", STRESS, None)
}
