// SPDX-License-Identifier: GPL-2.0
//! Client side of the TIPC configuration service (legacy `tipc-config`
//! protocol, include/uapi/linux/tipc_config.h).
//!
//! A request is a 16-byte `struct tipc_cfg_msg_hdr` (big endian) followed by
//! at most one TLV; the reply copies the header and carries the answer as a
//! list of TLVs.  Two transports return the same reply TLVs: [`remote`]
//! sends the request to the service `{0, node}` over an RDM socket, and
//! [`local`] asks this namespace's kernel over its genetlink compat family
//! "TIPC" (net/tipc/netlink_compat.c), whose answers the service reproduces.

mod format;
mod genl;
mod rdm;
mod wire;

pub use format::{
    error_message, format_tlvs, hex, normalize_digits, parse_hex, parse_node, ultra_string,
};
pub use genl::Genl;
pub use rdm::RdmClient;
pub use wire::{
    encode_request, encode_request_with, error_reply, parse_reply, parse_tlvs, reply_to, tlv_area,
    ErrorReply, Header, Tlv,
};

use std::fmt;

/// Service type of the configuration service, `TIPC_CFG_SRV`.
pub const TIPC_CFG_SRV: u32 = 0;
/// How long a client waits for a reply unless told otherwise.
pub const DEFAULT_TIMEOUT_MS: i32 = 5000;
/// Longest request the service accepts (longer ones are malformed).
pub const MAX_REQUEST_LEN: usize = 1024;
/// Size of `struct tipc_cfg_msg_hdr`.
pub const HDR_LEN: usize = 16;
/// Size of `struct tlv_desc`.
pub const TLV_HDR_LEN: usize = 4;

/// `TCM_F_REQUEST`: set in requests, cleared in replies.
pub const TCM_F_REQUEST: u16 = 0x1;
/// `TCM_F_MORE`: never used by the service.
pub const TCM_F_MORE: u16 = 0x2;

// Commands (`TIPC_CMD_*`).  Below 0x4000 public, up to 0x7FFF protected
// (network administrator), from 0x8000 private (local only).
pub const TIPC_CMD_NOOP: u16 = 0x0000;
pub const TIPC_CMD_GET_NODES: u16 = 0x0001;
pub const TIPC_CMD_GET_MEDIA_NAMES: u16 = 0x0002;
pub const TIPC_CMD_GET_BEARER_NAMES: u16 = 0x0003;
pub const TIPC_CMD_GET_LINKS: u16 = 0x0004;
pub const TIPC_CMD_SHOW_NAME_TABLE: u16 = 0x0005;
pub const TIPC_CMD_SHOW_PORTS: u16 = 0x0006;
pub const TIPC_CMD_SHOW_LINK_STATS: u16 = 0x000B;
pub const TIPC_CMD_SHOW_STATS: u16 = 0x000F;
pub const TIPC_CMD_GET_REMOTE_MNG: u16 = 0x4003;
pub const TIPC_CMD_GET_MAX_PORTS: u16 = 0x4004;
pub const TIPC_CMD_GET_NETID: u16 = 0x400B;
pub const TIPC_CMD_ENABLE_BEARER: u16 = 0x4101;
pub const TIPC_CMD_DISABLE_BEARER: u16 = 0x4102;
pub const TIPC_CMD_SET_LINK_TOL: u16 = 0x4107;
pub const TIPC_CMD_SET_LINK_PRI: u16 = 0x4108;
pub const TIPC_CMD_SET_LINK_WINDOW: u16 = 0x4109;
pub const TIPC_CMD_RESET_LINK_STATS: u16 = 0x410C;
pub const TIPC_CMD_SET_NODE_ADDR: u16 = 0x8001;
pub const TIPC_CMD_SET_REMOTE_MNG: u16 = 0x8003;
pub const TIPC_CMD_SET_MAX_PORTS: u16 = 0x8004;
pub const TIPC_CMD_SET_NETID: u16 = 0x800B;
pub const TIPC_CMD_NOT_NET_ADMIN: u16 = 0xC001;

