// SPDX-License-Identifier: GPL-2.0
//! Who may do what: the command classes (public below 0x4000, protected
//! up to 0x7FFF, private above), the `remote_management` level of the
//! answering node (0: nothing for other nodes, 1: public, 2: public and
//! protected), requests from the node itself (public only), and the
//! counters of refusals.

use super::cluster::link_to_us;
use super::peer::{first, Level, Peer};
use super::*;
use tipc_tools::cfg::*;

/// A command not defined in the public range.
const UNKNOWN_PUBLIC: u16 = 0x0007;
/// A protected command the service does not implement.
const UNKNOWN_PROTECTED: u16 = TIPC_CMD_GET_REMOTE_MNG;
/// What a private command from another node gets at level 0: the level
/// is checked first, so every remote request there gets 0x83.
const PRIVATE_AT_LEVEL_0: &[u8] = &[TIPC_CFG_NO_REMOTE];

/// What a request must get.
enum Want<'a> {
    /// The same TLVs as the node's own kernel gives locally.
    SameAsLocal,
    /// An error with one of these codes.
    Refused(&'a [u8]),
}

struct Probe {
    what: &'static str,
    cmd: u16,
    tlv: Option<Tlv>,
}

fn probe(what: &'static str, cmd: u16, tlv: Option<Tlv>) -> Probe {
    Probe { what, cmd, tlv }
}

/// Read-only public commands.
fn public_probes() -> Vec<Probe> {
    vec![
        probe("noop", TIPC_CMD_NOOP, None),
        probe("nodes", TIPC_CMD_GET_NODES, None),
        probe("links", TIPC_CMD_GET_LINKS, Some(Tlv::net_addr(0))),
        probe("stats", TIPC_CMD_SHOW_STATS, None),
    ]
}

/// Private commands, with values that change nothing even if obeyed.
fn private_probes(p: &Peer) -> Result<Vec<Probe>, String> {
    let netid = p.local(TIPC_CMD_GET_NETID, None)?;
    let netid = match &parse_tlvs(&netid)?[..] {
        [t] if t.ty == TIPC_TLV_UNSIGNED => t.u32().unwrap_or(0),
        _ => return Err(format!("{}: local netid {}", p.name(), show(&netid))),
    };
    Ok(vec![
        probe(
            "set node address",
            TIPC_CMD_SET_NODE_ADDR,
            Some(Tlv::net_addr(p.addr)),
        ),
        probe("set netid", TIPC_CMD_SET_NETID, Some(Tlv::unsigned(netid))),
        probe(
            "set remote management",
            TIPC_CMD_SET_REMOTE_MNG,
            Some(Tlv::unsigned(1)),
        ),
        probe("not net admin", TIPC_CMD_NOT_NET_ADMIN, None),
    ])
}

/// One way of asking a peer: [`Peer::remote`] or [`Peer::own_node`].
type Ask = fn(&Peer, u16, Option<&Tlv>) -> Result<Vec<u8>, String>;

/// Sends `pr` with `ask` and checks the answer.
fn check(p: &Peer, pr: &Probe, want: &Want, how: &str, ask: Ask) -> CaseResult {
    let got = ask(p, pr.cmd, pr.tlv.as_ref())?;
    let what = format!("{} {how} {} ({:#06x})", p.name(), pr.what, pr.cmd);
    match want {
        Want::Refused(codes) => expect_code(&got, codes, &what),
        Want::SameAsLocal => {
            expect_answer(&got, &what)?;
            let local = p.local(pr.cmd, pr.tlv.as_ref())?;
            ensure!(
                got == local,
                "{what}: answer {} differs from the local {}",
                show(&got),
                show(&local)
            );
            Ok(())
        }
    }
}

fn remote(p: &Peer, pr: &Probe, want: &Want) -> CaseResult {
    check(p, pr, want, "remote", Peer::remote)
}

