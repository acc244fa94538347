// SPDX-License-Identifier: GPL-2.0

//! KUnit cases for the server: the topology wire format (decoding, byte
//! order, cancel matching, events), the outbound queue (order across
//! chunks, the limit), the configuration protocol's parser and policy, and
//! the connection lifecycle of the core, on a test service in `init_net`
//! (`tipc.ko` is initialised when the suite runs). Built with
//! `CONFIG_TIPC_SERVER_RUST_KUNIT_TEST`; `kunit.c` runs them when `tipc.ko`
//! loads, through the entry points in `ffi.rs`. Each returns 0 or the line
//! of the check that failed.

use crate::config::{
    commands::{self, cmd, BadArg, Class},
    policy::{self, REMOTE_NONE, REMOTE_PUBLIC},
    wire::{self, code, Malformed, Tlv},
};
use crate::core::{
    conn::Conn,
    outqueue::{OutQueue, PushError, CHUNK},
    replyqueue::{Reply, ReplyQueue},
    server::Server,
    service::{Service, ServiceInfo},
};
use crate::ffi::{self, Scope, ServiceRange};
use crate::topology::wire::{
    Request, TIPC_PUBLISHED, TIPC_SUB_CANCEL, TIPC_SUB_PORTS, TIPC_SUB_SERVICE, TIPC_WITHDRAWN,
};
use crate::topology::Feed;
use core::ffi::c_int;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
use kernel::{
    c_str,
    net::{
        namespace::NetNs,
        socket::{Received, Sent, SockType, Socket},
        tipc::{SockAddrTipc, AF_TIPC},
    },
    prelude::*,
    sync::Arc,
};

macro_rules! check {
    ($c:expr) => {
        if !$c {
            kernel::pr_err!("check failed: {}\n", stringify!($c));
            return line!() as c_int;
        }
    };
}

/// A request as a subscriber writes it, in network or host order.
fn request(network: bool, v: [u32; 5], handle: &[u8; 8]) -> [u8; 28] {
    let mut b = [0u8; 28];
    for (i, x) in v.into_iter().enumerate() {
        let w = if network {
            x.to_be_bytes()
        } else {
            x.to_ne_bytes()
        };
        b[i * 4..i * 4 + 4].copy_from_slice(&w);
    }
    b[20..].copy_from_slice(handle);
    b
}

pub(crate) fn wire_decode() -> c_int {
    for network in [true, false] {
        let b = request(network, [4711, 1, 9, 500, TIPC_SUB_PORTS], b"handle!!");
        let Some(r) = Request::decode(&b) else {
            return line!() as c_int;
        };
        check!(
            r.range
                == ServiceRange {
                    ty: 4711,
                    lower: 1,
                    upper: 9
                }
        );
        check!(r.timeout == 500 && r.filter == TIPC_SUB_PORTS);
        check!(r.raw == b);
        // Host order is what the filter read natively says.
        check!(r.swap == (network && cfg!(target_endian = "little")));
        // Shorter than a request: refused; longer: its first 28 bytes.
        check!(Request::decode(&b[..27]).is_none());
        let mut long = [0xffu8; 40];
        long[..28].copy_from_slice(&b);
        check!(Request::decode(&long).map(|r| r.raw) == Some(b));
    }
    0
}

pub(crate) fn wire_event_in_subscriber_order() -> c_int {
    for network in [true, false] {
        let b = request(network, [4711, 0, 99, !0, TIPC_SUB_SERVICE], b"12345678");
        let Some(r) = Request::decode(&b) else {
            return line!() as c_int;
        };
        let e = r.event(1, 10, 20, 0xabcd, 0x1001001);
        let word = |i: usize| {
            let w = [e[i * 4], e[i * 4 + 1], e[i * 4 + 2], e[i * 4 + 3]];
            if network {
                u32::from_be_bytes(w)
            } else {
                u32::from_ne_bytes(w)
            }
        };
        check!([word(0), word(1), word(2), word(3), word(4)] == [1, 10, 20, 0xabcd, 0x1001001]);
        check!(e[20..] == b);
    }
    0
}

