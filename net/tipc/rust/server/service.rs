// SPDX-License-Identifier: GPL-2.0

//! What a service tells the server core.

use super::stats::TextBuf;
use kernel::net::socket::SockType;

/// What every service declares, whatever the server that runs it.
pub(crate) trait ServiceInfo: Default + Sized + Send + Sync + 'static {
    /// Socket type of the service.
    const SOCK_TYPE: SockType;
    /// Longest request. A connection-oriented server truncates a longer
    /// message to this; a connectionless one hands it over with one byte
    /// more, so the service can tell.
    const MAX_REQUEST: usize;
    /// Prefix of the service's lines in `/proc/net/tipc_server`.
    const NAME: &'static str;

    /// Appends the service's own counters, after its server's.
    fn write_stats(&self, _w: &mut TextBuf<'_>) -> core::fmt::Result {
        Ok(())
    }
}
