// SPDX-License-Identifier: GPL-2.0

//! The configuration protocol (include/uapi/linux/tipc_config.h): a
//! 16-byte `struct tipc_cfg_msg_hdr`, then TLVs, all big endian and
//! 4-byte aligned. Nothing here trusts a length it has not checked against
//! the bytes received.

use core::mem::{offset_of, size_of};
use kernel::{
    prelude::*,
    uapi::{self, tipc_cfg_msg_hdr as Hdr, tlv_desc},
};

/// Length of `struct tipc_cfg_msg_hdr`.
pub(crate) const HDR_LEN: usize = size_of::<Hdr>();
/// Length of `struct tlv_desc`.
pub(crate) const TLV_HDR_LEN: usize = size_of::<tlv_desc>();
pub(crate) const TCM_F_REQUEST: u16 = uapi::TCM_F_REQUEST as u16;
pub(crate) const TIPC_TLV_ERROR_STRING: u16 = uapi::TIPC_TLV_ERROR_STRING as u16;

const TCM_LEN: usize = offset_of!(Hdr, tcm_len);
const TCM_TYPE: usize = offset_of!(Hdr, tcm_type);
const TCM_FLAGS: usize = offset_of!(Hdr, tcm_flags);
const TLV_LEN: usize = offset_of!(tlv_desc, tlv_len);
const TLV_TYPE: usize = offset_of!(tlv_desc, tlv_type);

/// Error codes, the first byte of an error string (`TIPC_CFG_*`).
pub(crate) mod code {
    use kernel::uapi;

    /// The command failed on its argument.
    pub(crate) const INVALID_VALUE: u8 = uapi::TIPC_CFG_INVALID_VALUE[0];
    /// The request is malformed.
    pub(crate) const TLV_ERROR: u8 = uapi::TIPC_CFG_TLV_ERROR[0];
    /// Not allowed for this requester.
    pub(crate) const NOT_NET_ADMIN: u8 = uapi::TIPC_CFG_NOT_NET_ADMIN[0];
    /// Remote management is disabled.
    pub(crate) const NO_REMOTE: u8 = uapi::TIPC_CFG_NO_REMOTE[0];
    /// Unknown command.
    pub(crate) const NOT_SUPPORTED: u8 = uapi::TIPC_CFG_NOT_SUPPORTED[0];
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// `TLV_ALIGN()`.
pub(crate) const fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// One TLV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tlv<'a> {
    pub(crate) ty: u16,
    pub(crate) value: &'a [u8],
}

/// A well-formed request.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The header as received; the reply starts with it.
    pub(crate) header: [u8; HDR_LEN],
    /// `tcm_type`, the `TIPC_CMD_*` command.
    pub(crate) cmd: u16,
    /// The request's argument, if it has one.
    pub(crate) tlv: Option<Tlv<'a>>,
    /// Everything after the header: what the command code reads.
    pub(crate) body: &'a [u8],
}

/// Why a request is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Malformed {
    TooLong,
    Short,
    LengthMismatch,
    Unaligned,
    NotRequest,
    TlvShort,
    TlvPastEnd,
    TrailingBytes,
}

impl Malformed {
    /// Whether the sender gets an error reply. A message without a whole
    /// header, whose length field disagrees with what arrived, or that is
    /// not flagged as a request (a reply, say) is dropped unanswered, as
    /// 2013's `config.c` did: answering a reply could start two services
    /// answering each other for ever.
    pub(crate) fn answered(self) -> bool {
        !matches!(self, Self::Short | Self::LengthMismatch | Self::NotRequest)
    }

    /// The text of the error reply.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::TooLong => "request too long",
            Self::Short => "request shorter than its header",
            Self::LengthMismatch => "tcm_len differs from the bytes received",
            Self::Unaligned => "request length not a multiple of 4",
            Self::NotRequest => "tcm_flags must be TCM_F_REQUEST",
            Self::TlvShort => "TLV shorter than its header",
            Self::TlvPastEnd => "TLV runs past the end of the request",
            Self::TrailingBytes => "bytes after the TLV",
        }
    }
}

