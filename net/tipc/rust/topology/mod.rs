// SPDX-License-Identifier: GPL-2.0

//! The topology service: subscriptions to the name table at `{1,1}`.
//!
//! A client sends `struct tipc_subscr` requests on a SEQPACKET connection
//! and receives a `struct tipc_event` for every matching change, in the
//! byte order it wrote in. Kernel subscriptions (group messaging) use the
//! same service through socketless connections.

mod feed;
mod service;
mod state;
mod subscription;
#[cfg(tipc_server_kunit)]
pub(crate) mod tests;
mod wire;

pub(crate) use state::Topology;
pub(crate) use subscription::Subscription;
