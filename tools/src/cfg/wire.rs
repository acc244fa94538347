// SPDX-License-Identifier: GPL-2.0
//! The configuration protocol's wire format: message header, TLVs, request
//! encoding and strict reply parsing.

use super::*;

/// Rounds `n` up to the TLV and message alignment, 4.
pub const fn align4(n: usize) -> usize {
    (n + 3) & !3
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// `struct tipc_cfg_msg_hdr`, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `tcm_len`: the whole message, header included.
    pub len: u32,
    /// `tcm_type`: the command.
    pub cmd: u16,
    /// `tcm_flags`.
    pub flags: u16,
    /// `tcm_reserved`.
    pub reserved: [u8; 8],
}

impl Header {
    /// Decodes the first 16 bytes of `b`, if there are that many.
    pub fn decode(b: &[u8]) -> Option<Header> {
        if b.len() < HDR_LEN {
            return None;
        }
        let mut reserved = [0; 8];
        reserved.copy_from_slice(&b[8..16]);
        Some(Header {
            len: be32(b, 0),
            cmd: be16(b, 4),
            flags: be16(b, 6),
            reserved,
        })
    }

    /// Encodes the header, big endian.
    pub fn encode(&self) -> [u8; HDR_LEN] {
        let mut b = [0; HDR_LEN];
        b[0..4].copy_from_slice(&self.len.to_be_bytes());
        b[4..6].copy_from_slice(&self.cmd.to_be_bytes());
        b[6..8].copy_from_slice(&self.flags.to_be_bytes());
        b[8..16].copy_from_slice(&self.reserved);
        b
    }
}

/// One TLV: a type and its value (without padding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlv {
    pub ty: u16,
    pub value: Vec<u8>,
}

/// `name` with its NUL, in a field of `size` bytes.
fn c_string_field(name: &str, size: usize, what: &str) -> Result<Vec<u8>, String> {
    if name.len() >= size || name.as_bytes().contains(&0) {
        return Err(format!(
            "{what} '{name}' must be shorter than {size} bytes, without NUL"
        ));
    }
    let mut f = name.as_bytes().to_vec();
    f.resize(size, 0);
    Ok(f)
}

impl Tlv {
    /// A TLV of type `ty` carrying `value`.
    pub fn new(ty: u16, value: &[u8]) -> Tlv {
        Tlv {
            ty,
            value: value.to_vec(),
        }
    }

    /// `TIPC_TLV_UNSIGNED`.
    pub fn unsigned(v: u32) -> Tlv {
        Tlv::new(TIPC_TLV_UNSIGNED, &v.to_be_bytes())
    }

    /// `TIPC_TLV_NET_ADDR`.
    pub fn net_addr(addr: u32) -> Tlv {
        Tlv::new(TIPC_TLV_NET_ADDR, &addr.to_be_bytes())
    }

    /// A string TLV: the text and its NUL (the field is not padded out).
    fn c_string(ty: u16, s: &str, max: usize, what: &str) -> Result<Tlv, String> {
        let mut v = c_string_field(s, max, what)?;
        v.truncate(s.len() + 1);
        Ok(Tlv { ty, value: v })
    }

    /// `TIPC_TLV_LINK_NAME`.
    pub fn link_name(name: &str) -> Result<Tlv, String> {
        Tlv::c_string(TIPC_TLV_LINK_NAME, name, MAX_LINK_NAME, "link name")
    }

    /// `TIPC_TLV_BEARER_NAME`.
    pub fn bearer_name(name: &str) -> Result<Tlv, String> {
        Tlv::c_string(TIPC_TLV_BEARER_NAME, name, MAX_BEARER_NAME, "bearer name")
    }

    /// `TIPC_TLV_LINK_CONFIG`: a whole `struct tipc_link_config`.
    pub fn link_config(name: &str, value: u32) -> Result<Tlv, String> {
        let mut v = value.to_be_bytes().to_vec();
        v.extend(c_string_field(name, MAX_LINK_NAME, "link name")?);
        Ok(Tlv {
            ty: TIPC_TLV_LINK_CONFIG,
            value: v,
        })
    }

