// SPDX-License-Identifier: GPL-2.0
//! Replies as text, and the text forms of addresses and bytes.

use super::*;
use crate::{addr_string, tipc_addr};
use std::fmt::Write;

/// What an error code byte means.
pub fn error_message(code: u8) -> &'static str {
    match code {
        TIPC_CFG_TLV_ERROR => "malformed request",
        TIPC_CFG_NOT_NET_ADMIN => "command not allowed for this requester",
        TIPC_CFG_NOT_ZONE_MSTR => "must be zone master",
        TIPC_CFG_NO_REMOTE => "remote management disabled",
        TIPC_CFG_NOT_SUPPORTED => "command not supported",
        TIPC_CFG_INVALID_VALUE => "invalid value",
        _ => "unknown error code",
    }
}

fn up(v: &[u8]) -> &'static str {
    if v[4..8] == [0, 0, 0, 0] {
        "down"
    } else {
        "up"
    }
}

/// One line (or block) per TLV of a reply; an empty reply gives "".
pub fn format_tlvs(area: &[u8]) -> Result<String, String> {
    let mut s = String::new();
    for t in parse_tlvs(area)? {
        let v = &t.value;
        match t.ty {
            TIPC_TLV_NODE_INFO => {
                let a = u32::from_be_bytes([v[0], v[1], v[2], v[3]]);
                let _ = writeln!(s, "<{}>: {}", addr_string(a), up(v));
            }
            TIPC_TLV_LINK_INFO => {
                let name = Tlv::new(0, &v[8..]).text();
                let _ = writeln!(s, "{name}: {}", up(v));
            }
            TIPC_TLV_MEDIA_NAME | TIPC_TLV_BEARER_NAME | TIPC_TLV_LINK_NAME => {
                let _ = writeln!(s, "{}", t.text());
            }
            TIPC_TLV_STRING | TIPC_TLV_LARGE_STRING | TIPC_TLV_ULTRA_STRING => {
                let text = t.text();
                s.push_str(&text);
                if !text.is_empty() && !text.ends_with('\n') {
                    s.push('\n');
                }
            }
            TIPC_TLV_UNSIGNED | TIPC_TLV_PORT_REF => {
                let _ = writeln!(s, "{}", t.u32().unwrap_or(0));
            }
            TIPC_TLV_NET_ADDR => {
                let _ = writeln!(s, "<{}>", addr_string(t.u32().unwrap_or(0)));
            }
            TIPC_TLV_ERROR_STRING => {
                let e = error_reply(area).ok_or("bad error string")?;
                match e.code {
                    Some(c) => {
                        let _ = write!(s, "error {c:#04x}: {}", error_message(c));
                        // As tipc-config does: the rest follows the code's
                        // words, and carries its own separator.
                        if e.text.starts_with(' ') {
                            s.push_str(&e.text);
                        } else if !e.text.is_empty() {
                            let _ = write!(s, ": {}", e.text);
                        }
                        s.push('\n');
                    }
                    None => {
                        let _ = writeln!(s, "error: {}", e.text);
                    }
                }
            }
            ty => {
                let _ = writeln!(s, "TLV {ty}: {}", hex(v));
            }
        }
    }
    Ok(s)
}

/// The text of a reply that is exactly one `ULTRA_STRING`.
pub fn ultra_string(area: &[u8]) -> Result<String, String> {
    match &parse_tlvs(area)?[..] {
        [t] if t.ty == TIPC_TLV_ULTRA_STRING => Ok(t.text()),
        other => Err(format!("expected one ULTRA_STRING, got {other:?}")),
    }
}

/// Bytes as lowercase hex, no separators.
pub fn hex(b: &[u8]) -> String {
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, c| {
            let _ = write!(s, "{c:02x}");
            s
        })
}

/// Hex (an even number of digits, optionally starting with 0x) as bytes.
pub fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// A node address as `z.c.n`, `0xHEX` or decimal.
pub fn parse_node(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x") {
        return u32::from_str_radix(h, 16).ok();
    }
    let parts: Vec<&str> = s.split('.').collect();
    match parts[..] {
        [one] => one.parse().ok(),
        [z, c, n] => {
            let (z, c, n): (u32, u32, u32) = (z.parse().ok()?, c.parse().ok()?, n.parse().ok()?);
            (z <= 0xff && c <= 0xfff && n <= 0xfff).then(|| tipc_addr(z, c, n))
        }
        _ => None,
    }
}

/// `s` with every run of decimal digits replaced by one `#` (statistics
/// taken at different moments compare equal that way).
pub fn normalize_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_run = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_run {
                out.push('#');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_and_digits() {
        assert_eq!(parse_node("1.1.2"), Some(0x0100_1002));
        assert_eq!(parse_node("0x1001002"), Some(0x0100_1002));
        assert_eq!(parse_node("16781314"), Some(0x0100_1002));
        assert_eq!(parse_node("1.1"), None);
        assert_eq!(normalize_digits("RX 12 a3:45"), "RX # a#:#");
        assert_eq!(parse_hex("0x00ff"), Some(vec![0, 255]));
        assert_eq!(hex(&[1, 0xab]), "01ab");
    }

    #[test]
    fn formats() {
        let mut a = Tlv::new(TIPC_TLV_NODE_INFO, &[1, 0, 16, 2, 0, 0, 0, 1]).encode();
        a.extend(Tlv::new(TIPC_TLV_MEDIA_NAME, b"eth\0").encode());
        assert_eq!(format_tlvs(&a).unwrap(), "<1.1.2>: up\neth\n");
        let e = Tlv::new(TIPC_TLV_ERROR_STRING, b"\x83no remote\0").encode();
        assert_eq!(
            format_tlvs(&e).unwrap(),
            "error 0x83: remote management disabled: no remote\n"
        );
        let e = Tlv::new(TIPC_TLV_ERROR_STRING, b"\x83 (off)\0").encode();
        assert_eq!(
            format_tlvs(&e).unwrap(),
            "error 0x83: remote management disabled (off)\n"
        );
    }
}