pub(crate) fn wire_cancel_matches_bytes() -> c_int {
    for network in [true, false] {
        let sub = request(network, [4711, 0, 10, !0, TIPC_SUB_PORTS], b"original");
        let cancel = request(
            network,
            [4711, 0, 10, !0, TIPC_SUB_PORTS | TIPC_SUB_CANCEL],
            b"original",
        );
        let Some(c) = Request::decode(&cancel) else {
            return line!() as c_int;
        };
        check!(c.filter & TIPC_SUB_CANCEL != 0);
        check!(c.cancelled() == sub);
        let other = request(
            network,
            [4711, 0, 10, !0, TIPC_SUB_PORTS | TIPC_SUB_CANCEL],
            b"Original",
        );
        check!(Request::decode(&other).map(|r| r.cancelled()) != Some(sub));
    }
    0
}

pub(crate) fn wire_kernel_request_initialised() -> c_int {
    let range = ServiceRange {
        ty: 77,
        lower: 1,
        upper: 2,
    };
    let r = Request::kernel(range, TIPC_SUB_PORTS, 0xdead_beef);
    // The port in its first word (where group.c reads it), zeroes after.
    check!(r.raw[20..24] == 0xdead_beef_u32.to_ne_bytes());
    check!(r.raw[24..] == [0; 4]);
    check!(Request::decode(&r.raw).map(|d| d.raw) == Some(r.raw));
    0
}

pub(crate) fn wire_overlap() -> c_int {
    let b = request(false, [1, 10, 20, !0, TIPC_SUB_PORTS], &[0; 8]);
    let Some(r) = Request::decode(&b) else {
        return line!() as c_int;
    };
    check!(r.overlaps(0, 10) && r.overlaps(20, 30) && r.overlaps(12, 13) && r.overlaps(0, !0));
    check!(!r.overlaps(0, 9) && !r.overlaps(21, 30));
    0
}

pub(crate) fn outqueue_fifo_across_chunks() -> c_int {
    let mut q = OutQueue::<u32>::new();
    let n = (3 * CHUNK + 5) as u32;
    for i in 0..n {
        check!(q.push(i, None).is_ok());
    }
    check!(q.len() == n as usize);
    // Interleave: the ring of chunks wraps while it also grows.
    let mut next_in = n;
    let mut next_out = 0;
    for round in 0..(8 * CHUNK) {
        check!(q.pop() == Some(next_out));
        next_out += 1;
        if round % 3 != 0 {
            check!(q.push(next_in, None).is_ok());
            next_in += 1;
        }
    }
    while let Some(v) = q.pop() {
        check!(v == next_out);
        next_out += 1;
    }
    check!(next_out == next_in && q.len() == 0 && q.front().is_none());
    // Drained, the queue is usable again.
    check!(q.push(7, None).is_ok() && q.front() == Some(7));
    0
}

pub(crate) fn outqueue_limit() -> c_int {
    let mut q = OutQueue::<u64>::new();
    for i in 0..10 {
        check!(q.push(i, Some(10)).is_ok());
    }
    check!(q.push(10, Some(10)) == Err(PushError::Full));
    check!(q.len() == 10);
    // Unbounded pushes (initial status, timeouts) go beyond it.
    check!(q.push(10, None).is_ok() && q.len() == 11);
    check!(q.pop() == Some(0));
    check!(q.push(11, Some(11)).is_ok());
    check!(q.clear() == 11 && q.len() == 0 && q.pop().is_none());
    0
}

/// A name table change of binding `{port, key}` at instance `inst`.
fn change(event: u32, port: u32, key: u32, inst: u32) -> ffi::Report {
    ffi::Report {
        lower: inst,
        upper: inst,
        port,
        node: 0x1001001,
        key,
        event,
        scope: Scope::Cluster as c_int,
        must: true,
    }
}

/// The next event of `feed` as (event, instance, port), host order.
fn told(feed: &mut Feed) -> Option<(u32, u32, u32)> {
    let e = feed.next_event()?;
    let w = |i: usize| u32::from_ne_bytes([e[i], e[i + 1], e[i + 2], e[i + 3]]);
    Some((w(0), w(4), w(12)))
}

