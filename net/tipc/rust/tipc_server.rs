// SPDX-License-Identifier: GPL-2.0

//! TIPC's in-kernel servers, in Rust.
//!
//! Linked into `tipc.ko` in place of `topsrv.c` and `subscr.c` when
//! `CONFIG_TIPC_SERVER_RUST=y`. Layers, one folder each, each using only
//! those below it:
//!
//! - the services [`topology`] (`{1,1}`) and [`config`] (`{0, own node}`),
//!   declared with [`pernet::services!`];
//! - [`server`]: the service-agnostic core (kernel sockets, connections
//!   with bounded queues; for connections, receiving on shared
//!   `SCHED_BATCH` workers and sending on a shared per-CPU workqueue, for
//!   datagrams a receive and a send workqueue per server as in the 2013
//!   design);
//! - [`boundary`]: the only module with `unsafe` code: calls into `glue.c`,
//!   and the entry points C calls ([`boundary::entry::export_entry_points!`]).
//!
//! See Documentation/tipc-rust/server.rst.

#![deny(unsafe_code)]

/// Prefix of this crate's `pr_*!` messages (there is no `module!` here).
const __LOG_PREFIX: &[u8] = b"tipc\0";

#[allow(unsafe_code)]
mod boundary;
mod pernet;
mod server;

use boundary::tipc::ServiceRange;
use kernel::prelude::*;

pernet::services! {
    /// The topology service.
    topology: ConnServer<Topology>,
    /// The configuration service.
    config: DgramServer<Config>;

    fn publish_node_state(&self, addr: u32) -> bool {
        config::Config::publish_node_state(&self.config, addr)
    }

    fn kernel_subscribe(&self, port: u32, range: ServiceRange, filter: u32) -> Result<u32> {
        topology::Topology::kernel_subscribe(&self.topology, port, range, filter)
    }

    fn kernel_unsubscribe(&self, id: u32) {
        topology::Topology::kernel_unsubscribe(&self.topology, id)
    }
}

boundary::entry::export_entry_points! {
    servers: NetServers,
    watcher: topology::Subscription,
    kunit: &[server::tests::CASES, topology::tests::CASES, config::tests::CASES],
}
