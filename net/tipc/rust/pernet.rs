// SPDX-License-Identifier: GPL-2.0

//! The servers of one network namespace.

/// Declares the services, one folder each, and the server that runs each
/// in every namespace: `folder: Server<Service>`, `Server` being
/// [`crate::server::ConnServer`] or [`crate::server::DgramServer`]. After a
/// `;` come the [`crate::boundary::entry::PerNet`] functions `tipc.ko`
/// calls for one service. Servers start and stop in the list's order (the
/// reliability scenarios hold the topology server's stop, the first).
macro_rules! services {
    ($($(#[$doc:meta])* $name:ident: $server:ident<$service:ident>),* $(,)? ; $($hooks:tt)*) => {
        $($(#[$doc])* mod $name;)*

        /// Every server TIPC runs in a namespace, from its pernet `init` to `exit`.
        pub(crate) struct NetServers {
            $($name: kernel::sync::Arc<$crate::server::$server<$name::$service>>,)*
        }

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

            fn write_stats(&self, buf: &mut KVec<u8>) -> core::fmt::Result {
                use $crate::server::stats;
                let mut w = stats::TextBuf(buf);
                $(self.$name.write_stats(&mut w)?;)*
                stats::write_live(&mut w)
            }

            $($hooks)*
        }
    };
}
pub(crate) use services;
