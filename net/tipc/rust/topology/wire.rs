// SPDX-License-Identifier: GPL-2.0

//! `struct tipc_subscr` and `struct tipc_event` (include/uapi/linux/tipc.h).
//!
//! A subscriber may write its request in network or in host byte order:
//! a request is in host order if its filter, read natively, has one of the
//! filter bits set (upstream's `tipc_sub_read()`). Events go back in the
//! same order.

use crate::boundary::tipc::{EventWords, HostSubscr, ServiceRange, EVENT_LEN};
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
/// A request's 32-bit words, each as it goes on the wire.
pub(crate) type RequestWords = [u32; SUBSCR_LEN / 4];
// The order of the words in `RequestWords`.
const _: () =
    assert!(TYPE == 0 && LOWER == 4 && UPPER == 8 && TIMEOUT == 12 && FILTER == 16 && HANDLE == 20);

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
        let req: RequestWords = core::array::from_fn(|i| word(&self.raw, 4 * i));
        let mut e = EventWords::default();
        write_event(&mut e, &req, self.swap, words);
        e
    }

    /// The request as the name table holds it (`glue.c` keeps it in the C
    /// subscription): every word in host order, the handle as sent.
    /// [`subscriber_words`] gives the bytes sent back.
    pub(crate) fn host(&self) -> HostSubscr {
        HostSubscr {
            seq: self.range,
            timeout: self.timeout,
            filter: self.filter,
            // The kernel's `c_char` is `u8`. A fixed-size copy: `from_fn`
            // made a call per byte at `-Os` (96 instructions a subscription).
            usr_handle: {
                let mut h = [0u8; 8];
                h.copy_from_slice(&self.raw[HANDLE..HANDLE + 8]);
                h
            },
        }
    }
}

/// The words of request `s`, as [`Request::host`] made it, as the
/// subscriber sent them: in its byte order (`swap` as [`Request::decode`]
/// found it), the handle as it was.
pub(crate) fn subscriber_words(s: &HostSubscr, swap: bool) -> RequestWords {
    let h = s.usr_handle;
    [
        order(s.seq.type_, swap),
        order(s.seq.lower, swap),
        order(s.seq.upper, swap),
        order(s.timeout, swap),
        order(s.filter, swap),
        u32::from_ne_bytes([h[0], h[1], h[2], h[3]]),
        u32::from_ne_bytes([h[4], h[5], h[6], h[7]]),
    ]
}

/// The bytes of request `s` as the subscriber sent them (see
/// [`subscriber_words`]).
pub(crate) fn subscriber_bytes(s: &HostSubscr, swap: bool) -> [u8; SUBSCR_LEN] {
    let mut b = [0u8; SUBSCR_LEN];
    for (at, w) in b.chunks_exact_mut(4).zip(subscriber_words(s, swap)) {
        at.copy_from_slice(&w.to_ne_bytes());
    }
    b
}

/// Writes every byte of a `struct tipc_event`: `words` (event, found
/// lower and upper, port, node) in the subscriber's order, then the
/// request `req` as it went on the wire.
pub(crate) fn write_event(e: &mut EventWords, req: &RequestWords, swap: bool, words: [u32; 5]) {
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
    let [g, h, i, j, k, l, m] = *req;
    *e = [a, b, c, d, f, g, h, i, j, k, l, m];
}
