//! Plain prefix lists: text whose every line is one strict prefix or bare
//! address (`\n` or `\r\n` ends, empty lines skipped), the input of
//! `merge`, `exclude`, `intersect` and `overlaps`. Anything else (comments,
//! ranges, blanks inside a line, errors) is declined, and the Python path
//! handles the whole input with its messages.
//!
//! Parsing is one pass per line with no allocation; the text is cut into
//! pieces of whole lines parsed on all cores, and each piece keeps its
//! items in input order.

use rayon::prelude::*;

use crate::addr::{hex_digit, parse_v6};
use crate::lines::split_at_lines;

/// An IPv4 prefix packed as `network << 8 | length`: sorting the keys sorts
/// by network, then wider first.
pub type V4Key = u64;

/// An IPv6 prefix as `(network, length)`; tuples sort by network, then wider first.
pub type V6Key = (u128, u8);

/// The prefixes of a piece of text, per family, in input order.
#[derive(Debug, Default)]
pub struct Items {
    pub v4: Vec<V4Key>,
    pub v6: Vec<V6Key>,
}

/// Where the parsed prefixes of a piece go: each user keeps them in the
/// form it sorts fastest.
pub trait PrefixSink {
    fn push_v4(&mut self, key: V4Key);
    fn push_v6(&mut self, key: V6Key);
}

impl PrefixSink for Items {
    #[inline]
    fn push_v4(&mut self, key: V4Key) {
        self.v4.push(key);
    }

    #[inline]
    fn push_v6(&mut self, key: V6Key) {
        self.v6.push(key);
    }
}

/// Pieces of about this many bytes are parsed on their own.
const PIECE_BYTES: usize = 1 << 20;

#[inline]
pub fn v4_key(network: u32, length: u32) -> V4Key {
    (u64::from(network) << 8) | u64::from(length)
}

#[inline]
pub fn v4_network(key: V4Key) -> u32 {
    (key >> 8) as u32
}

#[inline]
pub fn v4_length(key: V4Key) -> u32 {
    (key & 0xFF) as u32
}

/// The last address of an IPv4 prefix.
#[inline]
pub fn v4_last(key: V4Key) -> u32 {
    v4_network(key) | v4_host_mask(v4_length(key))
}

/// The last address of an IPv6 prefix.
#[inline]
pub fn v6_last((network, length): V6Key) -> u128 {
    network | v6_host_mask(u32::from(length))
}

#[inline]
fn v4_host_mask(length: u32) -> u32 {
    u32::MAX.checked_shr(length).unwrap_or(0)
}

#[inline]
fn v6_host_mask(length: u32) -> u128 {
    u128::MAX.checked_shr(length).unwrap_or(0)
}

/// A prefix length: 1 to 3 digits, no leading zero, at most `max`.
fn parse_length(text: &[u8], max: u32) -> Option<u32> {
    if text.is_empty()
        || text.len() > 3
        || (text.len() > 1 && text[0] == b'0')
        || !text.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let value = text.iter().fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
    (value <= max).then_some(value)
}