    /// `TIPC_TLV_BEARER_CONFIG`: a whole `struct tipc_bearer_config`.
    pub fn bearer_config(name: &str, priority: u32, domain: u32) -> Result<Tlv, String> {
        let mut v = priority.to_be_bytes().to_vec();
        v.extend(domain.to_be_bytes());
        v.extend(c_string_field(name, MAX_BEARER_NAME, "bearer name")?);
        Ok(Tlv {
            ty: TIPC_TLV_BEARER_CONFIG,
            value: v,
        })
    }

    /// `TIPC_TLV_NAME_TBL_QUERY`.
    pub fn name_table_query(depth: u32, ty: u32, lower: u32, upper: u32) -> Tlv {
        let mut v = Vec::with_capacity(NAME_TBL_QUERY_LEN);
        for w in [depth, ty, lower, upper] {
            v.extend(w.to_be_bytes());
        }
        Tlv {
            ty: TIPC_TLV_NAME_TBL_QUERY,
            value: v,
        }
    }

    /// The TLV on the wire: `tlv_len` counts the descriptor and the value,
    /// zero padding follows up to a multiple of 4.
    pub fn encode(&self) -> Vec<u8> {
        let len = TLV_HDR_LEN + self.value.len();
        let mut b = Vec::with_capacity(align4(len));
        b.extend((len as u16).to_be_bytes());
        b.extend(self.ty.to_be_bytes());
        b.extend(&self.value);
        b.resize(align4(len), 0);
        b
    }

    /// The value as a big-endian integer, for 4-byte values.
    pub fn u32(&self) -> Option<u32> {
        (self.value.len() == 4).then(|| be32(&self.value, 0))
    }

    /// The value up to its first NUL, as text.
    pub fn text(&self) -> String {
        let end = self
            .value
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(self.value.len());
        String::from_utf8_lossy(&self.value[..end]).into_owned()
    }
}

/// A request with explicit flags and reserved bytes (tests use both).
pub fn encode_request_with(cmd: u16, flags: u16, reserved: [u8; 8], tlv: Option<&Tlv>) -> Vec<u8> {
    let body = tlv.map(Tlv::encode).unwrap_or_default();
    let h = Header {
        len: (HDR_LEN + body.len()) as u32,
        cmd,
        flags,
        reserved,
    };
    let mut b = h.encode().to_vec();
    b.extend(body);
    b
}

/// A well-formed request: `TCM_F_REQUEST`, reserved bytes zero, `tcm_len`
/// counting the TLV's padding.
pub fn encode_request(cmd: u16, tlv: Option<&Tlv>) -> Vec<u8> {
    encode_request_with(cmd, TCM_F_REQUEST, [0; 8], tlv)
}

/// Checks a reply message's header on its own: long enough, `tcm_len`
/// equal to the bytes received, `TCM_F_REQUEST` clear.  Returns the header
/// and the TLV area.
pub fn parse_reply(msg: &[u8]) -> Result<(Header, &[u8]), String> {
    let h = Header::decode(msg).ok_or(format!("{} bytes, shorter than a header", msg.len()))?;
    if h.len as usize != msg.len() {
        return Err(format!(
            "tcm_len {} but {} bytes received",
            h.len,
            msg.len()
        ));
    }
    if h.flags & TCM_F_REQUEST != 0 {
        return Err(format!("request flag set (flags {:#x})", h.flags));
    }
    Ok((h, &msg[HDR_LEN..]))
}