fn own_node(p: &Peer, pr: &Probe, want: &Want) -> CaseResult {
    check(p, pr, want, "own-node", Peer::own_node)
}

fn netid() -> Probe {
    probe("netid", TIPC_CMD_GET_NETID, None)
}

pub fn level_0() -> CaseResult {
    let p = first()?;
    let _l = Level::set(p, 0)?;
    let off = Want::Refused(&[TIPC_CFG_NO_REMOTE]);
    for pr in public_probes() {
        remote(p, &pr, &off)?;
    }
    remote(p, &netid(), &off)?;
    remote(p, &probe("unknown public", UNKNOWN_PUBLIC, None), &off)?;
    remote(
        p,
        &probe("unknown protected", UNKNOWN_PROTECTED, None),
        &off,
    )?;
    // The node itself is not "another node".
    own_node(p, &probe("noop", TIPC_CMD_NOOP, None), &Want::SameAsLocal)
}

pub fn level_1() -> CaseResult {
    let p = first()?;
    let _l = Level::set(p, 1)?;
    for pr in public_probes() {
        remote(p, &pr, &Want::SameAsLocal)?;
    }
    remote(p, &netid(), &Want::Refused(&[TIPC_CFG_NOT_NET_ADMIN]))?;
    remote(
        p,
        &probe("unknown public", UNKNOWN_PUBLIC, None),
        &Want::Refused(&[TIPC_CFG_NOT_SUPPORTED]),
    )
}

pub fn level_2() -> CaseResult {
    let p = first()?;
    let _l = Level::set(p, 2)?;
    for pr in public_probes() {
        remote(p, &pr, &Want::SameAsLocal)?;
    }
    remote(p, &netid(), &Want::SameAsLocal)?;
    let unsupported = Want::Refused(&[TIPC_CFG_NOT_SUPPORTED]);
    remote(
        p,
        &probe("unknown public", UNKNOWN_PUBLIC, None),
        &unsupported,
    )?;
    remote(
        p,
        &probe("unknown protected", UNKNOWN_PROTECTED, None),
        &unsupported,
    )?;
    remote(
        p,
        &probe("max ports", TIPC_CMD_GET_MAX_PORTS, None),
        &unsupported,
    )
}

pub fn private_refused() -> CaseResult {
    let p = first()?;
    let probes = private_probes(p)?;
    for level in 0..=2 {
        let _l = Level::set(p, level)?;
        let remote_want = if level == 0 {
            Want::Refused(PRIVATE_AT_LEVEL_0)
        } else {
            Want::Refused(&[TIPC_CFG_NOT_NET_ADMIN])
        };
        for pr in &probes {
            remote(p, pr, &remote_want)?;
            own_node(p, pr, &Want::Refused(&[TIPC_CFG_NOT_NET_ADMIN]))?;
        }
        // Not obeyed: the level is still the one set.
        ensure!(
            p.level()? == level,
            "{}: level changed to {}",
            p.name(),
            p.level()?
        );
    }
    Ok(())
}

pub fn local_requester_public_only() -> CaseResult {
    let p = first()?;
    for level in [0, 1, 2] {
        let _l = Level::set(p, level)?;
        for pr in public_probes() {
            own_node(p, &pr, &Want::SameAsLocal)?;
        }
        own_node(p, &netid(), &Want::Refused(&[TIPC_CFG_NOT_NET_ADMIN]))?;
        // The current value: nothing changes even if it were obeyed.
        let link = link_to_us(p)?;
        let tol = probe(
            "set link tolerance",
            TIPC_CMD_SET_LINK_TOL,
            Some(Tlv::link_config(&link, tolerance(p, &link)?)?),
        );
        own_node(p, &tol, &Want::Refused(&[TIPC_CFG_NOT_NET_ADMIN]))?;
        own_node(
            p,
            &probe("unknown public", UNKNOWN_PUBLIC, None),
            &Want::Refused(&[TIPC_CFG_NOT_SUPPORTED]),
        )?;
    }
    Ok(())
}

