// SPDX-License-Identifier: GPL-2.0

//! TIPC's in-kernel servers, in Rust.
//!
//! Linked into `tipc.ko` in place of `topsrv.c` and `subscr.c` when
//! `CONFIG_TIPC_SERVER_RUST=y`. Layers, one folder each:
//!
//! - [`ffi`]: the one boundary module with `unsafe` code: calls into
//!   `tipc.ko` internals through `glue.c`, and the entry points C calls.
//! - [`core`]: the service-agnostic server: per-namespace servers, kernel
//!   sockets, connections with bounded outbound queues, a receive and a
//!   send workqueue (the 2013 design of `net/tipc/server.c`).
//! - [`topology`]: the topology subscription service at `{1,1}`.
//! - [`config`]: the configuration service at `{0, own node}`.
//!
//! See Documentation/tipc-rust/server.rst.

#![deny(unsafe_code)]

/// Prefix of this crate's `pr_*!` messages (there is no `module!` here).
const __LOG_PREFIX: &[u8] = b"tipc\0";

mod config;
mod core;
#[allow(unsafe_code)]
mod ffi;
mod namespace;
#[cfg(tipc_server_kunit)]
mod tests;
mod topology;
