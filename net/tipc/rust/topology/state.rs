// SPDX-License-Identifier: GPL-2.0

//! The topology service of one namespace: its subscription count and
//! counters.

use crate::boundary::tipc::TIPC_MAX_SUBSCR;
use crate::server::stats::{write_lines, Counter, TextBuf};
use kernel::prelude::*;

/// The topology service of one namespace.
#[derive(Default)]
pub(crate) struct Topology {
    subscriptions: Counter,
    refused_over_limit: Counter,
    /// Changes a kernel subscriber missed (no memory to record or deliver them).
    kernel_events_lost: Counter,
}

impl Topology {
    pub(crate) fn kernel_event_lost(&self) {
        self.kernel_events_lost.inc();
    }

    /// Counts a new subscription, unless the namespace has its maximum.
    pub(crate) fn subscription_reserve(&self) -> bool {
        if self.subscriptions.inc_below(TIPC_MAX_SUBSCR.into()) {
            return true;
        }
        self.refused_over_limit.inc();
        pr_warn!("Subscription rejected, max ({})\n", TIPC_MAX_SUBSCR);
        false
    }

    /// Gives back what [`Topology::subscription_reserve`] took.
    pub(crate) fn subscription_gone(&self) {
        self.subscriptions.dec();
    }

    pub(crate) fn write_counters(&self, w: &mut TextBuf<'_>, prefix: &str) -> core::fmt::Result {
        write_lines(
            w,
            prefix,
            &[
                ("subscriptions", self.subscriptions.get()),
                ("refused_over_limit", self.refused_over_limit.get()),
                ("kernel_events_lost", self.kernel_events_lost.get()),
            ],
        )
    }
}
