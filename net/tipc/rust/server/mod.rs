// SPDX-License-Identifier: GPL-2.0

//! The service-agnostic server core.
//!
//! A [`ConnServer`] runs a connection-oriented [`connected::Service`] in
//! one namespace: a listening kernel socket, a [`connected::Conn`] per
//! client, receive work on the namespace's shared worker
//! ([`batchrecv::BatchRecv`]: accept, read and handle requests), and send
//! work on a per-CPU queue shared with other namespaces
//! ([`percpusend::PerCpuSend`]) that drains each connection's bounded
//! [`outqueue::OutQueue`], which softirq code fills. A [`DgramServer`] runs a connectionless
//! [`dgram::DgramService`] on one socket with a bounded reply queue and a
//! receive and a send workqueue. Both share [`base::ServerBase`].

pub(crate) mod base;
pub(crate) mod batchrecv;
pub(crate) mod connected;
pub(crate) mod dgram;
pub(crate) mod outqueue;
pub(crate) mod percpusend;
pub(crate) mod replyqueue;
pub(crate) mod service;
pub(crate) mod stats;
#[cfg(tipc_server_kunit)]
pub(crate) mod tests;

pub(crate) use connected::ConnServer;
pub(crate) use dgram::DgramServer;
