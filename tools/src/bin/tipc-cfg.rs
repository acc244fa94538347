// SPDX-License-Identifier: GPL-2.0
//! tipc-cfg: a command-line client of the TIPC configuration service.
//!
//!   tipc-cfg [-m NODE | --local] [--hex] COMMAND [ARGS]
//!
//! Without -m or --local the request goes over the network to this node's
//! own service `{0, own address}`; -m NODE asks node NODE (z.c.n, 0xHEX or
//! decimal); --local asks the kernel directly over genetlink ("TIPC").
//! --hex prints the reply's TLV bytes instead of text.  Exit status: 0 on
//! an answer, 1 on an error reply, 2 on usage or I/O errors.

use std::process::exit;
use tipc_tools::cfg::{self, Error, Tlv, Transport};
use tipc_tools::Socket;

const USAGE: &str = "\
usage: tipc-cfg [-m NODE | --local] [--hex] COMMAND [ARGS]
commands:
  noop | nodes | media | bearers | links | ports | stats | netid
  nametable [TYPE [LOWER [UPPER]]]
  linkstats LINK | reset-linkstats LINK
  set-link-tol | set-link-pri | set-link-win LINK VALUE
  enable-bearer NAME [PRIO [DOMAIN]] | disable-bearer NAME
  raw CMD [TLVTYPE HEX]";

fn usage() -> ! {
    eprintln!("{USAGE}");
    exit(2)
}

fn fail(what: &str) -> ! {
    eprintln!("tipc-cfg: {what}");
    exit(2)
}

/// A number in decimal or 0xHEX.
fn num(s: &str) -> u32 {
    let r = match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.unwrap_or_else(|_| fail(&format!("bad number '{s}'")))
}

fn num16(s: &str) -> u16 {
    u16::try_from(num(s)).unwrap_or_else(|_| fail(&format!("'{s}' does not fit in 16 bits")))
}

fn node(s: &str) -> u32 {
    cfg::parse_node(s).unwrap_or_else(|| fail(&format!("bad node address '{s}'")))
}

fn tlv(r: Result<Tlv, String>) -> Option<Tlv> {
    Some(r.unwrap_or_else(|e| fail(&e)))
}

/// The command number and request TLV for COMMAND ARGS.
fn request(cmd: &str, a: &[String]) -> (u16, Option<Tlv>) {
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    match (cmd, &a[..]) {
        ("noop", []) => (cfg::TIPC_CMD_NOOP, None),
        ("nodes", []) => (cfg::TIPC_CMD_GET_NODES, None),
        ("media", []) => (cfg::TIPC_CMD_GET_MEDIA_NAMES, None),
        ("bearers", []) => (cfg::TIPC_CMD_GET_BEARER_NAMES, None),
        ("links", []) => (cfg::TIPC_CMD_GET_LINKS, Some(Tlv::net_addr(0))),
        ("ports", []) => (cfg::TIPC_CMD_SHOW_PORTS, None),
        ("stats", []) => (cfg::TIPC_CMD_SHOW_STATS, None),
        ("netid", []) => (cfg::TIPC_CMD_GET_NETID, None),
        ("nametable", q) if q.len() <= 3 => {
            let depth = 4;
            let t = match q {
                [] => Tlv::name_table_query(depth | cfg::TIPC_NTQ_ALLTYPES, 0, 0, 0),
                [ty] => Tlv::name_table_query(depth, num(ty), 0, 0),
                [ty, lo] => Tlv::name_table_query(depth, num(ty), num(lo), num(lo)),
                [ty, lo, up, ..] => Tlv::name_table_query(depth, num(ty), num(lo), num(up)),
            };
            (cfg::TIPC_CMD_SHOW_NAME_TABLE, Some(t))
        }
        ("linkstats", [l]) => (cfg::TIPC_CMD_SHOW_LINK_STATS, tlv(Tlv::link_name(l))),
        ("reset-linkstats", [l]) => (cfg::TIPC_CMD_RESET_LINK_STATS, tlv(Tlv::link_name(l))),
        ("set-link-tol", [l, v]) => (cfg::TIPC_CMD_SET_LINK_TOL, tlv(Tlv::link_config(l, num(v)))),
        ("set-link-pri", [l, v]) => (cfg::TIPC_CMD_SET_LINK_PRI, tlv(Tlv::link_config(l, num(v)))),
        ("set-link-win", [l, v]) => (
            cfg::TIPC_CMD_SET_LINK_WINDOW,
            tlv(Tlv::link_config(l, num(v))),
        ),
        ("enable-bearer", [b, rest @ ..]) if rest.len() <= 2 => {
            let prio = rest.first().map_or(cfg::TIPC_MEDIA_LINK_PRI, |p| num(p));
            let domain = rest.get(1).map_or(0, |d| node(d));
            (
                cfg::TIPC_CMD_ENABLE_BEARER,
                tlv(Tlv::bearer_config(b, prio, domain)),
            )
        }
        ("disable-bearer", [b]) => (cfg::TIPC_CMD_DISABLE_BEARER, tlv(Tlv::bearer_name(b))),
        ("raw", [c]) => (num16(c), None),
        ("raw", [c, ty, hex]) => {
            let v = cfg::parse_hex(hex).unwrap_or_else(|| fail(&format!("bad hex '{hex}'")));
            (num16(c), Some(Tlv::new(num16(ty), &v)))
        }
        _ => usage(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut target = None;
    let mut hex = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a.as_str() {
            "-m" if target.is_none() => {
                let n = args.get(i + 1).unwrap_or_else(|| usage());
                target = Some(cfg::remote(node(n)));
                i += 1;
            }
            "--local" if target.is_none() => target = Some(cfg::local()),
            "--hex" => hex = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                exit(0)
            }
            s if s.starts_with('-') => usage(),
            _ => break,
        }
        i += 1;
    }
    let cmd = args.get(i).unwrap_or_else(|| usage());
    let (code, tlv) = request(cmd, &args[i + 1..]);
    let target: Transport = target.unwrap_or_else(|| {
        let own = Socket::rdm()
            .and_then(|s| s.id())
            .unwrap_or_else(|e| fail(&format!("own address: {e}")))
            .1;
        cfg::remote(own)
    });
    let area = match target.request(code, tlv.as_ref()) {
        Ok(a) => a,
        Err(Error::Kernel(errno)) => {
            eprintln!("tipc-cfg: {}", Error::Kernel(errno));
            exit(1)
        }
        Err(e) => fail(&e.to_string()),
    };
    let err = cfg::error_reply(&area);
    if hex {
        println!("{}", cfg::hex(&area));
    } else {
        let text = cfg::format_tlvs(&area).unwrap_or_else(|e| fail(&e));
        if err.is_some() {
            eprint!("tipc-cfg: {text}");
        } else {
            print!("{text}");
        }
    }
    exit(if err.is_some() { 1 } else { 0 })
}
