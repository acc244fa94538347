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
    /// Messages put on the queues of connections closed since (open ones
    /// count their own, see [`ConnCounters`]).
    pub(crate) queued: AtomicU64,
    /// Messages sent (or handed to a kernel subscriber) by closed connections.
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

/// The per-message counters of one connection, kept under its queue lock
/// so the hot path touches no shared cache line; folded into [`Stats`]
/// when the connection closes.
#[derive(Clone, Copy, Default)]
pub(crate) struct ConnCounters {
    pub(crate) queued: u64,
    pub(crate) sent: u64,
    pub(crate) high_water: u64,
}

impl ConnCounters {
    pub(crate) fn add(&mut self, o: &ConnCounters) {
        self.queued += o.queued;
        self.sent += o.sent;
        self.high_water = self.high_water.max(o.high_water);
    }
}

impl Stats {
    pub(crate) fn inc(c: &AtomicU64) {
        c.fetch_add(1, Relaxed);
    }

    /// Folds in the counters of a connection that closed.
    pub(crate) fn fold(&self, c: &ConnCounters) {
        self.queued.fetch_add(c.queued, Relaxed);
        self.sent.fetch_add(c.sent, Relaxed);
        self.queue_high_water.fetch_max(c.high_water, Relaxed);
    }

    /// Writes `prefix.name value` lines; `open` sums the open connections.
    pub(crate) fn write(
        &self,
        w: &mut impl Write,
        prefix: &str,
        open: &ConnCounters,
    ) -> fmt::Result {
        let ld = |c: &AtomicU64| c.load(Relaxed);
        for (name, v) in [
            ("connections", ld(&self.conns_open)),
            ("connections_opened", ld(&self.conns_opened)),
            ("queued", ld(&self.queued) + open.queued),
            ("sent", ld(&self.sent) + open.sent),
            ("discarded_on_close", ld(&self.discarded)),
            ("after_close", ld(&self.after_close)),
            (
                "queue_high_water",
                ld(&self.queue_high_water).max(open.high_water),
            ),
            ("closed_overflow", ld(&self.closed_overflow)),
            ("closed_no_memory", ld(&self.closed_no_memory)),
            ("rejected", ld(&self.rejected)),
        ] {
            writeln!(w, "{prefix}.{name} {v}")?;
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

/// Objects of the server alive in all namespaces together: what the
/// reliability tests watch return to its baseline after a namespace, a
/// connection or a subscription has gone.
pub(crate) static LIVE_SERVERS: AtomicU64 = AtomicU64::new(0);
/// See [`LIVE_SERVERS`].
pub(crate) static LIVE_CONNECTIONS: AtomicU64 = AtomicU64::new(0);
/// See [`LIVE_SERVERS`].
pub(crate) static LIVE_SUBSCRIPTIONS: AtomicU64 = AtomicU64::new(0);

/// Counts its owner in one of the `LIVE_*` counters from creation to drop.
pub(crate) struct Live(&'static AtomicU64);

impl Live {
    pub(crate) fn new(counter: &'static AtomicU64) -> Self {
        counter.fetch_add(1, Relaxed);
        Self(counter)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

/// Writes the `live.*` lines.
pub(crate) fn write_live(w: &mut impl Write) -> fmt::Result {
    for (name, c) in [
        ("servers", &LIVE_SERVERS),
        ("connections", &LIVE_CONNECTIONS),
        ("subscriptions", &LIVE_SUBSCRIPTIONS),
    ] {
        writeln!(w, "live.{name} {}", c.load(Relaxed))?;
    }
    Ok(())
}
