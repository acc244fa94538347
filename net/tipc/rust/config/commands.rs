// SPDX-License-Identifier: GPL-2.0

//! The commands the service runs, and the argument each takes.
//!
//! Commands are classed by their number (tipc_config.h): public below
//! 0x4000 (read-only), protected up to 0x7FFF, private from 0x8000. Only
//! the commands listed here reach the kernel's command code; their
//! argument is checked first, down to the string terminators.

use super::wire::Tlv;
use core::mem::{offset_of, size_of};
use kernel::uapi::{self, tipc_bearer_config, tipc_link_config, tipc_name_table_query};

/// Who may run a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Public,
    Protected,
    Private,
}

/// The class of command `cmd`.
pub(crate) fn class(cmd: u16) -> Class {
    match cmd {
        0..=0x3FFF => Class::Public,
        0x4000..=0x7FFF => Class::Protected,
        _ => Class::Private,
    }
}

const MAX_BEARER_NAME: usize = uapi::TIPC_MAX_BEARER_NAME as usize;
const MAX_LINK_NAME: usize = uapi::TIPC_MAX_LINK_NAME as usize;

/// The kinds of argument, with their `TIPC_TLV_*` type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub(crate) enum Kind {
    Unsigned = uapi::TIPC_TLV_UNSIGNED as u16,
    NetAddr = uapi::TIPC_TLV_NET_ADDR as u16,
    BearerName = uapi::TIPC_TLV_BEARER_NAME as u16,
    LinkName = uapi::TIPC_TLV_LINK_NAME as u16,
    BearerConfig = uapi::TIPC_TLV_BEARER_CONFIG as u16,
    LinkConfig = uapi::TIPC_TLV_LINK_CONFIG as u16,
    NameTableQuery = uapi::TIPC_TLV_NAME_TBL_QUERY as u16,
}

/// Whether `b` holds a NUL, so C may read it as a string.
fn terminated(b: &[u8]) -> bool {
    b.contains(&0)
}

impl Kind {
    /// Checks a value of this kind.
    fn check(self, v: &[u8]) -> Result<(), &'static str> {
        let ok = match self {
            Self::Unsigned | Self::NetAddr => v.len() == size_of::<u32>(),
            Self::NameTableQuery => v.len() == size_of::<tipc_name_table_query>(),
            Self::BearerName => !v.is_empty() && v.len() <= MAX_BEARER_NAME && terminated(v),
            Self::LinkName => !v.is_empty() && v.len() <= MAX_LINK_NAME && terminated(v),
            Self::BearerConfig => {
                v.len() == size_of::<tipc_bearer_config>()
                    && terminated(&v[offset_of!(tipc_bearer_config, name)..])
            }
            Self::LinkConfig => {
                v.len() == size_of::<tipc_link_config>()
                    && terminated(&v[offset_of!(tipc_link_config, name)..])
            }
        };
        if ok {
            Ok(())
        } else {
            Err("argument of the wrong size, or a name without its terminator")
        }
    }
}

/// What a command takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arg {
    None,
    Optional(Kind),
    Required(Kind),
}

/// The argument of a command the service runs; `None` for any other.
pub(crate) fn arg(command: u16) -> Option<Arg> {
    use uapi as c;
    use Kind::*;
    Some(match u32::from(command) {
        c::TIPC_CMD_NOOP
        | c::TIPC_CMD_GET_MEDIA_NAMES
        | c::TIPC_CMD_GET_BEARER_NAMES
        | c::TIPC_CMD_SHOW_PORTS
        | c::TIPC_CMD_GET_NETID => Arg::None,
        // tipc-config sends a domain; the kernel ignores it.
        c::TIPC_CMD_GET_NODES => Arg::Optional(NetAddr),
        c::TIPC_CMD_SHOW_STATS => Arg::Optional(Unsigned),
        c::TIPC_CMD_GET_LINKS => Arg::Required(NetAddr),
        c::TIPC_CMD_SHOW_NAME_TABLE => Arg::Required(NameTableQuery),
        c::TIPC_CMD_SHOW_LINK_STATS | c::TIPC_CMD_RESET_LINK_STATS => Arg::Required(LinkName),
        c::TIPC_CMD_SET_LINK_TOL | c::TIPC_CMD_SET_LINK_PRI | c::TIPC_CMD_SET_LINK_WINDOW => {
            Arg::Required(LinkConfig)
        }
        c::TIPC_CMD_ENABLE_BEARER => Arg::Required(BearerConfig),
        c::TIPC_CMD_DISABLE_BEARER => Arg::Required(BearerName),
        _ => return None,
    })
}

/// Why a command's argument was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BadArg {
    /// The service does not run this command.
    Unsupported,
    /// The argument is missing, of another type, or malformed.
    Invalid(&'static str),
}

/// Checks that `tlv` is what `command` takes.
pub(crate) fn check(command: u16, tlv: Option<&Tlv<'_>>) -> Result<(), BadArg> {
    match (arg(command).ok_or(BadArg::Unsupported)?, tlv) {
        (Arg::None | Arg::Optional(_), None) => Ok(()),
        (Arg::None, Some(_)) => Err(BadArg::Invalid("command takes no argument")),
        (Arg::Required(_), None) => Err(BadArg::Invalid("argument missing")),
        (Arg::Optional(k) | Arg::Required(k), Some(t)) if t.ty != k as u16 => {
            Err(BadArg::Invalid("argument of the wrong TLV type"))
        }
        (Arg::Optional(k) | Arg::Required(k), Some(t)) => k.check(t.value).map_err(BadArg::Invalid),
    }
}
