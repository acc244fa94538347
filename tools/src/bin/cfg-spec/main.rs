// SPDX-License-Identifier: GPL-2.0
//! Executable specification of the TIPC configuration service, as clients
//! on other nodes and on the node itself see it.  Output is KTAP.
//!
//! Usage: cfg-spec cluster NS=z.c.n... [CASE]   run inside one node's
//!            namespace while the peer nodes (namespaces NS at z.c.n) are
//!            up; the service of the first peer is the one under test for
//!            policy, counters, malformed requests and fuzzing
//!        cfg-spec fuzz N NODE   only the fuzz run, N requests to NODE's
//!            service (no counter check)
//!
//! `CFG_FUZZ=n` sets the number of fuzz requests of the cluster suite
//! (default 5000); `CFG_SEED=n` fixes the fuzz's random seed.

use std::fmt::Display;
use tipc_tools::cfg::{self, Tlv};
use tipc_tools::ensure;
use tipc_tools::ktap::{run_suite, Case, CaseResult};

mod cluster;
mod failed;
mod fuzz;
mod malformed;
mod peer;
mod policy;
mod sysctl;

fn io<T, E: Display>(r: Result<T, E>, what: &str) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

/// A reply's TLV area as text, for messages.
fn show(area: &[u8]) -> String {
    match cfg::format_tlvs(area) {
        Ok(t) if t.is_empty() => "(empty)".into(),
        Ok(t) => t.trim_end().to_string(),
        Err(e) => format!("(unparsable: {e}) {}", cfg::hex(area)),
    }
}

/// The explanation in the text of an error the service builds itself:
/// after the code byte comes `" (explanation)"`, because `tipc-config`
/// prints its own words for the code and then the rest of the string.
fn explanation(text: &str) -> Option<&str> {
    text.strip_prefix(" (")?
        .strip_suffix(')')
        .filter(|e| !e.trim().is_empty())
}

/// Checks that `area` is an error reply with `code` (one of `codes`) and
/// an explanation, as the service writes its own refusals and errors.
/// Errors of the kernel's command code (netlink_compat.c, a bare code
/// byte) are passed through unchanged and are not checked with this.
fn expect_code(area: &[u8], codes: &[u8], what: &str) -> CaseResult {
    let e = cfg::error_reply(area);
    let got = e.as_ref().and_then(|e| e.code);
    ensure!(
        got.is_some_and(|c| codes.contains(&c)),
        "{what}: expected error {}, got {}",
        codes
            .iter()
            .map(|c| format!("{c:#04x}"))
            .collect::<Vec<_>>()
            .join(" or "),
        show(area)
    );
    let text = e.map(|e| e.text).unwrap_or_default();
    ensure!(
        explanation(&text).is_some(),
        "{what}: error {:#04x} with text {text:?}, expected \" (explanation)\"",
        got.unwrap_or(0)
    );
    Ok(())
}

/// Checks that `area` is not an error reply.
fn expect_answer(area: &[u8], what: &str) -> CaseResult {
    ensure!(
        cfg::error_reply(area).is_none(),
        "{what}: expected an answer, got {}",
        show(area)
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let failed = match args.first().map(String::as_str) {
        Some("cluster") => cluster::run(&args[1..]),
        Some("fuzz") => fuzz::run_standalone(&args[1..]),
        _ => {
            eprintln!("usage: cfg-spec cluster NS=z.c.n... [CASE] | cfg-spec fuzz N NODE");
            2
        }
    };
    std::process::exit(if failed == 0 { 0 } else { 1 });
}

/// Every case of the cluster suite, in order.
const CASES: &[Case] = &[
    ("sysctl_default_is_1", sysctl::default_is_1),
    (
        "reply_copies_request_header",
        cluster::reply_copies_request_header,
    ),
    (
        "node_state_bound_by_service",
        cluster::node_state_bound_by_service,
    ),
    ("remote_equals_local_nodes", cluster::equals_local_nodes),
    ("remote_equals_local_links", cluster::equals_local_links),
    ("remote_equals_local_media", cluster::equals_local_media),
    ("remote_equals_local_bearers", cluster::equals_local_bearers),
    (
        "remote_equals_local_nametable",
        cluster::equals_local_nametable,
    ),
    ("remote_equals_local_ports", cluster::equals_local_ports),
    ("remote_equals_local_stats", cluster::equals_local_stats),
    (
        "remote_equals_local_linkstats",
        cluster::equals_local_linkstats,
    ),
    ("policy_level_0", policy::level_0),
    ("policy_level_1", policy::level_1),
    ("policy_level_2", policy::level_2),
    ("private_refused_at_every_level", policy::private_refused),
    (
        "local_requester_public_only",
        policy::local_requester_public_only,
    ),
    (
        "remote_set_link_tolerance",
        policy::remote_set_link_tolerance,
    ),
    (
        "sysctl_write_needs_net_admin",
        sysctl::write_needs_net_admin,
    ),
    ("sysctl_rejects_out_of_range", sysctl::rejects_out_of_range),
    ("refusal_counters_exact", policy::refusal_counters_exact),
    ("malformed_requests_answered", malformed::answered),
    ("non_requests_not_answered", malformed::not_answered),
    ("failed_command_answered", failed::answered),
    ("fuzz", fuzz::cluster_case),
];

/// Runs the cluster suite (or its case `only`).
fn run_cluster(only: Option<&str>) -> usize {
    run_suite("config_cluster", CASES, only)
}
