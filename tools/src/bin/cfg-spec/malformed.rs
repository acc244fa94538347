// SPDX-License-Identifier: GPL-2.0
//! Malformed requests and messages that are no request at all.  Each kind
//! of malformed request gets one error reply with code 0x80
//! (TIPC_CFG_TLV_ERROR) and the request's type, counted as malformed.  A
//! message without a whole header, with a `tcm_len` other than the bytes
//! received, or with flags other than exactly `TCM_F_REQUEST` (a reply,
//! say) is dropped unanswered and counted as ignored: answering a reply
//! could set two services answering each other for ever.  The service
//! answers well-formed requests afterwards.  Only public commands, so the
//! policy never comes first.

use super::peer::{first, Level};
use super::*;
use tipc_tools::cfg::*;

fn header(len: u32, cmd: u16, flags: u16) -> Vec<u8> {
    Header {
        len,
        cmd,
        flags,
        reserved: [0; 8],
    }
    .encode()
    .to_vec()
}

/// A request whose one TLV has `tlv_len` as given; `tcm_len` is right.
fn with_tlv(cmd: u16, tlv_len: u16, ty: u16, value: &[u8]) -> Vec<u8> {
    let mut body = tlv_len.to_be_bytes().to_vec();
    body.extend(ty.to_be_bytes());
    body.extend(value);
    body.resize((body.len() + 3) & !3, 0);
    let mut m = header((HDR_LEN + body.len()) as u32, cmd, TCM_F_REQUEST);
    m.extend(body);
    m
}

/// A request with one TLV of `value`, its lengths all consistent.
fn proper(cmd: u16, ty: u16, value: &[u8]) -> Vec<u8> {
    with_tlv(cmd, (TLV_HDR_LEN + value.len()) as u16, ty, value)
}

fn set_len(mut m: Vec<u8>, len: u32) -> Vec<u8> {
    m[..4].copy_from_slice(&len.to_be_bytes());
    m
}

fn links() -> Vec<u8> {
    encode_request(TIPC_CMD_GET_LINKS, Some(&Tlv::net_addr(0)))
}

/// `a` repeated `n` times, then a NUL if `nul`.
fn name(n: usize, nul: bool) -> Vec<u8> {
    let mut v = vec![b'a'; n];
    if nul {
        v.push(0);
    }
    v
}

/// Whether the service must drop `msg` unanswered: no whole header,
/// flags other than exactly `TCM_F_REQUEST`, or a `tcm_len` other than
/// the bytes received.  The fuzz goes by this.  A message longer than a
/// request may be is answered as too long whatever its `tcm_len` says:
/// the service reads one byte more than the limit and no further, so it
/// cannot tell how many bytes were sent.
pub fn dropped(msg: &[u8]) -> bool {
    match Header::decode(msg) {
        None => true,
        Some(h) if h.flags != TCM_F_REQUEST => true,
        Some(_) if msg.len() > MAX_REQUEST_LEN => false,
        Some(h) => h.len as usize != msg.len(),
    }
}

/// Every kind of message that is no request, named.
fn dropped_kinds() -> Vec<(&'static str, Vec<u8>)> {
    let noop = encode_request(TIPC_CMD_NOOP, None);
    vec![
        // Not an empty message: TIPC drops those before any socket sees
        // them (tipc_recvmsg()), so the service never gets one.
        ("one_byte", vec![0x80]),
        ("header_of_15_bytes", noop[..15].to_vec()),
        (
            "tcm_len_above_received",
            header(20, TIPC_CMD_NOOP, TCM_F_REQUEST),
        ),
        ("tcm_len_below_received", set_len(links(), 16)),
        (
            "flags_without_request",
            encode_request_with(TIPC_CMD_NOOP, 0, [0; 8], None),
        ),
        (
            "flags_with_more",
            encode_request_with(TIPC_CMD_NOOP, TCM_F_REQUEST | TCM_F_MORE, [0; 8], None),
        ),
    ]
}

