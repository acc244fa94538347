// SPDX-License-Identifier: GPL-2.0

//! KUnit cases of the topology service: the wire format (decoding, byte
//! order, cancel matching, events) and the kernel subscriber's feed.

use super::feed::Feed;
use super::subscription::{id_of, state_word, EXPIRED, INITIAL, SWAP};
use super::wire::{
    subscriber_bytes, subscriber_words, write_event, Request, TIPC_PUBLISHED, TIPC_SUB_CANCEL,
    TIPC_SUB_PORTS, TIPC_SUB_SERVICE, TIPC_WITHDRAWN,
};
use crate::boundary::{
    kunit::{check, kunit_cases},
    tipc::{event_bytes, Report, ServiceRange, EVENT_LEN},
};
use core::ffi::c_int;

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

/// A name table change of binding `{port, key}` at instance `inst`.
fn change(event: u32, port: u32, key: u32, inst: u32) -> Report {
    Report {
        lower: inst,
        upper: inst,
        port,
        node: 0x1001001,
        key,
        event,
    }
}

/// The next event of `feed` as (event, instance, port), host order.
fn told(feed: &mut Feed) -> Option<(u32, u32, u32)> {
    let e = feed.next_event()?;
    Some((e[0], e[1], e[3]))
}

/// A feed for the socket `OWN`, which has joined (its own binding told).
fn joined_feed() -> Option<Feed> {
    let range = ServiceRange {
        type_: 4711,
        lower: 0,
        upper: !0,
    };
    let mut feed = Feed::new(Request::kernel(range, TIPC_SUB_PORTS, OWN));
    feed.change(&change(TIPC_PUBLISHED, OWN, 1, 0)).ok()?;
    (told(&mut feed)? == (TIPC_PUBLISHED, 0, OWN)).then_some(feed)
}

/// The kernel subscriber's socket in the feed cases.
const OWN: u32 = 99;

kunit_cases! {
    fn wire_decode() -> c_int {
        for network in [true, false] {
            let b = request(network, [4711, 1, 9, 500, TIPC_SUB_PORTS], b"handle!!");
            let Some(r) = Request::decode(&b) else {
                return line!() as c_int;
            };
            check!(r.range.type_ == 4711 && r.range.lower == 1 && r.range.upper == 9);
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

    fn wire_event_in_subscriber_order() -> c_int {
        for network in [true, false] {
            let b = request(network, [4711, 0, 99, !0, TIPC_SUB_SERVICE], b"12345678");
            let Some(r) = Request::decode(&b) else {
                return line!() as c_int;
            };
            let e = *event_bytes(&r.event([1, 10, 20, 0xabcd, 0x1001001]));
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

    fn wire_event_written_in_place() -> c_int {
        // A subscription's event, from its request as the name table holds
        // it, written into a slot holding an older one sets every byte, as
        // the request's own event.
        for network in [true, false] {
            let b = request(network, [77, 5, 50, 0, TIPC_SUB_PORTS], b"abcdefgh");
            let Some(r) = Request::decode(&b) else {
                return line!() as c_int;
            };
            let words = [TIPC_WITHDRAWN, 6, 7, 0x1234, 0x1001002];
            let mut slot = [0xa5a5_a5a5; EVENT_LEN / 4];
            write_event(
                &mut slot,
                &subscriber_words(&r.host(), r.swap),
                r.swap,
                words,
            );
            check!(slot == r.event(words));
        }
        0
    }

    fn wire_host_request_gives_bytes_back() -> c_int {
        // The name table's copy (host order) and the byte order give back
        // the bytes as sent, whatever the filter (even none of its bits).
        for network in [true, false] {
            for filter in [TIPC_SUB_PORTS, TIPC_SUB_SERVICE, 0, 0x100] {
                let b = request(
                    network,
                    [4711, 3, 0x1234_5678, 750, filter],
                    b"\x80handle\xff",
                );
                let Some(r) = Request::decode(&b) else {
                    return line!() as c_int;
                };
                let h = r.host();
                check!(h.seq.type_ == r.range.type_ && h.seq.lower == r.range.lower);
                check!(h.seq.upper == r.range.upper);
                check!(h.timeout == r.timeout && h.filter == r.filter);
                check!(subscriber_bytes(&h, r.swap) == b);
            }
        }
        0
    }

    fn wire_cancel_matches_bytes() -> c_int {
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
            // What a search compares with: the bytes made again from the
            // name table's copy.
            let Some(s) = Request::decode(&sub) else {
                return line!() as c_int;
            };
            check!(c.cancelled() == subscriber_bytes(&s.host(), s.swap));
            let other = request(
                network,
                [4711, 0, 10, !0, TIPC_SUB_PORTS | TIPC_SUB_CANCEL],
                b"Original",
            );
            check!(Request::decode(&other).map(|r| r.cancelled()) != Some(sub));
        }
        // A host-order subscription with filter 0 reads as swapped; its
        // cancel (filter TIPC_SUB_CANCEL) reads as host order. Upstream
        // compares bytes, so the cancel still matches.
        let sub = request(false, [4711, 0, 10, !0, 0], b"mixed!!!");
        let cancel = request(false, [4711, 0, 10, !0, TIPC_SUB_CANCEL], b"mixed!!!");
        let (Some(s), Some(c)) = (Request::decode(&sub), Request::decode(&cancel)) else {
            return line!() as c_int;
        };
        check!(s.swap != c.swap);
        check!(c.cancelled() == subscriber_bytes(&s.host(), s.swap));
        0
    }

    fn subscription_state_word() -> c_int {
        // The id survives the flags set and cleared around it.
        for id in [0, 1, 4711, (1 << 61) - 1] {
            for swap in [false, true] {
                let w = state_word(id, swap);
                check!(id_of(w) == id && id_of(w | EXPIRED) == id);
                check!(id_of(w & !INITIAL) == id);
                check!((w & SWAP != 0) == swap && w & INITIAL != 0 && w & EXPIRED == 0);
            }
        }
        0
    }

    fn wire_kernel_request_initialised() -> c_int {
        let range = ServiceRange {
            type_: 77,
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

    fn feed_tells_changes_in_order() -> c_int {
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

    fn feed_tells_what_group_may_know() -> c_int {
        let range = ServiceRange {
            type_: 4711,
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

    fn feed_bounded_under_churn() -> c_int {
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
}
