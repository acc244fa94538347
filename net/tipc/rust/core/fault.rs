// SPDX-License-Identifier: GPL-2.0

//! Fault-injection points that widen the server's race windows.
//!
//! Compiled in only with `CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION`; then
//! the module parameter `fault_points` (a mask of [`Point`]s) makes each
//! selected point sleep `fault_delay_ms`, so the reliability suite can make
//! a close, a stop or a namespace exit land inside the window. Without the
//! option a point compiles to nothing.

/// Where a delay can be injected; the value is the bit in `fault_points`.
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
}

/// Sleeps at `p` if it is selected. Process context only.
#[inline]
pub(crate) fn point(p: Point) {
    #[cfg(tipc_server_fault)]
    crate::ffi::fault_point(p as u32);
    #[cfg(not(tipc_server_fault))]
    let _ = p;
}
