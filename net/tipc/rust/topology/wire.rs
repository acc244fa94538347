// SPDX-License-Identifier: GPL-2.0

//! `struct tipc_subscr` and `struct tipc_event` (include/uapi/linux/tipc.h).
//!
//! A subscriber may write its request in network or in host byte order:
//! a request is in host order if its filter, read natively, has one of the
//! filter bits set (upstream's `tipc_sub_read()`). Events go back in the
//! same order.

use crate::boundary::tipc::{EventWords, ServiceRange, EVENT_LEN};
use core::mem::{offset_of, size_of};
use kernel::uapi::{self, tipc_event, tipc_service_range, tipc_socket_addr, tipc_subscr};

pub(crate) use uapi::{
    TIPC_PUBLISHED, TIPC_SUBSCR_TIMEOUT, TIPC_SUB_CANCEL, TIPC_SUB_PORTS, TIPC_SUB_SERVICE,
    TIPC_WITHDRAWN,
};

/// Size of `struct tipc_subscr`.
pub(crate) const SUBSCR_LEN: usize = size_of::<tipc_subscr>();
/// `TIPC_WAIT_FOREVER`, a timeout of `~0`.
pub(crate) const TIPC_WAIT_FOREVER: u32 = uapi::TIPC_WAIT_FOREVER as u32;
const FILTER_MASK: u32 = TIPC_SUB_PORTS | TIPC_SUB_SERVICE | TIPC_SUB_CANCEL;

/// Where the words of a request are.
const SEQ: usize = offset_of!(tipc_subscr, seq);
const TYPE: usize = SEQ + offset_of!(tipc_service_range, type_);
const LOWER: usize = SEQ + offset_of!(tipc_service_range, lower);
const UPPER: usize = SEQ + offset_of!(tipc_service_range, upper);
const TIMEOUT: usize = offset_of!(tipc_subscr, timeout);
const FILTER: usize = offset_of!(tipc_subscr, filter);
/// Where the handle is; a kernel request has its port in the first word.
pub(crate) const HANDLE: usize = offset_of!(tipc_subscr, usr_handle);

/// A decoded request, plus its bytes as sent.
#[derive(Clone, Copy)]
pub(crate) struct Request {
    pub(crate) range: ServiceRange,
    pub(crate) timeout: u32,
    pub(crate) filter: u32,
    /// The 28 bytes as the subscriber sent them.
    pub(crate) raw: [u8; SUBSCR_LEN],
    /// Whether the subscriber's byte order is the opposite of the host's.
    pub(crate) swap: bool,
}

fn word(b: &[u8], i: usize) -> u32 {
    u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn order(v: u32, swap: bool) -> u32 {
    if swap {
        v.swap_bytes()
    } else {
        v
    }
}

impl Request {
    /// Decodes the first 28 bytes of `msg`; `None` if it is shorter.
    pub(crate) fn decode(msg: &[u8]) -> Option<Self> {
        let raw: [u8; SUBSCR_LEN] = msg.get(..SUBSCR_LEN)?.try_into().ok()?;
        let swap = word(&raw, FILTER) & FILTER_MASK == 0;
        let rd = |i| order(word(&raw, i), swap);
        Some(Self {
            range: ServiceRange {
                type_: rd(TYPE),
                lower: rd(LOWER),
                upper: rd(UPPER),
            },
            timeout: rd(TIMEOUT),
            filter: rd(FILTER),
            raw,
            swap,
        })
    }

    /// A request from the kernel (group messaging), in host order, for
    /// the socket `port`: its handle is the port, then zeroes, every byte
    /// set (upstream once left four of them uninitialised).
    pub(crate) fn kernel(range: ServiceRange, filter: u32, port: u32) -> Self {
        let mut raw = [0u8; SUBSCR_LEN];
        for (at, v) in [
            (TYPE, range.type_),
            (LOWER, range.lower),
            (UPPER, range.upper),
            (TIMEOUT, TIPC_WAIT_FOREVER),
            (FILTER, filter),
            // The port in the handle's first word (glue.c reads it there,
            // on either endianness); the rest stays zero.
            (HANDLE, port),
        ] {
            raw[at..at + 4].copy_from_slice(&v.to_ne_bytes());
        }
        Self {
            range,
            timeout: TIPC_WAIT_FOREVER,
            filter,
            raw,
            swap: false,
        }
    }

    /// The bytes of the subscription a cancel request names: the request
    /// as sent, with `TIPC_SUB_CANCEL` cleared in the subscriber's order.
    pub(crate) fn cancelled(&self) -> [u8; SUBSCR_LEN] {
        let mut b = self.raw;
        let f = order(self.filter & !TIPC_SUB_CANCEL, self.swap);
        b[FILTER..FILTER + 4].copy_from_slice(&f.to_ne_bytes());
        b
    }

    /// An event for this subscription, in the subscriber's byte order
    /// (`words` as for [`write_event`]).
    pub(crate) fn event(&self, words: [u32; 5]) -> EventWords {
        let mut e = EventWords::default();
        write_event(&mut e, &self.raw, self.swap, words);
        e
    }
}

/// The bounds of the range subscribed to by request bytes `raw`, in the
/// byte order `swap` says.
pub(crate) fn bounds(raw: &[u8; SUBSCR_LEN], swap: bool) -> (u32, u32) {
    (order(word(raw, LOWER), swap), order(word(raw, UPPER), swap))
}

/// Writes every byte of a `struct tipc_event`: `words` (event, found
/// lower and upper, port, node) in the subscriber's order, then `raw`.
pub(crate) fn write_event(e: &mut EventWords, raw: &[u8; SUBSCR_LEN], swap: bool, words: [u32; 5]) {
    const PORT: usize = offset_of!(tipc_event, port);
    // The five words, then the request, cover the whole event.
    const _: () = assert!(
        offset_of!(tipc_event, found_lower) == 4
            && offset_of!(tipc_event, found_upper) == 8
            && PORT + offset_of!(tipc_socket_addr, ref_) == 12
            && PORT + offset_of!(tipc_socket_addr, node) == 16
            && offset_of!(tipc_event, s) == 20
            && 20 + SUBSCR_LEN == EVENT_LEN
    );
    // Word stores: byte copies are a `memcpy` call each at `-Os`.
    let [a, b, c, d, f] = words.map(|v| order(v, swap));
    let w = |i: usize| word(raw, i);
    *e = [a, b, c, d, f, w(0), w(4), w(8), w(12), w(16), w(20), w(24)];
}
