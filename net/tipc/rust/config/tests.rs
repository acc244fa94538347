// SPDX-License-Identifier: GPL-2.0

//! KUnit cases of the configuration service: the protocol's parser, the
//! argument checks, hostile input, the policy and the replies.

use super::{
    commands::{self, BadArg, Class},
    policy::{self, REMOTE_NONE, REMOTE_PUBLIC},
    wire::{self, code, Malformed, Tlv},
};
use crate::boundary::kunit::{check, kunit_cases};
use core::ffi::c_int;
use kernel::{prelude::*, uapi};

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

/// Tiny deterministic generator for the hostile-input case.
struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1664525).wrapping_add(1013904223);
        self.0 >> 8
    }
}

kunit_cases! {
    fn cfg_header() -> c_int {
        let ok = cfg_request(uapi::TIPC_CMD_NOOP as u16, None);
        check!(ok.len() == 16);
        let noop = uapi::TIPC_CMD_NOOP as u16;
        check!(matches!(wire::parse(&ok, 1024), Ok(r) if r.cmd == noop && r.tlv.is_none()));
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

    fn cfg_tlv() -> c_int {
        let name = b"eth0\0";
        let m = cfg_request(uapi::TIPC_CMD_DISABLE_BEARER as u16, Some((19, name)));
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
        let mut b = cfg_request(uapi::TIPC_CMD_NOOP as u16, None);
        let _ = b.extend_from_slice(&[0, 4, 0, 0], GFP_KERNEL);
        b[3] = 20;
        check!(wire::parse(&b, 1024).is_ok());
        0
    }

    fn cfg_args() -> c_int {
        let t = |ty, value| Some(Tlv { ty, value });
        let link = |value: &'static [u8]| t(20, value);
        check!(commands::check(uapi::TIPC_CMD_NOOP as u16, None).is_ok());
        check!(commands::check(uapi::TIPC_CMD_GET_NODES as u16, None).is_ok());
        check!(commands::check(uapi::TIPC_CMD_GET_NODES as u16, t(17, &[0; 4]).as_ref()).is_ok());
        check!(commands::check(uapi::TIPC_CMD_GET_NODES as u16, t(2, &[0; 4]).as_ref()).is_err());
        check!(commands::check(uapi::TIPC_CMD_GET_LINKS as u16, None).is_err());
        check!(commands::check(uapi::TIPC_CMD_NOOP as u16, t(17, &[0; 4]).as_ref()).is_err());
        check!(commands::check(
            uapi::TIPC_CMD_SHOW_LINK_STATS as u16,
            link(b"broadcast-link\0").as_ref()
        )
        .is_ok());
        // Without its terminator the name would be read past the message.
        check!(commands::check(
            uapi::TIPC_CMD_SHOW_LINK_STATS as u16,
            link(b"broadcast-link").as_ref()
        )
        .is_err());
        check!(commands::check(
            uapi::TIPC_CMD_SHOW_LINK_STATS as u16,
            link(&[b'a'; 69]).as_ref()
        )
        .is_err());
        let cfg = [0u8; 72];
        let mut unterminated = [b'x'; 72];
        unterminated[..4].fill(0);
        check!(commands::check(uapi::TIPC_CMD_SET_LINK_TOL as u16, t(24, &cfg).as_ref()).is_ok());
        check!(commands::check(
            uapi::TIPC_CMD_SET_LINK_TOL as u16,
            t(24, &unterminated).as_ref()
        )
        .is_err());
        check!(commands::check(
            uapi::TIPC_CMD_SET_LINK_TOL as u16,
            t(24, &cfg[..71]).as_ref()
        )
        .is_err());
        check!(commands::check(
            uapi::TIPC_CMD_ENABLE_BEARER as u16,
            t(23, &[0; 40]).as_ref()
        )
        .is_ok());
        check!(commands::check(
            uapi::TIPC_CMD_ENABLE_BEARER as u16,
            t(23, &[0; 41]).as_ref()
        )
        .is_err());
        check!(commands::check(
            uapi::TIPC_CMD_SHOW_NAME_TABLE as u16,
            t(25, &[0; 16]).as_ref()
        )
        .is_ok());
        // Commands the service does not run, in every class.
        for c in [0x0007u16, 0x4003, 0x410A, 0x8001, 0xC001] {
            check!(commands::check(c, None) == Err(BadArg::Unsupported));
        }
        check!(commands::class(0x3fff) == Class::Public);
        check!(commands::class(0x4000) == Class::Protected);
        check!(commands::class(0x8000) == Class::Private);
        0
    }

    fn cfg_hostile() -> c_int {
        let mut rng = Lcg(4711);
        let seeds = [
            cfg_request(
                uapi::TIPC_CMD_SHOW_LINK_STATS as u16,
                Some((20, b"broadcast-link\0")),
            ),
            cfg_request(uapi::TIPC_CMD_SET_LINK_TOL as u16, Some((24, &[0u8; 72]))),
            cfg_request(uapi::TIPC_CMD_GET_NODES as u16, Some((17, &[0u8; 4]))),
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

    fn cfg_policy() -> c_int {
        use Class::*;
        let refused = |level, local, class, c| {
            policy::decide(level, local, class).err().map(|r| r.code) == Some(c)
        };
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

    fn cfg_replies() -> c_int {
        let req = cfg_request(uapi::TIPC_CMD_GET_NETID as u16, None);
        let header = wire::reply_header(&req);
        let Ok(r) = wire::error_reply(&header, code::NO_REMOTE, "off") else {
            return line!() as c_int;
        };
        // Header, then a TLV of 4 + code + " (off)" + NUL = 12 bytes: the
        // explanation after a separator, as tipc-config prints it after its own
        // words for the code.
        check!(r.len() == 28);
        check!(r[..4] == 28u32.to_be_bytes());
        check!(r[4..6] == (uapi::TIPC_CMD_GET_NETID as u16).to_be_bytes());
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
}
