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
pub fn parse_v6(text: &[u8]) -> Option<u128> {
    if text.contains(&b'%') {
        return None;
    }
    let gap = find_double_colon(text, 0);
    let mut groups = [0u16; 8];
    match gap {
        None => {
            if parse_groups(text, true, &mut groups)? != 8 {
                return None;
            }
        }
        Some(gap) => {
            if find_double_colon(text, gap + 1).is_some() {
                return None;
            }
            let mut head = [0u16; 8];
            let mut tail = [0u16; 8];
            let head_len = if gap > 0 {
                parse_groups(&text[..gap], false, &mut head)?
            } else {
                0
            };
            let rest = &text[gap + 2..];
            let tail_len = if rest.is_empty() {
                0
            } else {
                parse_groups(rest, true, &mut tail)?
            };
            if head_len + tail_len > 7 {
                return None;
            }
            groups[..head_len].copy_from_slice(&head[..head_len]);
            groups[8 - tail_len..].copy_from_slice(&tail[..tail_len]);
        }
    }
    Some(groups.iter().fold(0u128, |acc, &g| (acc << 16) | u128::from(g)))
}

fn find_double_colon(text: &[u8], from: usize) -> Option<usize> {
    text.get(from..)?
        .windows(2)
        .position(|w| w == b"::")
        .map(|at| at + from)
}

/// Fill `out` with the groups of a `:`-separated run; return how many.
/// More than eight groups is a rejection (the caller's count check would
/// reject them anyway).
fn parse_groups(text: &[u8], last: bool, out: &mut [u16; 8]) -> Option<usize> {
    let mut count = 0;
    let pieces = text.split(|&b| b == b':');
    let total = text.iter().filter(|&&b| b == b':').count() + 1;
    for (index, piece) in pieces.enumerate() {
        if (1..=4).contains(&piece.len()) && piece.iter().all(u8::is_ascii_hexdigit) {
            if count == 8 {
                return None;
            }
            out[count] = piece.iter().fold(0u16, |acc, &b| (acc << 4) | hex_value(b));
            count += 1;
            continue;
        }
        if last && index == total - 1 && piece.contains(&b'.') {
            let v4 = parse_v4(piece)?;
            if count > 6 {
                return None;
            }
            out[count] = (v4 >> 16) as u16;
            out[count + 1] = v4 as u16;
            return Some(count + 2);
        }
        return None;
    }
    Some(count)
}

fn hex_value(b: u8) -> u16 {
    match b {
        b'0'..=b'9' => u16::from(b - b'0'),
        b'a'..=b'f' => u16::from(b - b'a' + 10),
        _ => u16::from(b - b'A' + 10),
    }
}

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
