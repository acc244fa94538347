// SPDX-License-Identifier: GPL-2.0

//! KUnit cases for the server's self-contained parts: the topology wire
//! format (decoding, byte order, cancel matching, events) and the outbound
//! queue (order across chunks, the limit). Built with
//! `CONFIG_TIPC_SERVER_RUST_KUNIT_TEST`; `kunit.c` runs them when `tipc.ko`
//! loads, through the entry points in `ffi.rs`. Each returns 0 or the line
//! of the check that failed.

use crate::core::outqueue::{OutQueue, PushError, CHUNK};
use crate::ffi::ServiceRange;
use crate::topology::wire::{Request, TIPC_SUB_CANCEL, TIPC_SUB_PORTS, TIPC_SUB_SERVICE};
use core::ffi::c_int;

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
        let w = if network { x.to_be_bytes() } else { x.to_ne_bytes() };
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
        check!(r.range == ServiceRange { ty: 4711, lower: 1, upper: 9 });
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
        let cancel = request(network, [4711, 0, 10, !0, TIPC_SUB_PORTS | TIPC_SUB_CANCEL], b"original");
        let Some(c) = Request::decode(&cancel) else {
            return line!() as c_int;
        };
        check!(c.filter & TIPC_SUB_CANCEL != 0);
        check!(c.cancelled() == sub);
        let other = request(network, [4711, 0, 10, !0, TIPC_SUB_PORTS | TIPC_SUB_CANCEL], b"Original");
        check!(Request::decode(&other).map(|r| r.cancelled()) != Some(sub));
    }
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