// TLV types (`TIPC_TLV_*`).
pub const TIPC_TLV_NONE: u16 = 0;
pub const TIPC_TLV_VOID: u16 = 1;
pub const TIPC_TLV_UNSIGNED: u16 = 2;
pub const TIPC_TLV_STRING: u16 = 3;
pub const TIPC_TLV_LARGE_STRING: u16 = 4;
pub const TIPC_TLV_ULTRA_STRING: u16 = 5;
pub const TIPC_TLV_ERROR_STRING: u16 = 16;
pub const TIPC_TLV_NET_ADDR: u16 = 17;
pub const TIPC_TLV_MEDIA_NAME: u16 = 18;
pub const TIPC_TLV_BEARER_NAME: u16 = 19;
pub const TIPC_TLV_LINK_NAME: u16 = 20;
pub const TIPC_TLV_NODE_INFO: u16 = 21;
pub const TIPC_TLV_LINK_INFO: u16 = 22;
pub const TIPC_TLV_BEARER_CONFIG: u16 = 23;
pub const TIPC_TLV_LINK_CONFIG: u16 = 24;
pub const TIPC_TLV_NAME_TBL_QUERY: u16 = 25;
pub const TIPC_TLV_PORT_REF: u16 = 26;

// Error codes, the first byte of an error string (`TIPC_CFG_*`).
pub const TIPC_CFG_TLV_ERROR: u8 = 0x80;
pub const TIPC_CFG_NOT_NET_ADMIN: u8 = 0x81;
pub const TIPC_CFG_NOT_ZONE_MSTR: u8 = 0x82;
pub const TIPC_CFG_NO_REMOTE: u8 = 0x83;
pub const TIPC_CFG_NOT_SUPPORTED: u8 = 0x84;
pub const TIPC_CFG_INVALID_VALUE: u8 = 0x85;

/// `TIPC_MAX_MEDIA_NAME`, with its NUL.
pub const MAX_MEDIA_NAME: usize = 16;
/// `TIPC_MAX_BEARER_NAME`, with its NUL.
pub const MAX_BEARER_NAME: usize = 32;
/// `TIPC_MAX_LINK_NAME`, with its NUL.
pub const MAX_LINK_NAME: usize = 68;
/// Size of `struct tipc_node_info`.
pub const NODE_INFO_LEN: usize = 8;
/// Size of `struct tipc_link_info`.
pub const LINK_INFO_LEN: usize = 8 + MAX_LINK_NAME;
/// Size of `struct tipc_link_config`.
pub const LINK_CONFIG_LEN: usize = 4 + MAX_LINK_NAME;
/// Size of `struct tipc_bearer_config`.
pub const BEARER_CONFIG_LEN: usize = 8 + MAX_BEARER_NAME;
/// Size of `struct tipc_name_table_query`.
pub const NAME_TBL_QUERY_LEN: usize = 16;
/// `TIPC_NTQ_ALLTYPES`: a name table query over every type.
pub const TIPC_NTQ_ALLTYPES: u32 = 0x8000_0000;
/// `TIPC_MEDIA_LINK_PRI`: a bearer priority meaning "the media's default".
pub const TIPC_MEDIA_LINK_PRI: u32 = 32;

/// Why a request got no usable reply.
#[derive(Debug)]
pub enum Error {
    /// A socket or netlink call failed.
    Io(std::io::Error),
    /// No reply within the timeout.
    Timeout,
    /// The request came back undelivered (no service at that address).
    Undelivered,
    /// The reply broke the protocol.
    Protocol(String),
    /// Local only: the kernel answered with this errno and no TLV reply.
    Kernel(i32),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::Timeout => write!(f, "no reply within the timeout"),
            Error::Undelivered => write!(f, "request returned undelivered"),
            Error::Protocol(why) => write!(f, "bad reply: {why}"),
            Error::Kernel(errno) => write!(
                f,
                "kernel refused: {}",
                std::io::Error::from_raw_os_error(*errno)
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Where a request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// The configuration service of `node`, over an RDM socket.
    Remote(u32),
    /// This namespace's genetlink compat family "TIPC".
    Local,
}

/// The configuration service of `node`.
pub const fn remote(node: u32) -> Transport {
    Transport::Remote(node)
}

/// The local genetlink compat interface.
pub const fn local() -> Transport {
    Transport::Local
}

impl Transport {
    /// Sends command `cmd` with an optional TLV; returns the reply's TLV
    /// area, checked to be a well-formed TLV list.
    pub fn request(&self, cmd: u16, tlv: Option<&Tlv>) -> Result<Vec<u8>, Error> {
        match *self {
            Transport::Remote(node) => RdmClient::new(node)?.request(cmd, tlv),
            Transport::Local => Genl::open()?.request(cmd, tlv),
        }
    }
}