/// A dotted quad with an optional `/length`, read in one pass: the common
/// line of an IPv4 list. `None` for anything else, including IPv6.
#[inline]
fn parse_v4_line(line: &[u8]) -> Option<(u32, u32)> {
    let mut value: u32 = 0;
    let mut at = 0;
    for octet in 0..4 {
        let start = at;
        let mut part: u32 = 0;
        while at < line.len() && line[at].is_ascii_digit() && at - start < 3 {
            part = part * 10 + u32::from(line[at] - b'0');
            at += 1;
        }
        let digits = at - start;
        if digits == 0 || part > 255 || (digits > 1 && line[start] == b'0') {
            return None;
        }
        value = (value << 8) | part;
        if octet < 3 {
            if line.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    match line.get(at) {
        None => Some((value, 32)),
        Some(b'/') => Some((value, parse_length(&line[at + 1..], 32)?)),
        Some(_) => None,
    }
}

/// The common line of an IPv4 list read straight from the text: a dotted
/// quad with an optional `/length` at the start of `rest`, ended by `\n`,
/// `\r\n` or the end of the text. Returns the network, the length and the
/// bytes used (newline included); `None` leaves the line to `parse_line`,
/// which has the last word, so this may only ever refuse more.
#[inline]
fn v4_line_at(rest: &[u8]) -> Option<(u32, u32, usize)> {
    let digit = |at: usize| {
        rest.get(at)
            .filter(|b| b.is_ascii_digit())
            .map(|b| u32::from(b - b'0'))
    };
    let mut value: u32 = 0;
    let mut at = 0;
    for octet in 0..4 {
        let start = at;
        let mut part: u32 = 0;
        while at - start < 3 {
            let Some(d) = digit(at) else { break };
            part = part * 10 + d;
            at += 1;
        }
        let digits = at - start;
        if digits == 0 || part > 255 || (digits > 1 && rest[start] == b'0') {
            return None;
        }
        value = (value << 8) | part;
        if octet < 3 {
            if rest.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    let mut length = 32;
    if rest.get(at) == Some(&b'/') {
        at += 1;
        let start = at;
        length = 0;
        while at - start < 3 {
            let Some(d) = digit(at) else { break };
            length = length * 10 + d;
            at += 1;
        }
        let digits = at - start;
        if digits == 0 || length > 32 || (digits > 1 && rest[start] == b'0') {
            return None;
        }
    }
    match rest.get(at) {
        None => Some((value, length, at)),
        Some(b'\n') => Some((value, length, at + 1)),
        Some(b'\r') if rest.get(at + 1) == Some(&b'\n') => Some((value, length, at + 2)),
        Some(_) => None,
    }
}

/// The common line of an IPv6 list read straight from the text: hex groups
/// with at most one `::` and an optional `/length`, ended as `v4_line_at`'s
/// lines are. Returns the network, the length and the bytes used; `None`
/// (a dotted-quad tail, anything unusual) leaves the line to `parse_line`,
/// which has the last word, so this may only ever refuse more.
#[inline]
fn v6_line_at(rest: &[u8]) -> Option<(u128, u32, usize)> {
    // Groups before the `::` gather in `head`, those after it in `tail`.
    let (mut head, mut head_groups) = (0u128, 0u32);
    let (mut tail, mut tail_groups) = (0u128, 0u32);
    let mut gap = rest.starts_with(b"::");
    let mut at = if gap { 2 } else { 0 };
    let mut just_after_gap = gap;
    loop {
        let start = at;
        let mut group = 0u128;
        while at - start < 4 {
            let Some(digit) = rest.get(at).copied().and_then(hex_digit) else {
                break;
            };
            group = (group << 4) | u128::from(digit);
            at += 1;
        }
        if at == start {
            // Only `::` may stand before the end of the address.
            if just_after_gap {
                break;
            }
            return None;
        }
        if gap {
            tail = (tail << 16) | group;
            tail_groups += 1;
        } else {
            head = (head << 16) | group;
            head_groups += 1;
        }
        if head_groups + tail_groups > 8 {
            return None;
        }
        if rest.get(at) != Some(&b':') {
            break;
        }
        at += 1;
        just_after_gap = false;
        if rest.get(at) == Some(&b':') {
            if gap {
                return None;
            }
            gap = true;
            just_after_gap = true;
            at += 1;
        }
    }
    let network = match (gap, head_groups + tail_groups) {
        (false, 8) => head,
        (true, groups) if groups <= 7 => head.checked_shl(16 * (8 - head_groups)).unwrap_or(0) | tail,
        _ => return None,
    };
    let mut length = 128;
    if rest.get(at) == Some(&b'/') {
        at += 1;
        let start = at;
        length = 0;
        while at - start < 3 {
            let Some(digit) = rest.get(at).filter(|b| b.is_ascii_digit()) else {
                break;
            };
            length = length * 10 + u32::from(digit - b'0');
            at += 1;
        }
        let digits = at - start;
        if digits == 0 || length > 128 || (digits > 1 && rest[start] == b'0') {
            return None;
        }
    }
    match rest.get(at) {
        None => Some((network, length, at)),
        Some(b'\n') => Some((network, length, at + 1)),
        Some(b'\r') if rest.get(at + 1) == Some(&b'\n') => Some((network, length, at + 2)),
        Some(_) => None,
    }
}

/// Parse one line as a strict prefix or bare address into `into`; false
/// declines it (the Python path decides what it is).
#[inline]
fn parse_line(line: &[u8], into: &mut impl PrefixSink) -> bool {
    // Only IPv6 text has a colon, and no dotted quad does.
    if memchr::memchr(b':', line).is_none() {
        let Some((network, length)) = parse_v4_line(line) else {
            return false;
        };
        if network & v4_host_mask(length) != 0 {
            return false;
        }
        into.push_v4(v4_key(network, length));
        return true;
    }
    // A length is 1 to 3 digits, so its slash is among the last four
    // bytes; a slash anywhere else leaves the address unparsable.
    let tail_at = line.len().saturating_sub(4);
    let (address, length) = match memchr::memrchr(b'/', &line[tail_at..]) {
        Some(at) => {
            let Some(length) = parse_length(&line[tail_at + at + 1..], 128) else {
                return false;
            };
            (&line[..tail_at + at], length)
        }
        None => (line, 128),
    };
    // Text without a colon is no IPv6 address either.
    let Some(network) = parse_v6(address) else {
        return false;
    };
    if network & v6_host_mask(length) != 0 {
        return false;
    }
    into.push_v6((network, length as u8));
    true
}

/// Parse one piece of whole lines, or `None` when a line is not plain.
pub fn parse_piece(piece: &[u8]) -> Option<Items> {
    let mut items = Items::default();
    parse_piece_into(piece, &mut items)?;
    Some(items)
}

/// Parse one piece of whole lines into a sink of the caller's choosing, or
/// `None` when a line is not plain.
pub fn parse_piece_into(piece: &[u8], into: &mut impl PrefixSink) -> Option<()> {
    let mut start = 0;
    // Lists are mostly of one family: the reader of the last line's family
    // goes first, so an IPv6 line rarely pays for a failed dotted quad.
    let mut v6_first = false;
    while start < piece.len() {
        let rest = &piece[start..];
        if v6_first {
            if let Some(used) = read_v6_line(rest, into)? {
                start += used;
                continue;
            }
        }
        if let Some(used) = read_v4_line(rest, into)? {
            start += used;
            v6_first = false;
            continue;
        }
        if !v6_first {
            if let Some(used) = read_v6_line(rest, into)? {
                start += used;
                v6_first = true;
                continue;
            }
        }
        let end = memchr::memchr(b'\n', rest).map_or(piece.len(), |at| start + at);
        let line = &piece[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.is_empty() && !parse_line(line, into) {
            return None;
        }
        start = end + 1;
    }
    Some(())
}

/// The bytes of a common IPv4 line at the start of `rest` pushed to `into`:
/// `Some(None)` when it is not one, `None` when its host bits are set.
#[inline]
fn read_v4_line(rest: &[u8], into: &mut impl PrefixSink) -> Option<Option<usize>> {
    let Some((network, length, used)) = v4_line_at(rest) else {
        return Some(None);
    };
    if network & v4_host_mask(length) != 0 {
        return None;
    }
    into.push_v4(v4_key(network, length));
    Some(Some(used))
}

/// As `read_v4_line`, for a common IPv6 line.
#[inline]
fn read_v6_line(rest: &[u8], into: &mut impl PrefixSink) -> Option<Option<usize>> {
    let Some((network, length, used)) = v6_line_at(rest) else {
        return Some(None);
    };
    if network & v6_host_mask(length) != 0 {
        return None;
    }
    into.push_v6((network, length as u8));
    Some(Some(used))
}

/// `chunks` (whole inputs, one after another) cut into pieces of whole lines.
pub fn pieces<'a>(chunks: &[&'a [u8]]) -> Vec<&'a [u8]> {
    chunks
        .iter()
        .flat_map(|chunk| split_at_lines(chunk, chunk.len().div_ceil(PIECE_BYTES)))
        .collect()
}

/// Run `each` on every piece of `chunks` on all cores; the results come
/// back in input order, or `None` when any piece declined.
pub fn map_pieces<T: Send>(chunks: &[&[u8]], each: impl Fn(&[u8]) -> Option<T> + Sync) -> Option<Vec<T>> {
    pieces(chunks).par_iter().map(|piece| each(piece)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::parse_v4;

    fn parsed(text: &str) -> Option<Items> {
        parse_piece(text.as_bytes())
    }

    #[test]
    fn reads_both_families_in_input_order() {
        let items = parsed("10.0.1.0/24\r\n\n10.0.0.5\n0.0.0.0/0\n2001:DB8::/32\n::\n").unwrap();
        assert_eq!(
            items.v4,
            [v4_key(0x0A00_0100, 24), v4_key(0x0A00_0005, 32), v4_key(0, 0)]
        );
        assert_eq!(items.v6, [(0x2001_0db8u128 << 96, 32), (0, 128)]);
        assert_eq!(v4_last(v4_key(0x0A00_0000, 8)), 0x0AFF_FFFF);
        assert_eq!(v4_last(v4_key(0, 0)), u32::MAX);
        assert_eq!(v6_last((0, 0)), u128::MAX);
        assert_eq!(v6_last((7, 128)), 7);
    }

    #[test]
    fn declines_what_the_python_path_must_judge() {
        for text in [
            "10.0.0.5/24",
            "# c",
            "10.0.0.0 /8",
            "10.0.0.0/08",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.1-10.0.0.2",
            "010.0.0.0/8",
            "256.0.0.0/8",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.4/8/8",
            "1234.0.0.0",
            "x",
            "\u{e9}",
            "2001:db8::1/32",
            "2001:db8::/129",
            "fe80::1%eth0",
            "10.0.0.0/8\r\r",
            "10.0.0.0/8 ",
            "1/8",
        ] {
            assert!(parsed(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn the_fast_dotted_quad_reader_agrees_with_the_reference() {
        let mut seed = 99u64;
        let alphabet = b"0123456789./:x";
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 20) as usize;
            let line: Vec<u8> = (0..len)
                .map(|i| alphabet[((seed >> (i * 3)) % alphabet.len() as u64) as usize])
                .collect();
            let reference = match memchr::memchr(b'/', &line) {
                Some(at) => parse_v4(&line[..at]).zip(parse_length(&line[at + 1..], 32)),
                None => parse_v4(&line).map(|v| (v, 32)),
            };
            assert_eq!(
                parse_v4_line(&line),
                reference,
                "{:?}",
                String::from_utf8_lossy(&line)
            );
        }
        for line in [
            "1.2.3.4",
            "255.255.255.255/32",
            "0.0.0.0/0",
            "1.2.3.4/",
            "1.2.3.04",
            "1.2.3.4/00",
        ] {
            let line = line.as_bytes();
            let reference = match memchr::memchr(b'/', line) {
                Some(at) => parse_v4(&line[..at]).zip(parse_length(&line[at + 1..], 32)),
                None => parse_v4(line).map(|v| (v, 32)),
            };
            assert_eq!(parse_v4_line(line), reference);
        }
    }

    /// `parse_line`'s verdict on the line at the start of `rest`, as a reference.
    fn reference_line(rest: &[u8]) -> Option<Items> {
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = &rest[..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut items = Items::default();
        parse_line(line, &mut items).then_some(items)
    }

    #[test]
    fn the_fast_ipv6_line_reader_agrees_with_the_reference() {
        let mut seed = 5u64;
        let alphabet = b"0123456789abcdefABCDEF::::..//\r\n x";
        let mut accepted = 0;
        for _ in 0..300_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 44) as usize;
            let mut state = seed;
            let line: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    alphabet[((state >> 33) % alphabet.len() as u64) as usize]
                })
                .collect();
            let Some((network, length, used)) = v6_line_at(&line) else {
                continue;
            };
            accepted += 1;
            let shown = String::from_utf8_lossy(&line);
            let reference = reference_line(&line);
            if network & v6_host_mask(length) != 0 {
                assert!(reference.is_none(), "host bits: {shown:?}");
                continue;
            }
            let reference = reference.unwrap_or_else(|| panic!("{shown:?}"));
            assert_eq!(reference.v6, [(network, length as u8)], "{shown:?}");
            let line_end = memchr::memchr(b'\n', &line).map_or(line.len(), |at| at + 1);
            assert_eq!(used, line_end, "{shown:?}");
        }
        assert!(accepted > 1000, "the reader accepts common lines ({accepted})");
        // Every canonical address, with and without a length, is read here.
        let mut state = 11u64;
        for _ in 0..50_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let zeros = (state >> 58) as u32 * 2;
            let value = (u128::from(state) << 64 | u128::from(state.rotate_left(17))) >> zeros << zeros;
            if value >> 32 == 0xFFFF {
                continue;
            }
            let mut text = Vec::new();
            crate::prefixtext::push_v6(&mut text, value);
            let length = 128 - value.trailing_zeros().min(128);
            text.extend_from_slice(format!("/{length}\r\n").as_bytes());
            assert_eq!(v6_line_at(&text), Some((value, length, text.len())));
        }
    }
}
