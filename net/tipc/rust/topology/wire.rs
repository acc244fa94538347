// SPDX-License-Identifier: GPL-2.0

//! `struct tipc_subscr` and `struct tipc_event` (include/uapi/linux/tipc.h).
//!
//! A subscriber may write its request in network or in host byte order:
//! a request is in host order if its filter, read natively, has one of the
//! filter bits set (upstream's `tipc_sub_read()`). Events go back in the
//! same order.

use crate::ffi::ServiceRange;

/// Size of `struct tipc_subscr`.
pub(crate) const SUBSCR_LEN: usize = 28;
/// Size of `struct tipc_event`.
pub(crate) const EVENT_LEN: usize = 48;

pub(crate) const TIPC_SUB_PORTS: u32 = 0x01;
pub(crate) const TIPC_SUB_SERVICE: u32 = 0x02;
pub(crate) const TIPC_SUB_CANCEL: u32 = 0x04;
/// Kernel-only filter bits (net/tipc/topsrv.h): scope filters.
pub(crate) const TIPC_SUB_CLUSTER_SCOPE: u32 = 0x20;
pub(crate) const TIPC_SUB_NODE_SCOPE: u32 = 0x40;
const FILTER_MASK: u32 = TIPC_SUB_PORTS | TIPC_SUB_SERVICE | TIPC_SUB_CANCEL;

pub(crate) const TIPC_WAIT_FOREVER: u32 = !0;
pub(crate) const TIPC_PUBLISHED: u32 = 1;
pub(crate) const TIPC_WITHDRAWN: u32 = 2;
pub(crate) const TIPC_SUBSCR_TIMEOUT: u32 = 3;

/// A decoded request, plus its bytes as sent.
#[derive(Clone, Copy, Debug)]
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
        let swap = word(&raw, 16) & FILTER_MASK == 0;
        let rd = |i| order(word(&raw, i), swap);
        Some(Self {
            range: ServiceRange {
                ty: rd(0),
                lower: rd(4),
                upper: rd(8),
            },
            timeout: rd(12),
            filter: rd(16),
            raw,
            swap,
        })
    }

    /// A request from the kernel (group messaging), in host order, for
    /// the socket `port`: its handle is the port, then zeroes, every byte
    /// set (upstream once left four of them uninitialised).
    pub(crate) fn kernel(range: ServiceRange, filter: u32, port: u32) -> Self {
        let mut raw = [0u8; SUBSCR_LEN];
        for (i, v) in [
            range.ty,
            range.lower,
            range.upper,
            TIPC_WAIT_FOREVER,
            filter,
        ]
        .into_iter()
        .enumerate()
        {
            raw[i * 4..i * 4 + 4].copy_from_slice(&v.to_ne_bytes());
        }
        // The port in the handle's first word (glue.c reads it there, on
        // either endianness); the rest stays zero.
        raw[20..24].copy_from_slice(&port.to_ne_bytes());
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
        b[16..20].copy_from_slice(&f.to_ne_bytes());
        b
    }

    /// Whether `[lower, upper]` overlaps the subscribed range.
    pub(crate) fn overlaps(&self, lower: u32, upper: u32) -> bool {
        lower.max(self.range.lower) <= upper.min(self.range.upper)
    }

    /// An event for this subscription, in the subscriber's byte order.
    pub(crate) fn event(
        &self,
        event: u32,
        lower: u32,
        upper: u32,
        port: u32,
        node: u32,
    ) -> [u8; EVENT_LEN] {
        let mut e = [0u8; EVENT_LEN];
        for (i, v) in [event, lower, upper, port, node].into_iter().enumerate() {
            e[i * 4..i * 4 + 4].copy_from_slice(&order(v, self.swap).to_ne_bytes());
        }
        e[20..].copy_from_slice(&self.raw);
        e
    }
}