/// A feed for the socket `OWN`, which has joined (its own binding told).
fn joined_feed() -> Option<Feed> {
    let range = ServiceRange {
        ty: 4711,
        lower: 0,
        upper: !0,
    };
    let mut feed = Feed::new(Request::kernel(range, TIPC_SUB_PORTS, OWN));
    feed.change(&change(TIPC_PUBLISHED, OWN, 1, 0)).ok()?;
    (told(&mut feed)? == (TIPC_PUBLISHED, 0, OWN)).then_some(feed)
}

/// The kernel subscriber's socket in the feed cases.
const OWN: u32 = 99;

pub(crate) fn feed_tells_changes_in_order() -> c_int {
    let Some(mut feed) = joined_feed() else {
        return line!() as c_int;
    };
    let (p, w) = (TIPC_PUBLISHED, TIPC_WITHDRAWN);
    for c in [change(p, 10, 1, 5), change(p, 11, 2, 6)] {
        check!(matches!(feed.change(&c), Ok(true)));
    }
    check!(told(&mut feed) == Some((p, 5, 10)));
    // Told of: its withdrawal is told too.
    check!(matches!(feed.change(&change(w, 10, 1, 5)), Ok(true)));
    // Not told of yet, and appeared after the subscriber joined: appearing
    // and going again needs no event.
    check!(matches!(feed.change(&change(w, 11, 2, 6)), Ok(false)));
    // The same socket binds again (a new key): told after the withdrawal.
    check!(matches!(feed.change(&change(p, 10, 3, 7)), Ok(true)));
    check!(told(&mut feed) == Some((w, 5, 10)));
    check!(told(&mut feed) == Some((p, 7, 10)));
    check!(told(&mut feed).is_none() && feed.untold() == 0);
    0
}

pub(crate) fn feed_tells_what_group_may_know() -> c_int {
    let range = ServiceRange {
        ty: 4711,
        lower: 0,
        upper: !0,
    };
    let mut feed = Feed::new(Request::kernel(range, TIPC_SUB_PORTS, OWN));
    let (p, w) = (TIPC_PUBLISHED, TIPC_WITHDRAWN);
    // Before the subscriber's own binding: group.c may have read this one
    // from the name table, so its withdrawal is told even though its
    // appearance never was.
    check!(matches!(feed.change(&change(p, 20, 1, 2)), Ok(true)));
    check!(matches!(feed.change(&change(w, 20, 1, 2)), Ok(false)));
    check!(matches!(feed.change(&change(p, OWN, 2, 0)), Ok(true)));
    check!(told(&mut feed) == Some((w, 2, 20)));
    check!(told(&mut feed) == Some((p, 0, OWN)));
    // A binding from before the subscription (never reported as there)
    // goes: told.
    check!(matches!(feed.change(&change(w, 30, 5, 3)), Ok(true)));
    check!(told(&mut feed) == Some((w, 3, 30)));
    check!(told(&mut feed).is_none() && feed.untold() == 0);
    0
}

pub(crate) fn feed_bounded_under_churn() -> c_int {
    let Some(mut feed) = joined_feed() else {
        return line!() as c_int;
    };
    // A member that was told of, then a flood of binds and unbinds from
    // sockets that come and go, none of it told yet.
    check!(matches!(
        feed.change(&change(TIPC_PUBLISHED, 1, 1, 1)),
        Ok(true)
    ));
    check!(told(&mut feed).is_some());
    for i in 0..2_000u32 {
        check!(feed.change(&change(TIPC_PUBLISHED, 1000 + i, i, 2)).is_ok());
        check!(feed.change(&change(TIPC_WITHDRAWN, 1000 + i, i, 2)).is_ok());
        check!(feed.untold() == 0);
    }
    // The told member goes during the flood: that is told.
    check!(matches!(
        feed.change(&change(TIPC_WITHDRAWN, 1, 1, 1)),
        Ok(true)
    ));
    check!(told(&mut feed) == Some((TIPC_WITHDRAWN, 1, 1)));
    check!(told(&mut feed).is_none());
    0
}

/// A reply of `len` bytes for node `node`.
fn reply_for(node: u32, len: usize) -> Option<Reply> {
    let mut bytes = KVec::new();
    bytes.extend_with(len, node as u8, GFP_KERNEL).ok()?;
    Some(Reply {
        to: SockAddrTipc::socket(1, node),
        node,
        bytes,
    })
}

