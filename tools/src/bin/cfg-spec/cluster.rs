// SPDX-License-Identifier: GPL-2.0
//! The cluster suite's entry point, and its first promise: a node's
//! service answers a remote client exactly as the node's own kernel
//! answers it locally over genetlink.

use super::peer::{own_addr, peers, set_peers, Peer};
use super::*;
use tipc_tools::cfg::{
    RdmClient, TIPC_CMD_GET_BEARER_NAMES, TIPC_CMD_GET_LINKS, TIPC_CMD_GET_MEDIA_NAMES,
    TIPC_CMD_GET_NODES, TIPC_CMD_NOOP, TIPC_CMD_SHOW_LINK_STATS, TIPC_CMD_SHOW_NAME_TABLE,
    TIPC_CMD_SHOW_PORTS, TIPC_CMD_SHOW_STATS, TIPC_NTQ_ALLTYPES, TIPC_TLV_LINK_INFO,
};
use tipc_tools::{
    addr_string, Recv, Subscr, TopologyClient, TIPC_NODE_STATE, TIPC_PUBLISHED, TIPC_SUB_PORTS,
};

/// `cfg-spec cluster NS=z.c.n... [CASE]`.
pub fn run(args: &[String]) -> usize {
    match set_peers(args) {
        Ok(rest) if rest.len() <= 1 => run_cluster(rest.first().map(String::as_str)),
        Ok(rest) => {
            eprintln!("cfg-spec cluster: unexpected arguments {rest:?}");
            1
        }
        Err(e) => {
            eprintln!("cfg-spec cluster: {e}");
            1
        }
    }
}

/// The link names a peer reports locally (the broadcast link first).
pub fn link_names(p: &Peer) -> Result<Vec<String>, String> {
    let area = p.local(TIPC_CMD_GET_LINKS, Some(&Tlv::net_addr(0)))?;
    let tlvs = cfg::parse_tlvs(&area)?;
    ensure!(
        !tlvs.is_empty() && tlvs.iter().all(|t| t.ty == TIPC_TLV_LINK_INFO),
        "{}: links reply {}",
        p.name(),
        show(&area)
    );
    Ok(tlvs
        .iter()
        .map(|t| Tlv::new(0, &t.value[8..]).text())
        .collect())
}

/// A peer's unicast link to this node.  Link names are
/// "self:if-peer:if", the nodes written as their 128-bit node id, which for
/// a node with a legacy address is that address in hex ("1001002").
pub fn link_to_us(p: &Peer) -> Result<String, String> {
    let own = own_addr()?;
    let ids = [format!("-{own:x}:"), format!("-{}:", addr_string(own))];
    let names = link_names(p)?;
    names
        .iter()
        .find(|n| ids.iter().any(|id| n.contains(id.as_str())))
        .cloned()
        .ok_or(format!("{} has no link to us: {names:?}", p.name()))
}

fn reply_copies_request_header_of(p: &Peer) -> CaseResult {
    let c = io(RdmClient::new(p.addr), "socket")?;
    let req = cfg::encode_request_with(TIPC_CMD_NOOP, cfg::TCM_F_REQUEST, *b"cfg-spec", None);
    let rep = io(c.exchange(&req), "noop")?;
    let mut want = req.clone();
    want[7] = 0;
    ensure!(
        rep == want,
        "{}: noop reply {}, expected {}",
        p.name(),
        cfg::hex(&rep),
        cfg::hex(&want)
    );
    let req = cfg::encode_request_with(TIPC_CMD_GET_NODES, cfg::TCM_F_REQUEST, [0xa5; 8], None);
    let rep = io(c.exchange(&req), "nodes")?;
    let area = cfg::tlv_area(&req, &rep).map_err(|e| format!("{}: nodes: {e}", p.name()))?;
    expect_answer(&area, "nodes")
}

pub fn reply_copies_request_header() -> CaseResult {
    peers().iter().try_for_each(reply_copies_request_header_of)
}

/// How long an expected topology event may take (debug kernels are slow).
const EVENT_MS: i32 = 10_000;
/// How long to listen to be confident that no event comes.
const QUIET_MS: i32 = 300;

