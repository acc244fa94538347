// SPDX-License-Identifier: GPL-2.0

//! The servers of one network namespace.

use crate::core::{server::Server, stats::TextBuf};
use crate::topology::Topology;
use kernel::{net::namespace::NetNs, prelude::*, sync::Arc};

/// Every server TIPC runs in a namespace, from its pernet `init` to `exit`.
pub(crate) struct NetServers {
    pub(crate) topology: Arc<Server<Topology>>,
}

impl NetServers {
    pub(crate) fn start(net: NetNs) -> Result<Arc<Self>> {
        let topology = Server::start(net, Topology::new())?;
        Arc::new(
            Self {
                topology: topology.clone(),
            },
            GFP_KERNEL,
        )
        .map_err(|_| {
            topology.stop();
            ENOMEM
        })
    }

    /// Stops every server; nothing of them runs once this returns.
    pub(crate) fn stop(&self) {
        self.topology.stop();
    }

    /// `/proc/net/tipc_server`.
    pub(crate) fn format_stats(&self, buf: &mut KVec<u8>) -> core::fmt::Result {
        let mut w = TextBuf(buf);
        self.topology.write_stats(&mut w)?;
        self.topology.service().write_stats(&mut w)
    }
}