/// Queues a reply of `len` bytes for `node` within `limit`.
fn queue_reply(q: &mut ReplyQueue, node: u32, len: usize, limit: usize) -> bool {
    let Some(room) = q.reserve(node, len, limit) else {
        return false;
    };
    match reply_for(node, len) {
        Some(r) => q.commit(room, r).is_ok(),
        None => {
            q.cancel(room);
            false
        }
    }
}

pub(crate) fn replyqueue_reuses_slots() -> c_int {
    // Steady load: replies keep coming while as many leave. The ring keeps
    // its size (the old queue grew until it drained completely).
    let mut q = ReplyQueue::new();
    for i in 0..4 {
        check!(queue_reply(&mut q, i, 8, 1 << 20));
    }
    let size = q.slots();
    for i in 0..2_000u32 {
        check!(queue_reply(&mut q, i % 7, 8, 1 << 20));
        let Some(at) = q.next_sendable() else {
            return line!() as c_int;
        };
        q.remove(at);
        check!(q.len() == 4 && q.slots() <= size.max(8));
    }
    check!(q.clear() == 4 && q.len() == 0);
    0
}

pub(crate) fn replyqueue_congested_node_waits_alone() -> c_int {
    let mut q = ReplyQueue::new();
    for (node, len) in [(1, 10), (2, 20), (1, 11), (2, 21)] {
        check!(queue_reply(&mut q, node, len, 1 << 20));
    }
    // Node 1's link is congested: node 2's replies go, in their order.
    check!(q.block(1).is_ok());
    for want in [20, 21] {
        let Some(at) = q.next_sendable() else {
            return line!() as c_int;
        };
        check!(q.get(at).map(|r| r.bytes.len()) == Some(want));
        q.remove(at);
    }
    check!(q.next_sendable().is_none() && q.len() == 2);
    // Write space: node 1's replies go, still in their order.
    q.unblock();
    for want in [10, 11] {
        let Some(at) = q.next_sendable() else {
            return line!() as c_int;
        };
        check!(q.get(at).map(|r| r.bytes.len()) == Some(want));
        q.remove(at);
    }
    check!(q.len() == 0 && q.next_sendable().is_none());
    0
}

pub(crate) fn replyqueue_room_reserved_first() -> c_int {
    let mut q = ReplyQueue::new();
    // Room for the largest reply is taken before the command runs.
    let Some(a) = q.reserve(1, 600, 1000) else {
        return line!() as c_int;
    };
    check!(q.reserve(2, 600, 1000).is_none());
    // The actual reply is smaller: the rest of the room comes back.
    let Some(r) = reply_for(1, 100) else {
        return line!() as c_int;
    };
    check!(q.commit(a, r).is_ok());
    let Some(b) = q.reserve(2, 600, 1000) else {
        return line!() as c_int;
    };
    q.cancel(b);
    check!(q.reserve(2, 901, 1000).is_none());
    let Some(c) = q.reserve(2, 900, 1000) else {
        return line!() as c_int;
    };
    q.cancel(c);
    0
}

pub(crate) fn replyqueue_node_share() -> c_int {
    // A node whose replies wait (its link congested) takes a quarter of
    // the bytes at most: the other nodes' requests still find room.
    let mut q = ReplyQueue::new();
    let limit = 4000;
    for _ in 0..10 {
        check!(queue_reply(&mut q, 1, 100, limit));
    }
    check!(!queue_reply(&mut q, 1, 100, limit));
    for _ in 0..10 {
        check!(queue_reply(&mut q, 2, 100, limit));
    }
    // A reply larger than a share still gets a queue of its own.
    let Some(big) = q.reserve(3, 1500, limit) else {
        return line!() as c_int;
    };
    q.cancel(big);
    0
}

