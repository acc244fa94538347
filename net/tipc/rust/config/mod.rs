// SPDX-License-Identifier: GPL-2.0

//! The configuration service at `{TIPC_CFG_SRV, own node}`: remote
//! `tipc-config` management over TIPC, on the core's connectionless mode.
//!
//! A request is parsed ([`wire`]), checked against the namespace's policy
//! ([`policy`]) and the command's argument ([`commands`]), and only then
//! handed to the kernel's own TLV command code (`netlink_compat.c`), so a
//! remote node gets exactly what local `tipc-config` gets.

mod commands;
mod policy;
mod service;
#[cfg(tipc_server_kunit)]
pub(crate) mod tests;
mod wire;

pub(crate) use service::Config;
