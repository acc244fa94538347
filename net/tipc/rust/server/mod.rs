// SPDX-License-Identifier: GPL-2.0

//! The service-agnostic server core.
//!
//! A [`ConnServer`] runs one connection-oriented [`connected::Service`] in
//! one network namespace: a listening kernel socket published at the
//! service's address, one [`connected::Conn`] per client, and two dedicated
//! workqueues. The receive queue accepts connections and reads requests;
//! the send queue drains each connection's [`outqueue::OutQueue`], which
//! softirq code fills without sleeping. Memory per connection is bounded
//! (see `outqueue`). A [`DgramServer`] runs a connectionless
//! [`dgram::DgramService`] on one socket with a bounded reply queue.
//! Both share [`base::ServerBase`]: the socket, the queues, the stop.

pub(crate) mod base;
pub(crate) mod connected;
pub(crate) mod dgram;
pub(crate) mod outqueue;
pub(crate) mod replyqueue;
pub(crate) mod service;
pub(crate) mod stats;
#[cfg(tipc_server_kunit)]
pub(crate) mod tests;

pub(crate) use connected::ConnServer;
pub(crate) use dgram::DgramServer;