/// A configuration request: header, then `tlv` (type, value) if any.
fn cfg_request(command: u16, tlv: Option<(u16, &[u8])>) -> KVec<u8> {
    let mut m = KVec::new();
    let body = tlv.map_or(0, |(_, v)| wire::align4(4 + v.len()));
    let len = (wire::HDR_LEN + body) as u32;
    let _ = m.extend_from_slice(&len.to_be_bytes(), GFP_KERNEL);
    let _ = m.extend_from_slice(&command.to_be_bytes(), GFP_KERNEL);
    let _ = m.extend_from_slice(&wire::TCM_F_REQUEST.to_be_bytes(), GFP_KERNEL);
    let _ = m.extend_with(8, 0, GFP_KERNEL);
    if let Some((ty, v)) = tlv {
        let _ = m.extend_from_slice(&((4 + v.len()) as u16).to_be_bytes(), GFP_KERNEL);
        let _ = m.extend_from_slice(&ty.to_be_bytes(), GFP_KERNEL);
        let _ = m.extend_from_slice(v, GFP_KERNEL);
        let _ = m.extend_with(wire::align4(v.len()) - v.len(), 0, GFP_KERNEL);
    }
    m
}

fn copy(b: &[u8]) -> KVec<u8> {
    let mut v = KVec::new();
    let _ = v.extend_from_slice(b, GFP_KERNEL);
    v
}

pub(crate) fn cfg_header() -> c_int {
    let ok = cfg_request(cmd::NOOP, None);
    check!(ok.len() == 16);
    check!(matches!(wire::parse(&ok, 1024), Ok(r) if r.cmd == cmd::NOOP && r.tlv.is_none()));
    check!(wire::parse(&ok[..15], 1024).err() == Some(Malformed::Short));
    check!(wire::parse(&[], 1024).err() == Some(Malformed::Short));
    // tcm_len must be the length received, and aligned.
    let mut m = copy(&ok);
    m[3] = 20;
    check!(wire::parse(&m, 1024).err() == Some(Malformed::LengthMismatch));
    let mut m = copy(&ok);
    let _ = m.push(0, GFP_KERNEL);
    m[3] = 17;
    check!(wire::parse(&m, 1024).err() == Some(Malformed::Unaligned));
    // Only TCM_F_REQUEST; a reply is never answered, however malformed.
    for flags in [0u8, 2, 3] {
        let mut m = copy(&ok);
        m[7] = flags;
        check!(wire::parse(&m, 1024).err() == Some(Malformed::NotRequest));
        m[3] = 20;
        check!(wire::parse(&m, 1024).err() == Some(Malformed::NotRequest));
        check!(wire::parse(&m, 15).err() == Some(Malformed::NotRequest));
    }
    check!(wire::parse(&ok, 15).err() == Some(Malformed::TooLong));
    // Without a whole header, a matching length or the request flag: no answer.
    for (m, answered) in [
        (Malformed::Short, false),
        (Malformed::LengthMismatch, false),
        (Malformed::NotRequest, false),
        (Malformed::TooLong, true),
        (Malformed::Unaligned, true),
        (Malformed::TlvShort, true),
    ] {
        check!(m.answered() == answered);
    }
    0
}

pub(crate) fn cfg_tlv() -> c_int {
    let name = b"eth0\0";
    let m = cfg_request(cmd::DISABLE_BEARER, Some((19, name)));
    check!(m.len() == 16 + 12);
    let Ok(r) = wire::parse(&m, 1024) else {
        return line!() as c_int;
    };
    check!(
        r.tlv
            == Some(Tlv {
                ty: 19,
                value: name
            })
    );
    check!(r.body.len() == 12);
    // TLV length below its header, past the end, or short of the end.
    for (len, why) in [
        (3u16, Malformed::TlvShort),
        (13, Malformed::TlvPastEnd),
        (4, Malformed::TrailingBytes),
    ] {
        let mut b = copy(&m);
        b[16..18].copy_from_slice(&len.to_be_bytes());
        check!(wire::parse(&b, 1024).err() == Some(why));
    }
    // A body too short for a TLV header.
    let mut b = cfg_request(cmd::NOOP, None);
    let _ = b.extend_from_slice(&[0, 4, 0, 0], GFP_KERNEL);
    b[3] = 20;
    check!(wire::parse(&b, 1024).is_ok());
    0
}

