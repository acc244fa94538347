// SPDX-License-Identifier: GPL-2.0

//! The servers of one network namespace.

/// Declares the services, one folder each, and the server that runs each
/// in every namespace, in start order: `folder: Server<Service>`, where
/// `Server` is [`crate::server::ConnServer`] or
/// [`crate::server::DgramServer`]. What the namespace's entry points
/// ([`crate::boundary::entry::PerNet`]) need of a service, it provides
/// through [`crate::server::Running`]: a new service is its folder and one
/// line in the list. Servers start, and stop, in the list's order: the
/// topology server's stop comes first, the one the reliability scenarios
/// hold (the first stop a namespace makes).
macro_rules! services {
    ($($(#[$doc:meta])* $name:ident: $server:ident<$service:ident>),* $(,)?) => {
        $($(#[$doc])* mod $name;)*

        /// Every server TIPC runs in a namespace, from its pernet `init` to `exit`.
        pub(crate) struct NetServers {
            $($name: kernel::sync::Arc<$crate::server::$server<$name::$service>>,)*
        }

        use $crate::server::Running as _;

        impl $crate::boundary::entry::PerNet for NetServers {
            fn start(net: $crate::boundary::tipc::TipcNet) -> Result<kernel::sync::Arc<Self>> {
                use kernel::sync::UniqueArc;

                /// The servers started so far, stopped if a later one fails.
                struct Partial {
                    $($name: Option<kernel::sync::Arc<$crate::server::$server<$name::$service>>>,)*
                }

                impl Drop for Partial {
                    fn drop(&mut self) {
                        $(if let Some(s) = self.$name.take() {
                            s.stop();
                        })*
                    }
                }

                let slot = UniqueArc::new_uninit(GFP_KERNEL)?;
                let mut started = Partial { $($name: None,)* };
                $(started.$name = Some($crate::server::$server::start(net, Default::default())?);)*
                let servers = Self { $($name: started.$name.take().ok_or(EINVAL)?,)* };
                Ok(slot.write(servers).into())
            }

            /// Stops the servers in start order.
            fn stop(&self) {
                $(self.$name.stop();)*
            }

            fn publish_node_state(&self, addr: u32) -> bool {
                $(if let Some(published) = self.$name.publish_node_state(addr) {
                    return published;
                })*
                false
            }

            fn kernel_subscribe(
                &self,
                port: u32,
                range: $crate::boundary::tipc::ServiceRange,
                filter: u32,
            ) -> Result<u32> {
                $(if let Some(id) = self.$name.kernel_subscribe(port, range, filter) {
                    return id;
                })*
                Err(ENODEV)
            }

            fn kernel_unsubscribe(&self, id: u32) {
                $(self.$name.kernel_unsubscribe(id);)*
            }

            fn write_stats(&self, buf: &mut KVec<u8>) -> core::fmt::Result {
                use $crate::server::stats;
                let mut w = stats::TextBuf(buf);
                $(self.$name.write_stats(&mut w)?;)*
                stats::write_live(&mut w)
            }
        }
    };
}
pub(crate) use services;
