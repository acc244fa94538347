// SPDX-License-Identifier: GPL-2.0

//! What a namespace's list of servers needs of each.

use super::stats::TextBuf;
use crate::boundary::tipc::ServiceRange;
use kernel::{prelude::*, sync::Arc};

/// A running server, as its namespace's list of servers sees it; what a
/// service adds to the namespace's entry points, it adds here.
pub(crate) trait Running: Send + Sync {
    /// Stops the server: once this returns, none of its work runs or is queued.
    fn stop(&self);

    /// Appends the server's lines to `/proc/net/tipc_server`.
    fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result;

    /// The node got address `addr`: `Some(true)` if this server took the
    /// node-state name, `None` if it does not serve it.
    fn publish_node_state(&self, _addr: u32) -> Option<bool> {
        None
    }

    /// A subscription of the kernel's group messaging, if this server
    /// takes them: the id of the connection it made.
    fn kernel_subscribe(
        self: &Arc<Self>,
        _port: u32,
        _range: ServiceRange,
        _filter: u32,
    ) -> Option<Result<u32>> {
        None
    }

    /// Ends a kernel subscription this server made.
    fn kernel_unsubscribe(&self, _id: u32) {}
}