pub(crate) fn cfg_args() -> c_int {
    let t = |ty, value| Some(Tlv { ty, value });
    let link = |value: &'static [u8]| t(20, value);
    check!(commands::check(cmd::NOOP, None).is_ok());
    check!(commands::check(cmd::GET_NODES, None).is_ok());
    check!(commands::check(cmd::GET_NODES, t(17, &[0; 4]).as_ref()).is_ok());
    check!(commands::check(cmd::GET_NODES, t(2, &[0; 4]).as_ref()).is_err());
    check!(commands::check(cmd::GET_LINKS, None).is_err());
    check!(commands::check(cmd::NOOP, t(17, &[0; 4]).as_ref()).is_err());
    check!(commands::check(cmd::SHOW_LINK_STATS, link(b"broadcast-link\0").as_ref()).is_ok());
    // Without its terminator the name would be read past the message.
    check!(commands::check(cmd::SHOW_LINK_STATS, link(b"broadcast-link").as_ref()).is_err());
    check!(commands::check(cmd::SHOW_LINK_STATS, link(&[b'a'; 69]).as_ref()).is_err());
    let cfg = [0u8; 72];
    let mut unterminated = [b'x'; 72];
    unterminated[..4].fill(0);
    check!(commands::check(cmd::SET_LINK_TOL, t(24, &cfg).as_ref()).is_ok());
    check!(commands::check(cmd::SET_LINK_TOL, t(24, &unterminated).as_ref()).is_err());
    check!(commands::check(cmd::SET_LINK_TOL, t(24, &cfg[..71]).as_ref()).is_err());
    check!(commands::check(cmd::ENABLE_BEARER, t(23, &[0; 40]).as_ref()).is_ok());
    check!(commands::check(cmd::ENABLE_BEARER, t(23, &[0; 41]).as_ref()).is_err());
    check!(commands::check(cmd::SHOW_NAME_TABLE, t(25, &[0; 16]).as_ref()).is_ok());
    // Commands the service does not run, in every class.
    for c in [0x0007u16, 0x4003, 0x410A, 0x8001, 0xC001] {
        check!(commands::check(c, None) == Err(BadArg::Unsupported));
    }
    check!(commands::class(0x3fff) == Class::Public);
    check!(commands::class(0x4000) == Class::Protected);
    check!(commands::class(0x8000) == Class::Private);
    0
}

/// Tiny deterministic generator for the hostile-input case.
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1664525).wrapping_add(1013904223);
        self.0 >> 8
    }
}

pub(crate) fn cfg_hostile() -> c_int {
    let mut rng = Lcg(4711);
    let seeds = [
        cfg_request(cmd::SHOW_LINK_STATS, Some((20, b"broadcast-link\0"))),
        cfg_request(cmd::SET_LINK_TOL, Some((24, &[0u8; 72]))),
        cfg_request(cmd::GET_NODES, Some((17, &[0u8; 4]))),
    ];
    let mut buf = [0u8; 128];
    for i in 0..20000 {
        let seed = &seeds[i % seeds.len()];
        let mut len = seed.len();
        buf[..len].copy_from_slice(seed);
        for _ in 0..(1 + rng.next() % 4) {
            // `checked_rem`: no division-by-zero panic path (`len` is never 0 here).
            let at = (rng.next() as usize).checked_rem(len).unwrap_or(0);
            buf[at] = rng.next() as u8;
        }
        if rng.next() % 4 == 0 {
            len = rng.next() as usize % buf.len();
        }
        // Whatever the bytes, the parser's view stays inside them.
        if let Ok(r) = wire::parse(&buf[..len], 1024) {
            check!(r.body.len() + wire::HDR_LEN == len);
            if let Some(t) = r.tlv {
                check!(t.value.len() + 4 <= r.body.len());
            }
            let _ = commands::check(r.cmd, r.tlv.as_ref());
        }
    }
    0
}

