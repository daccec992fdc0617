//! Strict address text verdicts, the same as the Python core's `parse_v4` and
//! `parse_v6` (`cidrkit/core/text.py`): a value for text the core accepts,
//! `None` for text it rejects. Nothing is allocated, so a rejected token
//! (a timestamp, a MAC address, a version string) costs only the bytes read.

/// Parse a dotted quad: four decimal octets of 1 to 3 digits, no leading
/// zero (ambiguous: octal to some tools), each at most 255.
pub fn parse_v4(text: &[u8]) -> Option<u32> {
    let mut value: u32 = 0;
    let mut parts = 0;
    for part in text.split(|&b| b == b'.') {
        parts += 1;
        if parts > 4 {
            return None;
        }
        value = (value << 8) | parse_octet(part)?;
    }
    (parts == 4).then_some(value)
}

fn parse_octet(part: &[u8]) -> Option<u32> {
    if part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
        return None;
    }
    let mut octet: u32 = 0;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        octet = octet * 10 + u32::from(b - b'0');
    }
    (octet <= 255).then_some(octet)
}

/// Parse IPv6 text in any RFC 4291 form: `::` at most once and standing for
/// at least one zero group, 1 to 4 hex digits per group, an optional dotted
/// quad as the last two groups. Zone indexes (`%eth0`) are rejected.
///
/// One pass over the bytes: groups before `::` fill the head, groups after
/// it the tail, and the tail is shifted into place at the end.
pub fn parse_v6(text: &[u8]) -> Option<u128> {
    let mut groups = [0u16; 8];
    let mut count = 0usize;
    let mut gap: Option<usize> = None;
    let mut pos = 0usize;
    let len = text.len();
    if text.starts_with(b"::") {
        gap = Some(0);
        pos = 2;
        if pos == len {
            return Some(0);
        }
    }
    loop {
        // One group: 1 to 4 hex digits, or a dotted quad ending the text.
        let start = pos;
        let mut value: u16 = 0;
        while pos < len && pos - start < 5 {
            let digit = HEX_VALUE[usize::from(text[pos])];
            if digit == NOT_HEX {
                break;
            }
            value = (value << 4) | u16::from(digit);
            pos += 1;
        }
        let digits = pos - start;
        if pos < len && text[pos] == b'.' {
            // Only the last piece may be a dotted quad; it takes two groups.
            let v4 = parse_v4(&text[start..])?;
            if count > 6 {
                return None;
            }
            groups[count] = (v4 >> 16) as u16;
            groups[count + 1] = v4 as u16;
            count += 2;
            break;
        }
        if digits == 0 || digits > 4 || count == 8 {
            return None;
        }
        groups[count] = value;
        count += 1;
        if pos == len {
            break;
        }
        if text[pos] != b':' {
            return None;
        }
        pos += 1;
        if pos < len && text[pos] == b':' {
            if gap.is_some() {
                return None;
            }
            gap = Some(count);
            pos += 1;
            if pos == len {
                break;
            }
        } else if pos == len {
            // A single trailing colon: an empty last group.
            return None;
        }
    }
    match gap {
        None if count == 8 => {}
        None => return None,
        Some(at) => {
            if count > 7 {
                return None;
            }
            let tail = count - at;
            groups.copy_within(at..count, 8 - tail);
            groups[at..8 - tail].fill(0);
        }
    }
    Some(groups.iter().fold(0u128, |acc, &g| (acc << 16) | u128::from(g)))
}

const NOT_HEX: u8 = 0xFF;

/// The value of a hex digit byte (either case), or `None`.
#[inline]
pub fn hex_digit(byte: u8) -> Option<u8> {
    let value = HEX_VALUE[usize::from(byte)];
    (value != NOT_HEX).then_some(value)
}

/// The value of each hex digit byte, `NOT_HEX` for other bytes: one load
/// per byte instead of three range tests.
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_verdicts() {
        assert_eq!(parse_v4(b"192.0.2.1"), Some(0xC000_0201));
        assert_eq!(parse_v4(b"0.0.0.0"), Some(0));
        assert_eq!(parse_v4(b"255.255.255.255"), Some(u32::MAX));
        for bad in [
            "010.0.0.1",
            "256.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "1.2.3.a",
            "",
            "1234.1.1.1",
        ] {
            assert_eq!(parse_v4(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn v6_verdicts() {
        assert_eq!(parse_v6(b"::"), Some(0));
        assert_eq!(parse_v6(b"::1"), Some(1));
        assert_eq!(parse_v6(b"2001:db8::"), Some(0x2001_0db8u128 << 96));
        assert_eq!(parse_v6(b"::ffff:10.0.0.1"), Some(0xffff_0a00_0001));
        assert_eq!(
            parse_v6(b"1:2:3:4:5:6:7:8"),
            Some(0x0001_0002_0003_0004_0005_0006_0007_0008)
        );
        assert_eq!(
            parse_v6(b"1:2:3:4:5:6:7::"),
            Some(0x0001_0002_0003_0004_0005_0006_0007_0000)
        );
        assert_eq!(
            parse_v6(b"1:2:3:4:5:6:1.2.3.4"),
            Some(0x0001_0002_0003_0004_0005_0006_0102_0304)
        );
        for bad in [
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":::",
            ":1::",
            "1:2:3:4:5:6:7:8::",
            "12:30:45",
            "2026:10:38:38",
            "1.2.3.4::",
            "::1.2.3",
            "fe80::1%eth0",
            "12345::",
            "::g",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::010.0.0.1",
        ] {
            assert_eq!(parse_v6(bad.as_bytes()), None, "{bad}");
        }
    }
}