/// Checks `reply` as the answer to `request` (raw bytes, possibly
/// malformed): a well-formed header that copies the request's type and
/// reserved bytes (type 0 if the request had no whole header), flags
/// cleared for a proper request.  Returns the TLV area.
pub fn reply_to<'a>(request: &[u8], reply: &'a [u8]) -> Result<&'a [u8], String> {
    let (h, area) = parse_reply(reply)?;
    match Header::decode(request) {
        Some(req) => {
            if h.cmd != req.cmd {
                return Err(format!(
                    "reply type {:#06x} to a request of type {:#06x}",
                    h.cmd, req.cmd
                ));
            }
            if h.reserved != req.reserved {
                return Err(format!(
                    "reserved bytes {:02x?} not copied from the request's {:02x?}",
                    h.reserved, req.reserved
                ));
            }
            if req.flags == TCM_F_REQUEST && h.flags != 0 {
                return Err(format!("reply flags {:#x}, expected 0", h.flags));
            }
        }
        None if h.cmd != 0 => {
            return Err(format!(
                "reply type {:#06x} to a {}-byte request (expected 0)",
                h.cmd,
                request.len()
            ))
        }
        None => {}
    }
    Ok(area)
}

/// Checks a value's size and termination for its TLV type.
fn check_value(ty: u16, v: &[u8]) -> Result<(), String> {
    let terminated = |max: usize| v.len() <= max && v.last() == Some(&0);
    let ok = match ty {
        TIPC_TLV_VOID => v.is_empty(),
        TIPC_TLV_UNSIGNED | TIPC_TLV_NET_ADDR | TIPC_TLV_PORT_REF => v.len() == 4,
        TIPC_TLV_STRING => v.len() <= 128,
        TIPC_TLV_LARGE_STRING => v.len() <= 2048,
        TIPC_TLV_ULTRA_STRING => true,
        TIPC_TLV_ERROR_STRING => !v.is_empty() && terminated(128),
        TIPC_TLV_MEDIA_NAME => terminated(MAX_MEDIA_NAME),
        TIPC_TLV_BEARER_NAME => terminated(MAX_BEARER_NAME),
        TIPC_TLV_LINK_NAME => terminated(MAX_LINK_NAME),
        TIPC_TLV_NODE_INFO => v.len() == NODE_INFO_LEN && be32(v, 4) <= 1,
        TIPC_TLV_LINK_INFO => v.len() == LINK_INFO_LEN && be32(v, 4) <= 1 && v[8..].contains(&0),
        TIPC_TLV_BEARER_CONFIG => v.len() == BEARER_CONFIG_LEN,
        TIPC_TLV_LINK_CONFIG => v.len() == LINK_CONFIG_LEN,
        TIPC_TLV_NAME_TBL_QUERY => v.len() == NAME_TBL_QUERY_LEN,
        _ => return Err(format!("unknown TLV type {ty}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("TLV type {ty} with a bad {}-byte value", v.len()))
    }
}

/// Parses a TLV area strictly: every TLV whole, `tlv_len` at least 4 and
/// within the area, zero padding to a multiple of 4, values of the size
/// their type has, an error string only on its own.
///
/// One exception is the compat layer's text replies: its `tlv_sprintf()`
/// sets `tlv_len` of the `ULTRA_STRING` it builds to the length of the text
/// alone and adds no padding.  An `ULTRA_STRING` whose `tlv_len` plus 4 is
/// exactly the rest of the area is read that way (a regular TLV can never
/// have that shape: it would need `align4(len) == len + 4`).
pub fn parse_tlvs(area: &[u8]) -> Result<Vec<Tlv>, String> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < area.len() {
        let rem = area.len() - off;
        if rem < TLV_HDR_LEN {
            return Err(format!("{rem} stray bytes at offset {off}"));
        }
        let len = be16(area, off) as usize;
        let ty = be16(area, off + 2);
        if ty == TIPC_TLV_ULTRA_STRING && len + TLV_HDR_LEN == rem {
            out.push(Tlv::new(ty, &area[off + TLV_HDR_LEN..]));
            break;
        }
        if len < TLV_HDR_LEN || len > rem {
            return Err(format!(
                "TLV at offset {off}: tlv_len {len} with {rem} bytes left"
            ));
        }
        let space = align4(len);
        if space > rem {
            return Err(format!("TLV at offset {off}: padding missing"));
        }
        if area[off + len..off + space].iter().any(|&c| c != 0) {
            return Err(format!("TLV at offset {off}: padding not zero"));
        }
        let value = &area[off + TLV_HDR_LEN..off + len];
        check_value(ty, value).map_err(|e| format!("offset {off}: {e}"))?;
        out.push(Tlv::new(ty, value));
        off += space;
    }
    if out.len() > 1 && out.iter().any(|t| t.ty == TIPC_TLV_ERROR_STRING) {
        return Err("an error string among other TLVs".into());
    }
    Ok(out)
}

/// An error reply: its code byte (if the text starts with one) and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorReply {
    pub code: Option<u8>,
    pub text: String,
}