pub(crate) fn cfg_policy() -> c_int {
    use Class::*;
    let refused =
        |level, local, class, c| policy::decide(level, local, class).is_err_and(|r| r.code == c);
    // Local requesters: public only, whatever the level.
    for level in 0..3 {
        check!(policy::decide(level, true, Public).is_ok());
        check!(refused(level, true, Protected, code::NOT_NET_ADMIN));
        check!(refused(level, true, Private, code::NOT_NET_ADMIN));
    }
    for class in [Public, Protected, Private] {
        check!(refused(REMOTE_NONE, false, class, code::NO_REMOTE));
    }
    check!(policy::decide(REMOTE_PUBLIC, false, Public).is_ok());
    check!(refused(
        REMOTE_PUBLIC,
        false,
        Protected,
        code::NOT_NET_ADMIN
    ));
    check!(refused(REMOTE_PUBLIC, false, Private, code::NOT_NET_ADMIN));
    check!(policy::decide(2, false, Protected).is_ok());
    check!(refused(2, false, Private, code::NOT_NET_ADMIN));
    0
}

pub(crate) fn cfg_replies() -> c_int {
    let req = cfg_request(cmd::GET_NETID, None);
    let header = wire::reply_header(&req);
    let Ok(r) = wire::error_reply(&header, code::NO_REMOTE, "off") else {
        return line!() as c_int;
    };
    // Header, then a TLV of 4 + code + " (off)" + NUL = 12 bytes: the
    // explanation after a separator, as tipc-config prints it after its own
    // words for the code.
    check!(r.len() == 28);
    check!(r[..4] == 28u32.to_be_bytes());
    check!(r[4..6] == cmd::GET_NETID.to_be_bytes());
    check!(r[6..8] == [0, 0]);
    check!(r[16..20] == [0, 12, 0, 16]);
    check!(r[20..28] == [0x83, b' ', b'(', b'o', b'f', b'f', b')', 0]);
    // Too short to have a header: a zeroed one.
    check!(wire::reply_header(&req[..3]) == [0; 16]);
    let Ok(r) = wire::reply(&header, &[&[1, 2, 3, 4], &[5, 6, 7, 8]]) else {
        return line!() as c_int;
    };
    check!(r.len() == 24 && r[3] == 24 && r[16..] == [1, 2, 3, 4, 5, 6, 7, 8]);
    0
}

/// Service type of the lifecycle cases' echo service (node scope).
const ECHO_TYPE: u32 = 0x7e57_0001;

/// A message of the echo service.
#[derive(Clone, Copy)]
struct Echoed {
    bytes: [u8; 16],
    len: usize,
}

/// A service that echoes each request; "bad" is a malformed request.
struct Echo {
    closed: AtomicU32,
}

impl ServiceInfo for Echo {
    const RECV_QUEUE: &'static CStr = c_str!("tipc_test_rcv");
    const SEND_QUEUE: &'static CStr = c_str!("tipc_test_send");
    const SOCK_TYPE: SockType = SockType::SeqPacket;
    const MAX_REQUEST: usize = 16;
    const NAME: &'static str = "echo";
}

impl Service for Echo {
    type ConnState = ();
    type Out = Echoed;

    fn address(&self) -> (ServiceRange, Scope) {
        let r = ServiceRange {
            ty: ECHO_TYPE,
            lower: 0,
            upper: 0,
        };
        (r, Scope::Node)
    }

    fn conn_state() -> impl PinInit<()> {}

    fn received(_server: &Arc<Server<Self>>, conn: &Arc<Conn<Self>>, req: &[u8]) -> Result {
        if req == b"bad" {
            return Err(EINVAL);
        }
        let mut out = Echoed {
            bytes: [0; 16],
            len: req.len(),
        };
        out.bytes[..req.len()].copy_from_slice(req);
        Conn::queue(conn.as_arc_borrow(), out, true, || true);
        Ok(())
    }

    fn payload(out: &Echoed) -> &[u8] {
        &out.bytes[..out.len]
    }

    fn take_local(_conn: &Conn<Self>) -> Option<Echoed> {
        None
    }

    fn deliver_local(_server: &Server<Self>, _out: &Echoed) {}

    fn sent(_server: &Server<Self>, _conn: &Arc<Conn<Self>>, _out: &Echoed) {}

    fn closed(server: &Server<Self>, _conn: &Conn<Self>) {
        server.service().closed.fetch_add(1, Relaxed);
    }
}

/// Polls `cond` every 10 ms for up to two seconds.
fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    // Up to 20 s: the debug kernel under TCG is slow, and a bound only
    // decides how long a failing case takes.
    for _ in 0..2000 {
        if cond() {
            return true;
        }
        ffi::sleep_ms(10);
    }
    cond()
}

