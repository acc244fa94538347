// SPDX-License-Identifier: GPL-2.0

//! The service-agnostic server core.
//!
//! A [`server::Server`] runs one [`service::Service`] in one network
//! namespace: a listening kernel socket published at the service's address,
//! one [`conn::Conn`] per client, and two dedicated workqueues. The
//! receive queue accepts connections and reads requests; the send queue
//! drains each connection's [`outqueue::OutQueue`], which softirq code fills
//! without sleeping. Memory per connection is bounded (see `outqueue`).
//! A [`dgram::DgramServer`] runs a connectionless [`service::DgramService`]
//! on one socket with a bounded reply queue.

pub(crate) mod base;
pub(crate) mod conn;
pub(crate) mod dgram;
pub(crate) mod fault;
pub(crate) mod outqueue;
pub(crate) mod replyqueue;
pub(crate) mod server;
pub(crate) mod service;
pub(crate) mod stats;
