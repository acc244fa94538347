// SPDX-License-Identifier: GPL-2.0
//! tipc-topo: a command-line client of the TIPC topology service.
//!
//!   tipc-topo sub TYPE [LOWER [UPPER]] [--service] [--timeout MS] [--count N] [--host-order] [--label TEXT]
//!       subscribe and print one line per event (prefixed by TEXT)
//!   tipc-topo nodes | links [--label TEXT]
//!       watch node (type 0) or link (type 2) state
//!   tipc-topo bind TYPE LOWER [UPPER] [--node] [--hold-ms MS]
//!       publish a binding and hold it (until killed, or for MS)

use std::process::exit;
use tipc_tools::*;

fn usage() -> ! {
    eprintln!(
        "usage: tipc-topo sub TYPE [LOWER [UPPER]] [--service] [--timeout MS] [--count N] [--host-order] [--label TEXT]\n\
         \x20      tipc-topo nodes | links [--label TEXT]\n\
         \x20      tipc-topo bind TYPE LOWER [UPPER] [--node] [--hold-ms MS]"
    );
    exit(2)
}

fn num(s: &str) -> u32 {
    let r = if let Some(h) = s.strip_prefix("0x") {
        u32::from_str_radix(h, 16)
    } else {
        s.parse()
    };
    r.unwrap_or_else(|_| usage())
}

fn fail(what: &str, e: std::io::Error) -> ! {
    eprintln!("tipc-topo: {what}: {e}");
    exit(1)
}

fn event_name(e: u32) -> &'static str {
    match e {
        TIPC_PUBLISHED => "published",
        TIPC_WITHDRAWN => "withdrawn",
        TIPC_SUBSCR_TIMEOUT => "timeout",
        _ => "unknown",
    }
}

fn watch(sub: Subscr, network_order: bool, count: Option<u64>, label: &str) {
    let mut c = TopologyClient::connect().unwrap_or_else(|e| fail("connect to {1,1}", e));
    c.network_order = network_order;
    c.subscribe(&sub).unwrap_or_else(|e| fail("subscribe", e));
    let mut n = 0;
    while count.is_none_or(|c| n < c) {
        match c.next(-1).unwrap_or_else(|e| fail("recv", e)) {
            Recv::Event(e) => {
                let node_like = sub.ty == TIPC_NODE_STATE || sub.ty == TIPC_LINK_STATE;
                if node_like {
                    println!(
                        "{label}{} {} <{}>",
                        event_name(e.event),
                        sub.ty,
                        addr_string(e.found_lower)
                    );
                } else {
                    println!(
                        "{label}{} {{{}, {}, {}}} port {}:{}",
                        event_name(e.event),
                        sub.ty,
                        e.found_lower,
                        e.found_upper,
                        addr_string(e.node),
                        e.port
                    );
                }
                n += 1;
                if e.event == TIPC_SUBSCR_TIMEOUT {
                    break;
                }
            }
            Recv::Timeout => {}
            Recv::Closed => {
                eprintln!("tipc-topo: server closed the connection");
                exit(1)
            }
            Recv::Malformed(len) => {
                eprintln!("tipc-topo: {len}-byte message from the server");
                exit(1)
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (pos, opts): (Vec<&String>, Vec<&String>) = {
        let mut pos = vec![];
        let mut opts = vec![];
        let mut it = args.iter().peekable();
        while let Some(a) = it.next() {
            if a.starts_with("--") {
                opts.push(a);
                if matches!(
                    a.as_str(),
                    "--timeout" | "--count" | "--hold-ms" | "--label"
                ) {
                    opts.push(it.next().unwrap_or_else(|| usage()));
                }
            } else {
                pos.push(a);
            }
        }
        (pos, opts)
    };
    let opt = |name: &str| opts.iter().position(|o| *o == name);
    let val = |name: &str| opt(name).map(|i| num(opts[i + 1]));
    let label = opt("--label").map_or(String::new(), |i| format!("{} ", opts[i + 1]));
    match pos.first().map(|s| s.as_str()) {
        Some("sub") if pos.len() >= 2 && pos.len() <= 4 => {
            let ty = num(pos[1]);
            let lower = pos.get(2).map_or(0, |s| num(s));
            let upper = pos
                .get(3)
                .map_or(if pos.len() == 3 { lower } else { !0 }, |s| num(s));
            let filter = if opt("--service").is_some() {
                TIPC_SUB_SERVICE
            } else {
                TIPC_SUB_PORTS
            };
            let mut sub = Subscr::new(ty, lower, upper, filter);
            if let Some(t) = val("--timeout") {
                sub.timeout = t;
            }
            watch(
                sub,
                opt("--host-order").is_none(),
                val("--count").map(u64::from),
                &label,
            );
        }
        Some("nodes") => watch(
            Subscr::new(TIPC_NODE_STATE, 0, !0, TIPC_SUB_SERVICE),
            true,
            None,
            &label,
        ),
        Some("links") => watch(
            Subscr::new(TIPC_LINK_STATE, 0, !0, TIPC_SUB_PORTS),
            true,
            None,
            &label,
        ),
        Some("bind") if pos.len() == 3 || pos.len() == 4 => {
            let (ty, lower) = (num(pos[1]), num(pos[2]));
            let upper = pos.get(3).map_or(lower, |s| num(s));
            let scope = if opt("--node").is_some() {
                Scope::Node
            } else {
                Scope::Cluster
            };
            let s = Socket::rdm().unwrap_or_else(|e| fail("socket", e));
            s.bind(ty, lower, upper, scope)
                .unwrap_or_else(|e| fail("bind", e));
            match val("--hold-ms") {
                Some(ms) => std::thread::sleep(std::time::Duration::from_millis(ms.into())),
                None => loop {
                    std::thread::park();
                },
            }
        }
        _ => usage(),
    }
}
