//! Canonical prefix text, byte for byte as `cidrkit.core.text` writes it:
//! dotted quads, and IPv6 in RFC 5952 form.

use crate::output::push_number;

/// Append a dotted quad.
#[inline]
pub fn push_v4(out: &mut Vec<u8>, value: u32) {
    for (i, shift) in [24, 16, 8, 0].into_iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        push_number(out, u64::from((value >> shift) & 255));
    }
}

/// Append the RFC 5952 text of an IPv6 value, as `cidrkit.core.text.format_v6` writes it.
pub fn push_v6(out: &mut Vec<u8>, value: u128) {
    if value >> 32 == 0xFFFF {
        // IPv4-mapped addresses keep the dotted tail (RFC 5952 section 5).
        out.extend_from_slice(b"::ffff:");
        push_v4(out, value as u32);
        return;
    }
    let groups: [u16; 8] = std::array::from_fn(|i| (value >> (112 - 16 * i)) as u16);
    // The longest run of two or more zero groups, the first on ties (4.2.3).
    let (mut best_at, mut best_len, mut run_at, mut run_len) = (0, 0, 0, 0);
    for (i, &group) in groups.iter().enumerate() {
        if group == 0 {
            if run_len == 0 {
                run_at = i;
            }
            run_len += 1;
            if run_len > best_len {
                (best_at, best_len) = (run_at, run_len);
            }
        } else {
            run_len = 0;
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut i = 0;
    while i < 8 {
        if best_len >= 2 && i == best_at {
            out.extend_from_slice(b"::");
            i += best_len;
            continue;
        }
        if i > 0 && !(best_len >= 2 && i == best_at + best_len) {
            out.push(b':');
        }
        let group = groups[i];
        let digits = (16 - group.leading_zeros()).div_ceil(4).max(1);
        for d in (0..digits).rev() {
            out.push(HEX[((group >> (4 * d)) & 15) as usize]);
        }
        i += 1;
    }
}

/// Append `network/length` of a family of `bits` (32 or 128).
#[inline]
pub fn push_prefix(out: &mut Vec<u8>, network: u128, length: u32, bits: u32) {
    if bits == 32 {
        push_v4(out, network as u32);
    } else {
        push_v6(out, network);
    }
    out.push(b'/');
    push_number(out, u64::from(length));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5952_text() {
        let text = |v: u128| {
            let mut out = Vec::new();
            push_v6(&mut out, v);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(0), "::");
        assert_eq!(text(1), "::1");
        assert_eq!(
            text(0x2001_0db8_0000_0000_0001_0000_0000_0001),
            "2001:db8::1:0:0:1"
        );
        assert_eq!(
            text(0x2001_0db8_0000_0001_0001_0001_0001_0001),
            "2001:db8:0:1:1:1:1:1"
        );
        assert_eq!(text(0x0001_0000_0000_0000_0000_0000_0000_0000), "1::");
        assert_eq!(text(0xffff_0a00_0001), "::ffff:10.0.0.1");
        let mut out = Vec::new();
        push_prefix(&mut out, 0xC000_0200, 24, 32);
        out.push(b' ');
        push_prefix(&mut out, 0, 0, 128);
        assert_eq!(out, b"192.0.2.0/24 ::/0");
    }
}
