// SPDX-License-Identifier: GPL-2.0
//! Random and mutated requests: every one the service must answer gets
//! exactly one reply with a well-formed header (tcm_len the reply's length,
//! request flag clear, the request's type and reserved bytes copied) and a
//! well-formed TLV list, every one it must drop (no whole header, tcm_len
//! not the bytes sent, flags not exactly TCM_F_REQUEST; see
//! [`dropped`]) gets none, and the service keeps answering.
//!
//! The requests start from valid ones, tagged with their number in the
//! reserved bytes (so a reply to an earlier request cannot pass for the
//! current one), and are mutated: bytes flipped, cut, extended, lengths,
//! types, commands and flags changed, or replaced by random bytes.  Every
//! name in them is one no node has, so a request that a faulty service
//! obeyed would still change nothing.

use super::malformed::dropped;
use super::peer::{first, Level};
use super::*;
use std::sync::OnceLock;
use tipc_tools::cfg::*;

/// Requests of the cluster suite's fuzz case unless `CFG_FUZZ` says.
const DEFAULT_N: usize = 5000;
/// How long to listen for a reply too many at the end.
const QUIET_MS: i32 = 300;

/// xorshift64*: small, fast, and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// The seed from `CFG_SEED`, else from the clock.
fn seed() -> u64 {
    std::env::var("CFG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// Valid requests of every shape the service knows, and a few it does not.
fn bases() -> Result<Vec<Vec<u8>>, String> {
    let link = "fuzz-link";
    let r = encode_request;
    Ok(vec![
        r(TIPC_CMD_NOOP, None),
        r(TIPC_CMD_GET_NODES, None),
        r(TIPC_CMD_GET_MEDIA_NAMES, None),
        r(TIPC_CMD_GET_BEARER_NAMES, None),
        r(TIPC_CMD_GET_LINKS, Some(&Tlv::net_addr(0))),
        r(
            TIPC_CMD_SHOW_NAME_TABLE,
            Some(&Tlv::name_table_query(4 | TIPC_NTQ_ALLTYPES, 0, 0, 0)),
        ),
        r(
            TIPC_CMD_SHOW_NAME_TABLE,
            Some(&Tlv::name_table_query(2, 0, 1, 0x0fff_ffff)),
        ),
        r(TIPC_CMD_SHOW_PORTS, None),
        r(
            TIPC_CMD_SHOW_LINK_STATS,
            Some(&Tlv::link_name("broadcast-link")?),
        ),
        r(TIPC_CMD_SHOW_LINK_STATS, Some(&Tlv::link_name(link)?)),
        r(TIPC_CMD_SHOW_STATS, None),
        r(TIPC_CMD_GET_NETID, None),
        r(TIPC_CMD_SET_LINK_TOL, Some(&Tlv::link_config(link, 1000)?)),
        r(TIPC_CMD_SET_LINK_PRI, Some(&Tlv::link_config(link, 5)?)),
        r(
            TIPC_CMD_SET_LINK_WINDOW,
            Some(&Tlv::link_config(link, 100)?),
        ),
        r(
            TIPC_CMD_ENABLE_BEARER,
            Some(&Tlv::bearer_config("eth:fuzz0", TIPC_MEDIA_LINK_PRI, 0)?),
        ),
        r(
            TIPC_CMD_DISABLE_BEARER,
            Some(&Tlv::bearer_name("eth:fuzz0")?),
        ),
        r(TIPC_CMD_RESET_LINK_STATS, Some(&Tlv::link_name(link)?)),
        r(TIPC_CMD_SET_NODE_ADDR, Some(&Tlv::net_addr(0))),
        r(TIPC_CMD_SET_NETID, Some(&Tlv::unsigned(4711))),
        r(0x0007, None),
        r(TIPC_CMD_GET_REMOTE_MNG, None),
    ])
}

/// Commands worth landing on when a mutation changes the command.
const COMMANDS: &[u16] = &[
    TIPC_CMD_NOOP,
    TIPC_CMD_GET_NODES,
    TIPC_CMD_GET_LINKS,
    TIPC_CMD_SHOW_NAME_TABLE,
    TIPC_CMD_SHOW_PORTS,
    TIPC_CMD_SHOW_LINK_STATS,
    TIPC_CMD_SHOW_STATS,
    TIPC_CMD_GET_NETID,
    TIPC_CMD_SET_LINK_TOL,
    TIPC_CMD_DISABLE_BEARER,
    TIPC_CMD_SET_NODE_ADDR,
    0x3fff,
    0x4000,
    0x7fff,
    0x8000,
    0xffff,
];

fn put16(m: &mut [u8], at: usize, v: u16) {
    if m.len() >= at + 2 {
        m[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }
}

fn put32(m: &mut [u8], at: usize, v: u32) {
    if m.len() >= at + 4 {
        m[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }
}

/// A length near `len`, or anything.
fn near(rng: &mut Rng, len: usize) -> u32 {
    match rng.below(4) {
        0 => rng.next() as u32,
        1 => [0, 1, 4, 15, 16, 0xffff, 0xffff_ffff][rng.below(7)],
        _ => (len as i64 + rng.below(17) as i64 - 8).max(0) as u32,
    }
}

/// One mutation of `m`.
fn mutate_once(rng: &mut Rng, m: &mut Vec<u8>) {
    match rng.below(10) {
        0 => {
            for _ in 0..=rng.below(4) {
                if !m.is_empty() {
                    let i = rng.below(m.len());
                    m[i] ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            let n = rng.below(m.len().max(1));
            m.truncate(n);
        }
        2 => {
            let n = 1 + rng.below(64);
            let extra = rng.bytes(n);
            m.extend(extra);
            if rng.below(2) == 0 {
                let len = m.len() as u32;
                put32(m, 0, len);
            }
        }
        3 => {
            let v = near(rng, m.len());
            put32(m, 0, v);
        }
        4 => {
            let len = m.len().saturating_sub(HDR_LEN);
            let v = near(rng, len) as u16;
            put16(m, HDR_LEN, v);
        }
        5 => {
            let ty = if rng.below(2) == 0 {
                rng.below(30) as u16
            } else {
                rng.next() as u16
            };
            put16(m, HDR_LEN + 2, ty);
        }
        6 => {
            let cmd = if rng.below(2) == 0 {
                COMMANDS[rng.below(COMMANDS.len())]
            } else {
                rng.next() as u16
            };
            put16(m, 4, cmd);
        }
        7 => {
            let f = [0, TCM_F_MORE, TCM_F_REQUEST | TCM_F_MORE, rng.next() as u16];
            put16(m, 6, f[rng.below(4)]);
        }
        8 => {
            // Around the size limit, lengths consistent.
            let n = MAX_REQUEST_LEN - 8 + rng.below(80);
            let fill = if m.len() > HDR_LEN + 4 { b'a' } else { 0 };
            m.resize(n, fill);
            put32(m, 0, n as u32);
            put16(m, HDR_LEN, (n - HDR_LEN) as u16);
        }
        _ => {
            let n = rng.below(MAX_REQUEST_LEN + 80);
            *m = rng.bytes(n);
        }
    }
}

/// Request number `i`: a tagged base, left alone one time in eight, else
/// mutated one to three times.
fn request(rng: &mut Rng, bases: &[Vec<u8>], i: usize) -> Vec<u8> {
    let mut m = bases[rng.below(bases.len())].clone();
    m[8..16].copy_from_slice(&(0xc0f1_0000_0000_0000 | i as u64).to_be_bytes());
    if rng.below(8) != 0 {
        for _ in 0..=rng.below(3) {
            mutate_once(rng, &mut m);
        }
    }
    if m.is_empty() {
        // TIPC drops a message with neither data nor error before any
        // socket sees it (tipc_recvmsg()): there is nothing to answer.
        m.push(rng.next() as u8);
    }
    m
}

/// Sends `n` fuzzed requests to `c`'s node and checks each reply; returns
/// how many the service had to drop.  Those are sent without waiting: a
/// reply to one would arrive in place of the next answered request's
/// reply, with another tag, or be left over at the end.
fn fuzz(c: &RdmClient, n: usize, seed: u64) -> Result<usize, String> {
    let bases = bases()?;
    let mut rng = Rng::new(seed);
    let mut ignored = 0;
    for i in 0..n {
        let msg = request(&mut rng, &bases, i);
        let at = |e: String| format!("request {i} of seed {seed} ({}): {e}", hex(&msg));
        if dropped(&msg) {
            c.send_raw(&msg).map_err(|e| at(e.to_string()))?;
            ignored += 1;
            continue;
        }
        let rep = c.exchange(&msg).map_err(|e| at(e.to_string()))?;
        let area = reply_to(&msg, &rep).map_err(|e| at(format!("reply {}: {e}", hex(&rep))))?;
        parse_tlvs(area).map_err(|e| at(format!("reply {}: {e}", hex(&rep))))?;
        ensure!(!io(c.pending(), "poll")?, "{}", at("a second reply".into()));
    }
    if let Some(m) = io(c.unexpected(QUIET_MS), "recv")? {
        return Err(format!("seed {seed}: a reply too many: {}", hex(&m)));
    }
    Ok(ignored)
}

fn noop_works(c: &RdmClient) -> CaseResult {
    let area = io(c.request(TIPC_CMD_NOOP, None), "noop after fuzzing")?;
    ensure!(area.is_empty(), "noop after fuzzing: {}", show(&area));
    Ok(())
}

/// The cluster case: fuzz the first peer, whose counters must count
/// every request once, as replied or ignored and as exactly one outcome.
pub fn cluster_case() -> CaseResult {
    let n = match std::env::var("CFG_FUZZ") {
        Ok(v) => v.parse().map_err(|_| format!("bad CFG_FUZZ '{v}'"))?,
        Err(_) => DEFAULT_N,
    };
    let p = first()?;
    let _l = Level::set(p, 1)?;
    let c = io(RdmClient::new(p.addr), "socket")?;
    let before = p.counters()?;
    let ignored = fuzz(&c, n, seed())? as i64;
    let after = p.counters()?;
    let n = n as i64;
    before.expect_rise(
        &after,
        &[
            ("requests", n),
            ("replied", n - ignored),
            ("ignored", ignored),
            ("dropped", 0),
            ("no_memory", 0),
        ],
    )?;
    // Each request is refused, malformed, unsupported, executed or ignored.
    let kinds = ["refused", "malformed", "unsupported", "executed", "ignored"];
    let mut sorted = 0;
    for k in kinds {
        sorted += before.rise(&after, k)?;
    }
    ensure!(
        sorted == n,
        "{} rose by {sorted} together, for {n} requests",
        kinds.join(" + ")
    );
    // A failed command is one of the executed ones.
    let (failed, executed) = (
        before.rise(&after, "failed")?,
        before.rise(&after, "executed")?,
    );
    ensure!(
        failed <= executed,
        "failed rose by {failed}, more than executed ({executed})"
    );
    noop_works(&c)
}

static TARGET: OnceLock<(usize, u32)> = OnceLock::new();

fn standalone_case() -> CaseResult {
    let &(n, node) = TARGET.get().ok_or("no target")?;
    let c = io(RdmClient::new(node), "socket")?;
    fuzz(&c, n, seed())?;
    noop_works(&c)
}

/// `cfg-spec fuzz N NODE`.
pub fn run_standalone(args: &[String]) -> usize {
    let target = match args {
        [n, node] => n.parse().ok().zip(parse_node(node)),
        _ => None,
    };
    let Some(target) = target else {
        eprintln!("usage: cfg-spec fuzz N NODE");
        return 1;
    };
    let _ = TARGET.set(target);
    run_suite("config_fuzz", &[("fuzz", standalone_case)], None)
}
