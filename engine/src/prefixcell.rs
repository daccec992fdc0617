//! A prefix cell of a lookup table read in one pass: a strict prefix or
//! bare address with nothing around it, host bits zero. Anything else is
//! `None`, for the Python parser to judge and word, so this reading may
//! only ever refuse more than the Python path does.

use memchr::memchr;

use crate::addr::{parse_v4, parse_v6};

/// A prefix read from a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    /// 32 or 128.
    pub bits: u8,
    pub network: u128,
    pub length: u8,
}

/// A strict prefix or bare address with nothing around it, host bits
/// zero; `None` for anything else (which the Python parser then judges).
pub fn parse_prefix_cell(cell: &[u8]) -> Option<Item> {
    if let Some((network, length)) = dotted_quad_prefix(cell) {
        let host_mask = u32::MAX.checked_shr(u32::from(length)).unwrap_or(0);
        return (network & host_mask == 0).then_some(Item {
            bits: 32,
            network: u128::from(network),
            length,
        });
    }
    let (address, length) = match memchr(b'/', cell) {
        Some(at) => (&cell[..at], Some(&cell[at + 1..])),
        None => (cell, None),
    };
    let (bits, value) = if address.contains(&b':') {
        (128u8, parse_v6(address)?)
    } else {
        (32u8, u128::from(parse_v4(address)?))
    };
    let length = match length {
        None => bits,
        Some(text) => parse_length(text, bits)?,
    };
    let host = u32::from(bits - length);
    let host_mask = if host == 0 { 0 } else { u128::MAX >> (128 - host) };
    (value & host_mask == 0).then_some(Item {
        bits,
        network: value,
        length,
    })
}

/// The common cell of a big table in one pass: a dotted quad and an
/// optional `/length`. `None` leaves the cell to the general reading,
/// which has the last word, so this may only ever refuse more.
#[inline]
fn dotted_quad_prefix(cell: &[u8]) -> Option<(u32, u8)> {
    let mut value = 0u32;
    let mut at = 0;
    for octet in 0..4 {
        let start = at;
        let mut part = 0u32;
        while at < cell.len() && at - start < 3 && cell[at].is_ascii_digit() {
            part = part * 10 + u32::from(cell[at] - b'0');
            at += 1;
        }
        let digits = at - start;
        if digits == 0 || part > 255 || (digits > 1 && cell[start] == b'0') {
            return None;
        }
        value = (value << 8) | part;
        if octet < 3 {
            if cell.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    match cell.get(at) {
        None => Some((value, 32)),
        Some(b'/') => Some((value, parse_length(&cell[at + 1..], 32)?)),
        Some(_) => None,
    }
}

/// `0`, or 1 to 3 digits without a leading zero, at most `bits`.
fn parse_length(text: &[u8], bits: u8) -> Option<u8> {
    if text.is_empty() || text.len() > 3 || (text.len() > 1 && text[0] == b'0') {
        return None;
    }
    let mut value = 0u32;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    (value <= u32::from(bits)).then_some(value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_cells_are_strict() {
        let v4 = |network: u32, length| {
            Some(Item {
                bits: 32,
                network: u128::from(network),
                length,
            })
        };
        assert_eq!(parse_prefix_cell(b"10.0.0.0/8"), v4(0x0A00_0000, 8));
        assert_eq!(parse_prefix_cell(b"10.0.0.1"), v4(0x0A00_0001, 32));
        assert_eq!(parse_prefix_cell(b"0.0.0.0/0"), v4(0, 0));
        for bad in [
            "10.0.0.1/8",
            "10.0.0.0/08",
            "10.0.0.0/33",
            "10.0.0.0/",
            " 10.0.0.0/8",
            "10.0.0.0/255.0.0.0",
        ] {
            assert_eq!(parse_prefix_cell(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(
            parse_prefix_cell(b"2001:db8::/32"),
            Some(Item {
                bits: 128,
                network: 0x2001_0db8u128 << 96,
                length: 32
            })
        );
        assert_eq!(parse_prefix_cell(b"2001:db8::1/32"), None);
        assert_eq!(parse_prefix_cell(b"::/0").map(|i| i.length), Some(0));
    }
}