/// Every kind of malformed request, named; the last is over the size
/// limit.
fn answered_kinds() -> Vec<(&'static str, Vec<u8>)> {
    let mut two_tlvs = links();
    two_tlvs.extend(Tlv::net_addr(0).encode());
    let two_tlvs = set_len(two_tlvs, 32);
    let mut trailing = links();
    trailing.extend([0; 4]);
    let trailing = set_len(trailing, 28);
    let mut odd = header(18, TIPC_CMD_NOOP, TCM_F_REQUEST);
    odd.extend([0; 2]);
    let stats = TIPC_CMD_SHOW_LINK_STATS;
    vec![
        ("tcm_len_not_multiple_of_4", odd),
        (
            "tlv_len_below_4",
            with_tlv(TIPC_CMD_GET_LINKS, 2, TIPC_TLV_NET_ADDR, &[0; 4]),
        ),
        (
            "tlv_len_past_end",
            with_tlv(TIPC_CMD_GET_LINKS, 12, TIPC_TLV_NET_ADDR, &[0; 4]),
        ),
        ("trailing_bytes", trailing),
        ("two_tlvs", two_tlvs),
        (
            "wrong_tlv_type",
            proper(TIPC_CMD_GET_LINKS, TIPC_TLV_UNSIGNED, &[0; 4]),
        ),
        ("missing_tlv", encode_request(TIPC_CMD_GET_LINKS, None)),
        (
            "tlv_on_noop",
            proper(TIPC_CMD_NOOP, TIPC_TLV_UNSIGNED, &[0; 4]),
        ),
        (
            "net_addr_of_8_bytes",
            proper(TIPC_CMD_GET_LINKS, TIPC_TLV_NET_ADDR, &[0; 8]),
        ),
        (
            "net_addr_of_2_bytes",
            proper(TIPC_CMD_GET_LINKS, TIPC_TLV_NET_ADDR, &[0; 2]),
        ),
        (
            "query_of_12_bytes",
            proper(TIPC_CMD_SHOW_NAME_TABLE, TIPC_TLV_NAME_TBL_QUERY, &[0; 12]),
        ),
        (
            "link_name_unterminated",
            proper(stats, TIPC_TLV_LINK_NAME, &name(MAX_LINK_NAME, false)),
        ),
        (
            "link_name_too_long",
            proper(stats, TIPC_TLV_LINK_NAME, &name(99, true)),
        ),
        ("link_name_empty", proper(stats, TIPC_TLV_LINK_NAME, &[])),
        (
            "over_1024_bytes",
            proper(stats, TIPC_TLV_LINK_NAME, &name(1007, true)),
        ),
    ]
}

/// Checks that [`dropped`], which the fuzz goes by, classes every named
/// kind as it is listed.
fn classed_as(kinds: &[(&str, Vec<u8>)], drop: bool) -> CaseResult {
    for (what, msg) in kinds {
        ensure!(
            dropped(msg) == drop,
            "{what}: listed as {}, but dropped() says otherwise",
            if drop { "dropped" } else { "answered" }
        );
    }
    Ok(())
}

pub fn answered() -> CaseResult {
    let p = first()?;
    let _l = Level::set(p, 1)?;
    let kinds = answered_kinds();
    ensure!(
        kinds.last().is_some_and(|k| k.1.len() > MAX_REQUEST_LEN),
        "the last kind must be over the size limit"
    );
    classed_as(&kinds, false)?;
    let c = io(RdmClient::new(p.addr), "socket")?;
    let before = p.counters()?;
    for (what, msg) in &kinds {
        let rep = io(c.exchange(msg), what)?;
        let area = tlv_area(msg, &rep).map_err(|e| format!("{what}: {e}"))?;
        expect_code(&area, &[TIPC_CFG_TLV_ERROR], what)?;
    }
    let area = io(c.request(TIPC_CMD_NOOP, None), "noop afterwards")?;
    ensure!(area.is_empty(), "noop afterwards: {}", show(&area));
    let after = p.counters()?;
    let n = kinds.len() as i64;
    before.expect_rise(
        &after,
        &[
            ("requests", n + 1),
            ("replied", n + 1),
            ("malformed", n),
            ("ignored", 0),
            ("refused", 0),
            ("unsupported", 0),
            ("executed", 1),
        ],
    )
}

/// Every message that is no request is sent, then a NOOP request, all
/// from one socket.  The service handles one socket's messages in order,
/// so a reply to any of the others would arrive before the NOOP's: the
/// first reply must be the NOOP's, and then nothing else is waiting.
pub fn not_answered() -> CaseResult {
    let p = first()?;
    let _l = Level::set(p, 1)?;
    let kinds = dropped_kinds();
    classed_as(&kinds, true)?;
    let c = io(RdmClient::new(p.addr), "socket")?;
    // Tagged, so no reply to another message can pass for its reply.
    let noop = encode_request_with(TIPC_CMD_NOOP, TCM_F_REQUEST, *b"not-answ", None);
    let mut want = noop.clone();
    want[7] = 0;
    let before = p.counters()?;
    for (what, msg) in &kinds {
        io(c.send_raw(msg), what)?;
    }
    io(c.send_raw(&noop), "noop")?;
    let rep = io(c.recv_reply(c.timeout_ms), "first reply")?;
    ensure!(
        rep == want,
        "first reply {}, expected the noop's {}",
        hex(&rep),
        hex(&want)
    );
    ensure!(!io(c.pending(), "poll")?, "a second reply after the noop's");
    let after = p.counters()?;
    let n = kinds.len() as i64;
    before.expect_rise(
        &after,
        &[
            ("requests", n + 1),
            ("ignored", n),
            ("replied", 1),
            ("malformed", 0),
            ("refused", 0),
            ("unsupported", 0),
            ("executed", 1),
        ],
    )
}