fn echo_server() -> Result<Arc<Server<Echo>>> {
    Server::start(
        NetNs::init_net(),
        Echo {
            closed: AtomicU32::new(0),
        },
    )
}

/// A client connected to the echo service, once the server accepted it.
fn echo_client() -> Result<Socket> {
    let c = Socket::new(NetNs::init_net(), AF_TIPC, SockType::SeqPacket, 0)?;
    c.connect_nonblocking(&SockAddrTipc::service(ECHO_TYPE, 0, 0))?;
    Ok(c)
}

/// Sends `msg` once the connection is up; reads the reply into `buf`.
fn exchange(c: &Socket, msg: &[u8], buf: &mut [u8]) -> Option<Received> {
    if !wait_until(|| matches!(c.send(msg), Ok(Sent::Done))) {
        return None;
    }
    let mut got = None;
    wait_until(|| {
        got = c.recv(buf).ok().filter(|r| *r != Received::WouldBlock);
        got.is_some()
    });
    got
}

fn open_conns(s: &Server<Echo>) -> u64 {
    s.stats.conns_open.load(Relaxed)
}

/// Runs `case` on a fresh echo server, which is stopped afterwards.
fn with_echo_server(case: impl FnOnce(&Arc<Server<Echo>>) -> c_int) -> c_int {
    let Ok(s) = echo_server() else {
        return line!() as c_int;
    };
    let result = case(&s);
    s.stop();
    result
}

pub(crate) fn lifecycle_echo_then_peer_close() -> c_int {
    with_echo_server(|s| {
        let Ok(c) = echo_client() else {
            return line!() as c_int;
        };
        let mut buf = [0u8; 16];
        check!(exchange(&c, b"ping", &mut buf) == Some(Received::Data(4)));
        check!(&buf[..4] == b"ping");
        check!(open_conns(s) == 1);
        // The client goes away: the server closes its side, once.
        drop(c);
        check!(wait_until(|| open_conns(s) == 0));
        check!(s.service().closed.load(Relaxed) == 1);
        check!(s.stats.sent.load(Relaxed) == 1 && s.stats.discarded.load(Relaxed) == 0);
        0
    })
}

pub(crate) fn lifecycle_bad_request_closes() -> c_int {
    with_echo_server(|s| {
        let Ok(c) = echo_client() else {
            return line!() as c_int;
        };
        let mut buf = [0u8; 16];
        // The server answers a malformed request by closing: end of stream.
        check!(exchange(&c, b"bad", &mut buf) == Some(Received::Closed));
        check!(wait_until(|| open_conns(s) == 0));
        check!(s.stats.rejected.load(Relaxed) == 1);
        check!(s.service().closed.load(Relaxed) == 1);
        0
    })
}

pub(crate) fn lifecycle_stop_closes_everything() -> c_int {
    let Ok(s) = echo_server() else {
        return line!() as c_int;
    };
    let mut clients = KVec::new();
    let mut buf = [0u8; 16];
    for _ in 0..3 {
        let Ok(c) = echo_client() else {
            s.stop();
            return line!() as c_int;
        };
        if exchange(&c, b"hi", &mut buf) != Some(Received::Data(2))
            || clients.push(c, GFP_KERNEL).is_err()
        {
            s.stop();
            return line!() as c_int;
        }
    }
    check!(open_conns(&s) == 3);
    // A kernel-side connection without a socket goes too.
    let Ok(local) = s.open(None) else {
        s.stop();
        return line!() as c_int;
    };
    check!(s.find(local.id()).is_some());
    s.stop();
    check!(open_conns(&s) == 0);
    check!(s.service().closed.load(Relaxed) == 4);
    check!(s.find(local.id()).is_none());
    // Closing again is a no-op; every client sees the end of its stream.
    local.close();
    check!(s.service().closed.load(Relaxed) == 4);
    for c in clients.iter() {
        check!(matches!(c.recv(&mut buf), Ok(Received::Closed) | Err(_)));
    }
    // Nothing is accepted after a stop.
    check!(s.open(None).is_err());
    0
}