/// Parses `msg`, a request of at most `max` bytes.
pub(crate) fn parse(msg: &[u8], max: usize) -> Result<Request<'_>, Malformed> {
    if msg.len() < HDR_LEN {
        return Err(Malformed::Short);
    }
    if be16(msg, TCM_FLAGS) != TCM_F_REQUEST {
        return Err(Malformed::NotRequest);
    }
    // A request cut short on reception: its length field cannot match.
    if msg.len() > max {
        return Err(Malformed::TooLong);
    }
    if be32(msg, TCM_LEN) as usize != msg.len() {
        return Err(Malformed::LengthMismatch);
    }
    if msg.len() % 4 != 0 {
        return Err(Malformed::Unaligned);
    }
    let mut header = [0u8; HDR_LEN];
    header.copy_from_slice(&msg[..HDR_LEN]);
    let body = &msg[HDR_LEN..];
    let tlv = if body.is_empty() {
        None
    } else {
        if body.len() < TLV_HDR_LEN {
            return Err(Malformed::TlvShort);
        }
        let len = be16(body, TLV_LEN) as usize;
        if len < TLV_HDR_LEN {
            return Err(Malformed::TlvShort);
        }
        if len > body.len() {
            return Err(Malformed::TlvPastEnd);
        }
        // One argument, padded to the alignment and no more.
        if align4(len) != body.len() {
            return Err(Malformed::TrailingBytes);
        }
        Some(Tlv {
            ty: be16(body, TLV_TYPE),
            value: &body[TLV_HDR_LEN..len],
        })
    };
    Ok(Request {
        header,
        cmd: be16(msg, TCM_TYPE),
        tlv,
        body,
    })
}

/// The header of the reply to whatever `msg` is: its own header if it has
/// one, else zeroes.
pub(crate) fn reply_header(msg: &[u8]) -> [u8; HDR_LEN] {
    let mut h = [0u8; HDR_LEN];
    if let Some(src) = msg.get(..HDR_LEN) {
        h.copy_from_slice(src);
    }
    h
}

/// A reply: the request's header with the reply's length and the request
/// flag cleared, then `parts` (TLVs) one after the other.
pub(crate) fn reply(header: &[u8; HDR_LEN], parts: &[&[u8]]) -> Result<KVec<u8>> {
    let len = HDR_LEN + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut r = KVec::with_capacity(len, GFP_KERNEL)?;
    r.extend_from_slice(header, GFP_KERNEL)?;
    r[TCM_LEN..TCM_LEN + 4].copy_from_slice(&(len as u32).to_be_bytes());
    let flags = be16(header, TCM_FLAGS) & !TCM_F_REQUEST;
    r[TCM_FLAGS..TCM_FLAGS + 2].copy_from_slice(&flags.to_be_bytes());
    for p in parts {
        r.extend_from_slice(p, GFP_KERNEL)?;
    }
    Ok(r)
}

/// A reply carrying one `TIPC_TLV_ERROR_STRING`: `code`, then `" (text)"`.
///
/// `tipc-config` prints its own words for the code byte and then the rest
/// of the string, so the explanation starts with a separator, as 2013's
/// strings did (`" (cannot be done remotely)"`).
pub(crate) fn error_reply(header: &[u8; HDR_LEN], code: u8, text: &str) -> Result<KVec<u8>> {
    const OPEN: &[u8] = b" (";
    // The code byte, the text in parentheses and its NUL.
    let len = TLV_HDR_LEN + 1 + OPEN.len() + text.len() + 1 + 1;
    let mut tlv = KVec::with_capacity(align4(len), GFP_KERNEL)?;
    tlv.extend_from_slice(&(len as u16).to_be_bytes(), GFP_KERNEL)?;
    tlv.extend_from_slice(&TIPC_TLV_ERROR_STRING.to_be_bytes(), GFP_KERNEL)?;
    tlv.push(code, GFP_KERNEL)?;
    tlv.extend_from_slice(OPEN, GFP_KERNEL)?;
    tlv.extend_from_slice(text.as_bytes(), GFP_KERNEL)?;
    tlv.push(b')', GFP_KERNEL)?;
    tlv.extend_with(align4(len) - len + 1, 0, GFP_KERNEL)?;
    reply(header, &[&tlv])
}
