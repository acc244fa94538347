// SPDX-License-Identifier: GPL-2.0
//! A command that fails in the kernel still gets one reply: netlink's own
//! error TLV where netlink has one for the error (EOPNOTSUPP and EPERM
//! 0x84, EINVAL 0x80), else an error string of the service with code 0x85
//! (TIPC_CFG_INVALID_VALUE) naming the error.  The `failed` counter counts
//! it among the executed commands.
//!
//! The command enables a bearer on a device the peer does not have: the
//! media layer fails it with ENODEV (tipc_enable_l2_media()), for which
//! netlink has no error TLV, and nothing changes on the peer.

use super::peer::{first, Level, Peer};
use super::*;
use tipc_tools::cfg::*;

/// A network device no node has.
const NO_DEVICE: &str = "nodevice";
/// The network devices of the namespace the calling thread is in.
const NET_DEV: &str = "/proc/thread-self/net/dev";
/// `MAX_BEARERS` (net/tipc/bearer.h): with that many, enabling another
/// fails with EINVAL before the device is looked up.
const MAX_BEARERS: usize = 3;

/// Whether `p` has a network device called `name`.
fn has_device(p: &Peer, name: &str) -> Result<bool, String> {
    let text = p
        .in_ns(|| std::fs::read_to_string(NET_DEV))?
        .map_err(|e| format!("{}: {NET_DEV}: {e}", p.name()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .any(|(dev, _)| dev.trim() == name))
}

/// The bearers `p` reports locally.
fn bearers(p: &Peer) -> Result<Vec<String>, String> {
    let area = p.local(TIPC_CMD_GET_BEARER_NAMES, None)?;
    let tlvs = parse_tlvs(&area)?;
    ensure!(
        tlvs.iter().all(|t| t.ty == TIPC_TLV_BEARER_NAME),
        "{}: bearers reply {}",
        p.name(),
        show(&area)
    );
    Ok(tlvs.iter().map(Tlv::text).collect())
}

/// Enables bearer `eth:NO_DEVICE` on `p` from here at level 2; returns
/// the reply's TLV area.
fn enable_missing_device(p: &Peer) -> Result<Vec<u8>, String> {
    let bearer = format!("eth:{NO_DEVICE}");
    let tlv = Tlv::bearer_config(&bearer, TIPC_MEDIA_LINK_PRI, 0)?;
    let _l = Level::set(p, 2)?;
    p.remote(TIPC_CMD_ENABLE_BEARER, Some(&tlv))
}

pub fn answered() -> CaseResult {
    let p = first()?;
    ensure!(
        !has_device(p, NO_DEVICE)?,
        "{} has a device {NO_DEVICE}",
        p.name()
    );
    let old = bearers(p)?;
    ensure!(
        old.len() < MAX_BEARERS,
        "{} has {MAX_BEARERS} bearers already: {old:?}",
        p.name()
    );
    let before = p.counters()?;
    let area = enable_missing_device(p)?;
    let after = p.counters()?;
    let what = format!("{}: enable bearer on a missing device", p.name());
    expect_code(&area, &[TIPC_CFG_INVALID_VALUE], &what)?;
    let text = error_reply(&area).map(|e| e.text).unwrap_or_default();
    ensure!(
        text.contains("command failed"),
        "{what}: error text {text:?} does not say the command failed"
    );
    before.expect_rise(
        &after,
        &[
            ("requests", 1),
            ("replied", 1),
            ("executed", 1),
            ("failed", 1),
            ("refused", 0),
            ("malformed", 0),
            ("unsupported", 0),
            ("ignored", 0),
        ],
    )?;
    let now = bearers(p)?;
    ensure!(
        now == old,
        "{}: bearers {now:?} after the failed command, {old:?} before",
        p.name()
    );
    expect_answer(&p.remote(TIPC_CMD_NOOP, None)?, "noop afterwards")
}
