// SPDX-License-Identifier: GPL-2.0

//! The topology service of one namespace: its subscription count and
//! counters.

use crate::boundary::tipc::TIPC_MAX_SUBSCR;
use crate::server::stats::counters;
use kernel::prelude::*;

counters! {
    /// The topology service of one namespace.
    pub(crate) struct Topology {
        /// Counted by `subscription_reserve`, given back when the
        /// `Subscription` drops (or the subscribe fails before there is one).
        pub(crate) subscriptions,
        refused_over_limit,
        /// Changes a kernel subscriber missed (no memory to record or deliver them).
        pub(crate) kernel_events_lost,
    }
}

impl Topology {
    /// Counts a new subscription, unless the namespace has its maximum.
    pub(crate) fn subscription_reserve(&self) -> bool {
        if self.subscriptions.inc_below(TIPC_MAX_SUBSCR.into()) {
            return true;
        }
        self.refused_over_limit.inc();
        pr_warn!("Subscription rejected, max ({})\n", TIPC_MAX_SUBSCR);
        false
    }
}
