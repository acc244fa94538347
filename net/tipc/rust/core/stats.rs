// SPDX-License-Identifier: GPL-2.0

//! Per-server counters, shown in `/proc/net/tipc_server`.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// Counters of one server. Updated with relaxed atomics from any context.
#[derive(Default)]
pub(crate) struct Stats {
    /// Connections open now.
    pub(crate) conns_open: AtomicU64,
    /// Connections ever opened.
    pub(crate) conns_opened: AtomicU64,
    /// Messages put on outbound queues.
    pub(crate) queued: AtomicU64,
    /// Messages sent (or handed to a kernel subscriber).
    pub(crate) sent: AtomicU64,
    /// Queued messages dropped because their connection closed first.
    pub(crate) discarded: AtomicU64,
    /// Messages for a connection that was already closing (never queued).
    pub(crate) after_close: AtomicU64,
    /// Largest outbound queue seen, in messages.
    pub(crate) queue_high_water: AtomicU64,
    /// Connections closed because their queue reached its limit.
    pub(crate) closed_overflow: AtomicU64,
    /// Connections closed because their queue could not grow.
    pub(crate) closed_no_memory: AtomicU64,
    /// Requests refused (the connection was closed for them).
    pub(crate) rejected: AtomicU64,
}

impl Stats {
    pub(crate) fn inc(c: &AtomicU64) {
        c.fetch_add(1, Relaxed);
    }

    pub(crate) fn high_water(&self, len: usize) {
        self.queue_high_water.fetch_max(len as u64, Relaxed);
    }

    /// Writes `prefix.name value` lines.
    pub(crate) fn write(&self, w: &mut impl Write, prefix: &str) -> fmt::Result {
        for (name, c) in [
            ("connections", &self.conns_open),
            ("connections_opened", &self.conns_opened),
            ("queued", &self.queued),
            ("sent", &self.sent),
            ("discarded_on_close", &self.discarded),
            ("after_close", &self.after_close),
            ("queue_high_water", &self.queue_high_water),
            ("closed_overflow", &self.closed_overflow),
            ("closed_no_memory", &self.closed_no_memory),
            ("rejected", &self.rejected),
        ] {
            writeln!(w, "{prefix}.{name} {}", c.load(Relaxed))?;
        }
        Ok(())
    }
}

/// A `fmt::Write` into a growable byte buffer.
pub(crate) struct TextBuf<'a>(pub(crate) &'a mut KVec<u8>);

impl Write for TextBuf<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes(), GFP_KERNEL)
            .map_err(|_| fmt::Error)
    }
}