/// The error carried by a TLV area, if it is one.
pub fn error_reply(area: &[u8]) -> Option<ErrorReply> {
    let tlvs = parse_tlvs(area).ok()?;
    match &tlvs[..] {
        [t] if t.ty == TIPC_TLV_ERROR_STRING => {
            let (code, rest) = match t.value.first() {
                Some(&c) if c >= 0x80 => (Some(c), &t.value[1..]),
                _ => (None, &t.value[..]),
            };
            let end = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
            Some(ErrorReply {
                code,
                text: String::from_utf8_lossy(&rest[..end]).into_owned(),
            })
        }
        _ => None,
    }
}

/// The TLV area of a reply to `request`, checked as [`reply_to`] and
/// [`parse_tlvs`] do.
pub fn tlv_area(request: &[u8], reply: &[u8]) -> Result<Vec<u8>, String> {
    let area = reply_to(request, reply)?;
    parse_tlvs(area)?;
    Ok(area.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_counts_padding() {
        let r = encode_request(
            TIPC_CMD_SHOW_LINK_STATS,
            Some(&Tlv::link_name("ab").unwrap()),
        );
        assert_eq!(r.len(), 24);
        assert_eq!(&r[..8], &[0, 0, 0, 24, 0, 0x0b, 0, 1]);
        assert_eq!(&r[16..], &[0, 7, 0, 20, b'a', b'b', 0, 0]);
    }

    #[test]
    fn compat_ultra_string() {
        let mut a = vec![0, 3, 0, 5];
        a.extend(b"abc");
        let t = parse_tlvs(&a).unwrap();
        assert_eq!(t, vec![Tlv::new(TIPC_TLV_ULTRA_STRING, b"abc")]);
        assert_eq!(parse_tlvs(&[0, 0, 0, 5]).unwrap()[0].value, b"");
    }

    #[test]
    fn strict_lists() {
        let n = Tlv::new(TIPC_TLV_NODE_INFO, &[0, 0, 0, 1, 0, 0, 0, 1]).encode();
        assert_eq!(
            parse_tlvs(&[n.clone(), n.clone()].concat()).unwrap().len(),
            2
        );
        assert!(parse_tlvs(&n[..11]).is_err());
        let e = Tlv::new(TIPC_TLV_ERROR_STRING, b"\x80\0").encode();
        assert_eq!(e, vec![0, 6, 0, 16, 0x80, 0, 0, 0]);
        assert_eq!(error_reply(&e).unwrap().code, Some(0x80));
        assert!(parse_tlvs(&[e, n].concat()).is_err());
    }

    #[test]
    fn reply_copies_header() {
        let req = encode_request(TIPC_CMD_NOOP, None);
        let mut rep = req.clone();
        rep[7] = 0;
        assert!(reply_to(&req, &rep).is_ok());
        assert!(reply_to(&req, &req).is_err());
        assert!(reply_to(&req[..3], &rep).is_ok());
        rep[5] = 1;
        assert!(reply_to(&req, &rep).is_err());
    }
}
