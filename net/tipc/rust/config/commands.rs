// SPDX-License-Identifier: GPL-2.0

//! The commands the service runs, and the argument each takes.
//!
//! Commands are classed by their number (tipc_config.h): public below
//! 0x4000 (read-only), protected up to 0x7FFF, private from 0x8000. Only
//! the commands listed here reach the kernel's command code; their
//! argument is checked first, down to the string terminators.

use super::wire::Tlv;

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

/// `TIPC_CMD_*` numbers the service knows.
pub(crate) mod cmd {
    pub(crate) const NOOP: u16 = 0x0000;
    pub(crate) const GET_NODES: u16 = 0x0001;
    pub(crate) const GET_MEDIA_NAMES: u16 = 0x0002;
    pub(crate) const GET_BEARER_NAMES: u16 = 0x0003;
    pub(crate) const GET_LINKS: u16 = 0x0004;
    pub(crate) const SHOW_NAME_TABLE: u16 = 0x0005;
    pub(crate) const SHOW_PORTS: u16 = 0x0006;
    pub(crate) const SHOW_LINK_STATS: u16 = 0x000B;
    pub(crate) const SHOW_STATS: u16 = 0x000F;
    pub(crate) const GET_NETID: u16 = 0x400B;
    pub(crate) const ENABLE_BEARER: u16 = 0x4101;
    pub(crate) const DISABLE_BEARER: u16 = 0x4102;
    pub(crate) const SET_LINK_TOL: u16 = 0x4107;
    pub(crate) const SET_LINK_PRI: u16 = 0x4108;
    pub(crate) const SET_LINK_WINDOW: u16 = 0x4109;
    pub(crate) const RESET_LINK_STATS: u16 = 0x410C;
}

/// `TIPC_MAX_BEARER_NAME`.
const MAX_BEARER_NAME: usize = 32;
/// `TIPC_MAX_LINK_NAME`.
const MAX_LINK_NAME: usize = 68;

/// The kinds of argument, with their `TIPC_TLV_*` type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Unsigned = 2,
    NetAddr = 17,
    BearerName = 19,
    LinkName = 20,
    BearerConfig = 23,
    LinkConfig = 24,
    NameTableQuery = 25,
}

/// Whether `b` holds a NUL, so C may read it as a string.
fn terminated(b: &[u8]) -> bool {
    b.contains(&0)
}

impl Kind {
    /// Checks a value of this kind.
    fn check(self, v: &[u8]) -> Result<(), &'static str> {
        let ok = match self {
            Self::Unsigned | Self::NetAddr => v.len() == 4,
            Self::NameTableQuery => v.len() == 16,
            Self::BearerName => !v.is_empty() && v.len() <= MAX_BEARER_NAME && terminated(v),
            Self::LinkName => !v.is_empty() && v.len() <= MAX_LINK_NAME && terminated(v),
            // `struct tipc_bearer_config`: priority, discovery domain, name.
            Self::BearerConfig => v.len() == 8 + MAX_BEARER_NAME && terminated(&v[8..]),
            // `struct tipc_link_config`: value, name.
            Self::LinkConfig => v.len() == 4 + MAX_LINK_NAME && terminated(&v[4..]),
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
    use Kind::*;
    Some(match command {
        cmd::NOOP
        | cmd::GET_MEDIA_NAMES
        | cmd::GET_BEARER_NAMES
        | cmd::SHOW_PORTS
        | cmd::GET_NETID => Arg::None,
        // tipc-config sends a domain; the kernel ignores it.
        cmd::GET_NODES => Arg::Optional(NetAddr),
        cmd::SHOW_STATS => Arg::Optional(Unsigned),
        cmd::GET_LINKS => Arg::Required(NetAddr),
        cmd::SHOW_NAME_TABLE => Arg::Required(NameTableQuery),
        cmd::SHOW_LINK_STATS | cmd::RESET_LINK_STATS => Arg::Required(LinkName),
        cmd::SET_LINK_TOL | cmd::SET_LINK_PRI | cmd::SET_LINK_WINDOW => Arg::Required(LinkConfig),
        cmd::ENABLE_BEARER => Arg::Required(BearerConfig),
        cmd::DISABLE_BEARER => Arg::Required(BearerName),
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