/// The service took over the node-state name `{0, node}`: a node-state
/// subscriber sees one publication per peer, owned by the socket that
/// answers configuration requests.
pub fn node_state_bound_by_service() -> CaseResult {
    for p in peers() {
        let c = io(TopologyClient::connect(), "connect to {1,1}")?;
        // Every publication gives an event, so a second one would show.
        let sub = Subscr::new(TIPC_NODE_STATE, p.addr, p.addr, TIPC_SUB_PORTS);
        io(c.subscribe(&sub), "subscribe")?;
        let e = match io(c.next(EVENT_MS), "recv")? {
            Recv::Event(e) => e,
            other => return Err(format!("{}: no node-state event: {other:?}", p.name())),
        };
        ensure!(
            (e.event, e.found_lower, e.found_upper, e.node)
                == (TIPC_PUBLISHED, p.addr, p.addr, p.addr),
            "{}: node-state event {e:?}",
            p.name()
        );
        let more = io(c.next(QUIET_MS), "recv")?;
        ensure!(
            more == Recv::Timeout,
            "{}: a second node-state publication: {more:?}",
            p.name()
        );
        let client = io(RdmClient::new(p.addr), "socket")?;
        let req = cfg::encode_request(TIPC_CMD_NOOP, None);
        let (rep, port) = io(client.exchange_from(&req), "noop")?;
        cfg::tlv_area(&req, &rep).map_err(|e| format!("{}: noop: {e}", p.name()))?;
        ensure!(
            e.port == port,
            "{}: {{0, node}} is published by port {}, the service answers from port {port}",
            p.name(),
            e.port
        );
    }
    Ok(())
}

/// Asks every peer for `cmd` remotely and locally; the TLVs must be equal.
fn equals_local(cmd: u16, tlv: Option<&Tlv>, what: &str) -> CaseResult {
    for p in peers() {
        let local = p.local(cmd, tlv)?;
        expect_answer(&local, &format!("{}: local {what}", p.name()))?;
        let remote = p.remote(cmd, tlv)?;
        ensure!(
            remote == local,
            "{}: {what} differs\nremote {}\nlocal  {}\nremote text:\n{}\nlocal text:\n{}",
            p.name(),
            cfg::hex(&remote),
            cfg::hex(&local),
            show(&remote),
            show(&local)
        );
    }
    Ok(())
}

pub fn equals_local_nodes() -> CaseResult {
    equals_local(TIPC_CMD_GET_NODES, None, "nodes")
}

pub fn equals_local_links() -> CaseResult {
    equals_local(TIPC_CMD_GET_LINKS, Some(&Tlv::net_addr(0)), "links")
}

pub fn equals_local_media() -> CaseResult {
    equals_local(TIPC_CMD_GET_MEDIA_NAMES, None, "media")
}

pub fn equals_local_bearers() -> CaseResult {
    equals_local(TIPC_CMD_GET_BEARER_NAMES, None, "bearers")
}

pub fn equals_local_nametable() -> CaseResult {
    let all = Tlv::name_table_query(4 | TIPC_NTQ_ALLTYPES, 0, 0, 0);
    equals_local(TIPC_CMD_SHOW_NAME_TABLE, Some(&all), "name table")?;
    // Node state bindings only, and fewer columns.
    let nodes = Tlv::name_table_query(3, 0, 0, 0);
    equals_local(TIPC_CMD_SHOW_NAME_TABLE, Some(&nodes), "name table type 0")
}

pub fn equals_local_ports() -> CaseResult {
    equals_local(TIPC_CMD_SHOW_PORTS, None, "ports")
}

pub fn equals_local_stats() -> CaseResult {
    equals_local(TIPC_CMD_SHOW_STATS, None, "stats")
}

/// Link statistics move while we look, so only their text with every
/// number blanked out must be equal.
pub fn equals_local_linkstats() -> CaseResult {
    for p in peers() {
        for name in link_names(p)? {
            let t = Tlv::link_name(&name)?;
            let local = cfg::ultra_string(&p.local(TIPC_CMD_SHOW_LINK_STATS, Some(&t))?)
                .map_err(|e| format!("{}: local stats of {name}: {e}", p.name()))?;
            ensure!(
                local.contains(&format!("Link <{name}>")),
                "{}: local stats of {name}: {local}",
                p.name()
            );
            let remote = cfg::ultra_string(&p.remote(TIPC_CMD_SHOW_LINK_STATS, Some(&t))?)
                .map_err(|e| format!("{}: remote stats of {name}: {e}", p.name()))?;
            ensure!(
                cfg::normalize_digits(&remote) == cfg::normalize_digits(&local),
                "{}: stats of {name} differ\nremote:\n{remote}\nlocal:\n{local}",
                p.name()
            );
        }
    }
    Ok(())
}
