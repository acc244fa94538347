// SPDX-License-Identifier: GPL-2.0

//! Fault-injection points in the server's race windows.
//!
//! Compiled in only with `CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION`; then
//! the module parameters of `fault.c` (`fault_points`, `fault_net`,
//! `fault_hold`) let the reliability suite stop the server at a point in
//! one namespace and land a close, a stop or a namespace exit inside the
//! window. Without the option a point compiles to nothing.

use kernel::net::namespace::NetNs;

/// Where the server can be stopped; the value is the bit in `fault_points`
/// (`enum tipc_rs_fault` in glue.h).
#[derive(Clone, Copy)]
pub(crate) enum Point {
    /// A connection is in the table, its socket callbacks not yet set.
    AcceptBeforeStart = 0,
    /// A request has been read and is not yet handled.
    ReceiveBeforeHandle = 1,
    /// A server stop (namespace exit) has begun, nothing is drained yet.
    StopBeforeDrain = 2,
    /// A message is about to be sent.
    SendBeforeSend = 3,
    /// A send work has used its budget and is about to queue itself again.
    SendBeforeRequeue = 4,
    /// `tipc_net_finalize()` is about to ask for the node-state name.
    NodeState = 5,
    // 6 is `TIPC_RS_FAULT_EXIT_AFTER_STOP`, in glue.c, and 7
    // `TIPC_RS_FAULT_FINALIZE`, in net.c (patch 0004).
    /// A send work item starts to run.
    SendWorkStart = 8,
}

/// Stops at `p` in `net` if it is selected. Process context only.
#[inline]
pub(crate) fn point(net: NetNs, p: Point) {
    #[cfg(tipc_server_fault)]
    crate::ffi::fault_point(net, p as u32);
    #[cfg(not(tipc_server_fault))]
    let _ = (net, p);
}