/// The tolerance a peer reports locally for `link`.
fn tolerance(p: &Peer, link: &str) -> Result<u32, String> {
    let area = p.local(TIPC_CMD_SHOW_LINK_STATS, Some(&Tlv::link_name(link)?))?;
    let text = ultra_string(&area)?;
    let at = text
        .find("Tolerance:")
        .ok_or(format!("no tolerance in {text}"))?;
    let digits: String = text[at + 10..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .map_err(|_| format!("bad tolerance in {text}"))
}

fn set_tolerance(p: &Peer, link: &str, v: u32, old: u32) -> CaseResult {
    let tlv = Tlv::link_config(link, v)?;
    let _l = Level::set(p, 1)?;
    let refused = p.remote(TIPC_CMD_SET_LINK_TOL, Some(&tlv))?;
    expect_code(
        &refused,
        &[TIPC_CFG_NOT_NET_ADMIN],
        "set-link-tol at level 1",
    )?;
    ensure!(
        tolerance(p, link)? == old,
        "tolerance changed by a refused request"
    );
    let _l = Level::set(p, 2)?;
    let done = p.remote(TIPC_CMD_SET_LINK_TOL, Some(&tlv))?;
    ensure!(
        done.is_empty(),
        "set-link-tol at level 2: expected an empty reply, got {}",
        show(&done)
    );
    let now = tolerance(p, link)?;
    ensure!(now == v, "tolerance of {link} is {now} after setting {v}");
    Ok(())
}

pub fn remote_set_link_tolerance() -> CaseResult {
    let p = first()?;
    let link = link_to_us(p)?;
    let old = tolerance(p, &link)?;
    let new = if old == 2345 { 2346 } else { 2345 };
    let r = set_tolerance(p, &link, new, old);
    // Put it back locally, whatever happened.
    let back = p.local(TIPC_CMD_SET_LINK_TOL, Some(&Tlv::link_config(&link, old)?));
    r?;
    let back = back?;
    ensure!(back.is_empty(), "restoring the tolerance: {}", show(&back));
    ensure!(tolerance(p, &link)? == old, "tolerance not restored");
    Ok(())
}

pub fn refusal_counters_exact() -> CaseResult {
    let p = first()?;
    let before = p.counters()?;
    {
        let _l = Level::set(p, 1)?;
        for _ in 0..2 {
            expect_code(
                &p.remote(TIPC_CMD_GET_NETID, None)?,
                &[TIPC_CFG_NOT_NET_ADMIN],
                "netid",
            )?;
            expect_code(
                &p.remote(UNKNOWN_PUBLIC, None)?,
                &[TIPC_CFG_NOT_SUPPORTED],
                "unknown",
            )?;
        }
        let netid = Tlv::unsigned(4711);
        expect_code(
            &p.remote(TIPC_CMD_SET_NETID, Some(&netid))?,
            &[TIPC_CFG_NOT_NET_ADMIN],
            "set netid",
        )?;
        expect_code(
            &p.own_node(TIPC_CMD_GET_NETID, None)?,
            &[TIPC_CFG_NOT_NET_ADMIN],
            "own-node netid",
        )?;
        expect_answer(&p.remote(TIPC_CMD_NOOP, None)?, "noop")?;
        let _l = Level::set(p, 0)?;
        for _ in 0..2 {
            expect_code(
                &p.remote(TIPC_CMD_NOOP, None)?,
                &[TIPC_CFG_NO_REMOTE],
                "noop at level 0",
            )?;
        }
    }
    let after = p.counters()?;
    before.expect_rise(
        &after,
        &[
            ("requests", 9),
            ("replied", 9),
            ("refused", 6),
            ("unsupported", 2),
            ("malformed", 0),
            ("executed", 1),
            ("dropped", 0),
        ],
    )
}
