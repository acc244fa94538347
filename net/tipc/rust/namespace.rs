// SPDX-License-Identifier: GPL-2.0

//! The servers of one network namespace.

use crate::config::{self, Config};
use crate::core::{
    dgram::DgramServer,
    server::Server,
    stats::{self, TextBuf},
};
use crate::ffi::Scope;
use crate::topology::Topology;
use kernel::{net::namespace::NetNs, prelude::*, sync::Arc};

/// Every server TIPC runs in a namespace, from its pernet `init` to `exit`.
pub(crate) struct NetServers {
    pub(crate) topology: Arc<Server<Topology>>,
    pub(crate) config: Arc<DgramServer<Config>>,
}

impl NetServers {
    pub(crate) fn start(net: NetNs) -> Result<Arc<Self>> {
        let topology = Server::start(net, Topology::new())?;
        let config = match DgramServer::start(net, Config::default()) {
            Ok(config) => config,
            Err(e) => {
                topology.stop();
                return Err(e);
            }
        };
        Arc::new(
            Self {
                topology: topology.clone(),
                config: config.clone(),
            },
            GFP_KERNEL,
        )
        .map_err(|_| {
            config.stop();
            topology.stop();
            ENOMEM
        })
    }

    /// Stops every server; nothing of them runs once this returns. The
    /// topology server first: its stop is the one the reliability
    /// scenarios hold (the first stop a namespace makes).
    pub(crate) fn stop(&self) {
        self.topology.stop();
        self.config.stop();
    }

    /// The node got its address: the configuration service takes the
    /// node-state name `{0, addr}` (the name other nodes watch for this
    /// node's up and down events). `false` if it could not, and the caller
    /// publishes the name itself.
    pub(crate) fn publish_node_state(&self, addr: u32) -> bool {
        match self
            .config
            .publish(config::TIPC_CFG_SRV, addr, Scope::Cluster)
        {
            Ok(()) => true,
            Err(e) => {
                pr_warn!("configuration service not published: {:?}\n", e);
                false
            }
        }
    }

    /// `/proc/net/tipc_server`.
    pub(crate) fn format_stats(&self, buf: &mut KVec<u8>) -> core::fmt::Result {
        let mut w = TextBuf(buf);
        self.topology.write_stats(&mut w)?;
        self.config.write_stats(&mut w)?;
        stats::write_live(&mut w)
    }
}
