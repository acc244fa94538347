// SPDX-License-Identifier: GPL-2.0

//! Counters, and their lines in `/proc/net/tipc_server`.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

/// A counter, updated with relaxed atomics from any context.
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    pub(crate) fn inc(&self) {
        self.add(1);
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    pub(crate) fn dec(&self) {
        self.0.fetch_sub(1, Relaxed);
    }

    /// Raises the counter to `n` if it is lower (a high-water mark).
    pub(crate) fn max(&self, n: u64) {
        self.0.fetch_max(n, Relaxed);
    }

    /// Adds one unless the counter holds `limit` already; `false` then.
    pub(crate) fn inc_below(&self, limit: u64) -> bool {
        self.0
            .fetch_update(Relaxed, Relaxed, |n| (n < limit).then_some(n + 1))
            .is_ok()
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// Writes one `prefix.name value` line per counter.
pub(crate) fn write_lines(w: &mut impl Write, prefix: &str, lines: &[(&str, u64)]) -> fmt::Result {
    for (name, v) in lines {
        writeln!(w, "{prefix}.{name} {v}")?;
    }
    Ok(())
}

/// Declares a struct of [`Counter`]s, each shown in `/proc/net/tipc_server`
/// under its field's name by `lines()`.
macro_rules! counters {
    ($(#[$m:meta])* $vis:vis struct $name:ident {
        $($(#[$f:meta])* $fvis:vis $field:ident,)*
    }) => {
        $(#[$m])*
        #[derive(Default)]
        $vis struct $name {
            $($(#[$f])* $fvis $field: $crate::server::stats::Counter,)*
        }

        impl $name {
            /// Each counter's name and value.
            $vis fn lines(&self) -> [(&'static str, u64); [$(stringify!($field)),*].len()] {
                [$((stringify!($field), self.$field.get())),*]
            }
        }
    };
}
pub(crate) use counters;

/// Counters of a connection-oriented server.
#[derive(Default)]
pub(crate) struct Stats {
    /// Connections open now.
    pub(crate) conns_open: Counter,
    /// Connections ever opened.
    pub(crate) conns_opened: Counter,
    /// Messages queued by closed connections (open ones: [`ConnCounters`]).
    pub(crate) queued: Counter,
    /// Messages sent (or handed to a kernel subscriber) by closed connections.
    pub(crate) sent: Counter,
    /// Queued messages dropped because their connection closed first.
    pub(crate) discarded: Counter,
    /// Messages for a connection that was already closing (never queued).
    pub(crate) after_close: Counter,
    /// Largest outbound queue seen, in messages.
    pub(crate) queue_high_water: Counter,
    /// Connections closed because their queue reached its limit.
    pub(crate) closed_overflow: Counter,
    /// Connections closed because their queue could not grow.
    pub(crate) closed_no_memory: Counter,
    /// Requests refused (the connection was closed for them).
    pub(crate) rejected: Counter,
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
    /// Folds in the counters of a connection that closed.
    pub(crate) fn fold(&self, c: &ConnCounters) {
        self.queued.add(c.queued);
        self.sent.add(c.sent);
        self.queue_high_water.max(c.high_water);
    }

    /// Writes the lines of these counters; `open` sums the open connections.
    pub(crate) fn write(
        &self,
        w: &mut impl Write,
        prefix: &str,
        open: &ConnCounters,
    ) -> fmt::Result {
        let high_water = self.queue_high_water.get().max(open.high_water);
        let lines = [
            ("connections", self.conns_open.get()),
            ("connections_opened", self.conns_opened.get()),
            ("queued", self.queued.get() + open.queued),
            ("sent", self.sent.get() + open.sent),
            ("discarded_on_close", self.discarded.get()),
            ("after_close", self.after_close.get()),
            ("queue_high_water", high_water),
            ("closed_overflow", self.closed_overflow.get()),
            ("closed_no_memory", self.closed_no_memory.get()),
            ("rejected", self.rejected.get()),
        ];
        write_lines(w, prefix, &lines)
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

/// Objects of the server alive in all namespaces, which the reliability
/// tests watch return to their baseline.
pub(crate) static LIVE_SERVERS: Counter = Counter::new();
/// See [`LIVE_SERVERS`].
pub(crate) static LIVE_CONNECTIONS: Counter = Counter::new();
/// See [`LIVE_SERVERS`].
pub(crate) static LIVE_SUBSCRIPTIONS: Counter = Counter::new();

/// Counts its owner in one of the `LIVE_*` counters from creation to drop.
pub(crate) struct Live(&'static Counter);

impl Live {
    pub(crate) fn new(counter: &'static Counter) -> Self {
        counter.inc();
        Self(counter)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Writes the `live.*` lines.
pub(crate) fn write_live(w: &mut impl Write) -> fmt::Result {
    let lines = [
        ("servers", LIVE_SERVERS.get()),
        ("connections", LIVE_CONNECTIONS.get()),
        ("subscriptions", LIVE_SUBSCRIPTIONS.get()),
    ];
    write_lines(w, "live", &lines)
}
