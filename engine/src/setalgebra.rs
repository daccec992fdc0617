//! `cidrkit merge` on plain prefix lists: strict parsing, interval union,
//! minimal prefixes and RFC 5952 text, for inputs whose every line is a
//! plain prefix or address. Anything else (comments, ranges, blanks inside
//! a line, errors) is declined, and the Python path handles the whole input
//! with its messages.

use rayon::prelude::*;

use crate::addr::{parse_v4, parse_v6};
use crate::lines::split_at_lines;
use crate::output::push_number;

/// Both families' inclusive intervals.
#[derive(Debug, Default)]
pub struct Intervals {
    pub v4: Vec<(u32, u32)>,
    pub v6: Vec<(u128, u128)>,
}

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

/// Parse one line as a strict prefix or bare address into `into`; false
/// declines it (the Python path decides what it is).
fn parse_line(line: &[u8], into: &mut Intervals) -> bool {
    let (address, length) = match memchr::memchr(b'/', line) {
        Some(at) => (&line[..at], Some(&line[at + 1..])),
        None => (line, None),
    };
    if address.contains(&b':') {
        let Some(value) = parse_v6(address) else {
            return false;
        };
        let length = match length {
            None => 128,
            Some(text) => match parse_length(text, 128) {
                Some(length) => length,
                None => return false,
            },
        };
        let host = if length == 0 {
            u128::MAX
        } else {
            (1u128 << (128 - length)) - 1
        };
        if length < 128 && value & host != 0 {
            return false;
        }
        let last = if length == 128 { value } else { value | host };
        into.v6.push((value, last));
    } else {
        let Some(value) = parse_v4(address) else {
            return false;
        };
        let length = match length {
            None => 32,
            Some(text) => match parse_length(text, 32) {
                Some(length) => length,
                None => return false,
            },
        };
        let host = if length == 0 {
            u32::MAX
        } else {
            ((1u64 << (32 - length)) - 1) as u32
        };
        if value & host != 0 {
            return false;
        }
        into.v4.push((value, value | host));
    }
    true
}

/// Parse plain prefix lines (`\n` or `\r\n` ends, empty lines skipped), or
/// `None` when any line is something else.
pub fn parse_plain(text: &[u8]) -> Option<Intervals> {
    let pieces = split_at_lines(text, text.len().div_ceil(1 << 20));
    let parsed: Option<Vec<Intervals>> = pieces
        .par_iter()
        .map(|piece| {
            let mut into = Intervals::default();
            for line in piece.split(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if !line.is_empty() && !parse_line(line, &mut into) {
                    return None;
                }
            }
            Some(into)
        })
        .collect();
    let parsed = parsed?;
    // Exact sizes: growing by doubling could hold twice the intervals.
    let mut all = Intervals {
        v4: Vec::with_capacity(parsed.iter().map(|p| p.v4.len()).sum()),
        v6: Vec::with_capacity(parsed.iter().map(|p| p.v6.len()).sum()),
    };
    for part in parsed {
        all.v4.extend(part.v4);
        all.v6.extend(part.v6);
    }
    Some(all)
}

/// Sort and join overlapping or adjacent intervals.
pub fn union<T: Ord + Copy + Send + Successor>(mut items: Vec<(T, T)>) -> Vec<(T, T)> {
    items.par_sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(items.len() / 2);
    for (first, last) in items {
        match out.last_mut() {
            Some(prev) if prev.1.successor().is_none_or(|next| first <= next) => prev.1 = prev.1.max(last),
            _ => out.push((first, last)),
        }
    }
    out
}

/// `value + 1`, or None at the top of the family.
pub trait Successor: Sized {
    fn successor(self) -> Option<Self>;
}

impl Successor for u32 {
    fn successor(self) -> Option<u32> {
        self.checked_add(1)
    }
}

impl Successor for u128 {
    fn successor(self) -> Option<u128> {
        self.checked_add(1)
    }
}

/// The minimal prefixes covering `[first, last]`, in order, as (network, length).
fn cover(first: u128, last: u128, bits: u32, out: &mut Vec<(u128, u32)>) {
    let mut at = first;
    loop {
        // The largest block aligned at `at` that does not pass `last`.
        let mut size_log = if at == 0 {
            bits
        } else {
            at.trailing_zeros().min(bits)
        };
        while size_log > 0 {
            let span = if size_log == 128 {
                u128::MAX
            } else {
                (1u128 << size_log) - 1
            };
            if at.checked_add(span).is_some_and(|end| end <= last) {
                break;
            }
            size_log -= 1;
        }
        out.push((at, bits - size_log));
        let span = if size_log == 128 {
            u128::MAX
        } else {
            (1u128 << size_log) - 1
        };
        match at.checked_add(span) {
            Some(end) if end < last => at = end + 1,
            _ => return,
        }
    }
}

fn push_v4(out: &mut Vec<u8>, value: u32) {
    for (i, shift) in [24, 16, 8, 0].into_iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        push_number(out, u64::from((value >> shift) & 255));
    }
}

/// RFC 5952 text of an IPv6 value, as `cidrkit.core.text.format_v6` writes it.
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

/// Output is handed out in blocks of about this size.
const OUTPUT_BLOCK: usize = 1 << 20;

/// The merged intervals of plain prefix text, or `None` when a line is not
/// a plain prefix or address.
pub fn merge_intervals(chunks: &[&[u8]]) -> Option<Intervals> {
    let mut all = Intervals::default();
    for chunk in chunks {
        let part = parse_plain(chunk)?;
        if all.v4.is_empty() && all.v6.is_empty() {
            all = part;
        } else {
            all.v4.extend(part.v4);
            all.v6.extend(part.v6);
        }
    }
    let (v4, v6) = rayon::join(|| union(all.v4), || union(all.v6));
    Some(Intervals { v4, v6 })
}

/// Write `merged` as minimal prefixes, one per line, IPv4 first, calling
/// `emit` with blocks of text.
pub fn write_prefixes<E>(merged: &Intervals, mut emit: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
    let mut out = Vec::with_capacity(OUTPUT_BLOCK + 64);
    let mut prefixes = Vec::new();
    let families = merged
        .v4
        .iter()
        .map(|&(a, b)| (u128::from(a), u128::from(b), 32))
        .chain(merged.v6.iter().map(|&(a, b)| (a, b, 128)));
    for (first, last, bits) in families {
        prefixes.clear();
        cover(first, last, bits, &mut prefixes);
        for &(network, length) in &prefixes {
            if bits == 32 {
                push_v4(&mut out, network as u32);
            } else {
                push_v6(&mut out, network);
            }
            out.push(b'/');
            push_number(&mut out, u64::from(length));
            out.push(b'\n');
        }
        if out.len() >= OUTPUT_BLOCK {
            emit(&out)?;
            out.clear();
        }
    }
    if !out.is_empty() {
        emit(&out)?;
    }
    Ok(())
}

/// `a - b` of sorted, disjoint, non-adjacent intervals.
pub fn difference<T: Ord + Copy + Successor + Predecessor>(a: &[(T, T)], b: &[(T, T)]) -> Vec<(T, T)> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &(first, last) in a {
        let mut start = first;
        // Intervals of `b` ending before this one cannot touch it or later ones.
        while j < b.len() && b[j].1 < first {
            j += 1;
        }
        let mut k = j;
        let mut open = true;
        while k < b.len() && b[k].0 <= last {
            let (cut_first, cut_last) = b[k];
            if cut_first > start {
                out.push((start, cut_first.predecessor()));
            }
            match cut_last.successor() {
                Some(next) if cut_last < last => start = next.max(start),
                _ => {
                    open = false;
                    break;
                }
            }
            k += 1;
        }
        if open {
            out.push((start, last));
        }
    }
    out
}

/// `a & b` of sorted, disjoint intervals.
pub fn intersection<T: Ord + Copy>(a: &[(T, T)], b: &[(T, T)]) -> Vec<(T, T)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let first = a[i].0.max(b[j].0);
        let last = a[i].1.min(b[j].1);
        if first <= last {
            out.push((first, last));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `value - 1` (callers never ask it of zero).
pub trait Predecessor {
    fn predecessor(self) -> Self;
}

impl Predecessor for u32 {
    fn predecessor(self) -> u32 {
        self - 1
    }
}

impl Predecessor for u128 {
    fn predecessor(self) -> u128 {
        self - 1
    }
}

/// The set operation named `op` ("exclude" or "intersect") of two plain
/// prefix lists, merged; `None` when a line of either is not plain.
pub fn set_operation(op: &str, left: &[&[u8]], right: &[&[u8]]) -> Option<Intervals> {
    let (a, b) = rayon::join(|| merge_intervals(left), || merge_intervals(right));
    let (a, b) = (a?, b?);
    Some(match op {
        "exclude" => Intervals {
            v4: difference(&a.v4, &b.v4),
            v6: difference(&a.v6, &b.v6),
        },
        _ => Intervals {
            v4: intersection(&a.v4, &b.v4),
            v6: intersection(&a.v6, &b.v6),
        },
    })
}

/// The merged prefixes of plain prefix text as one buffer (see `write_prefixes`).
pub fn merge_text(chunks: &[&[u8]]) -> Option<Vec<u8>> {
    let merged = merge_intervals(chunks)?;
    let mut text = Vec::new();
    write_prefixes::<()>(&merged, |block| {
        text.extend_from_slice(block);
        Ok(())
    })
    .ok()?;
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(text: &str) -> Option<String> {
        merge_text(&[text.as_bytes()]).map(|out| String::from_utf8(out).unwrap())
    }

    #[test]
    fn merges_adjacent_and_nested_prefixes() {
        assert_eq!(
            merged("10.0.1.0/24\n10.0.0.0/24\r\n\n10.0.0.5\n0.0.0.0/1\n2001:db8::/33\n2001:db8:8000::/33\n::ffff:10.0.0.0/104\n").as_deref(),
            Some("0.0.0.0/1\n::ffff:10.0.0.0/104\n2001:db8::/32\n")
        );
        assert_eq!(merged("0.0.0.0/0\n::/0\n").as_deref(), Some("0.0.0.0/0\n::/0\n"));
        assert_eq!(
            merged("10.0.0.1\n10.0.0.2\n").as_deref(),
            Some("10.0.0.1/32\n10.0.0.2/32\n")
        );
    }

    #[test]
    fn declines_what_it_does_not_parse() {
        for text in [
            "10.0.0.5/24\n",
            "# c\n",
            "10.0.0.0 /8\n",
            "10.0.0.0/08\n",
            "10.0.0.1-10.0.0.2\n",
            "x\n",
        ] {
            assert_eq!(merged(text), None, "{text}");
        }
    }

    #[test]
    fn difference_and_intersection_against_brute_force() {
        let mut seed = 12345u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 64) as u32
        };
        for _ in 0..500 {
            let mut sides = Vec::new();
            for _ in 0..2 {
                let items: Vec<(u32, u32)> = (0..next() % 6)
                    .map(|_| {
                        let (x, y) = (next(), next());
                        (x.min(y), x.max(y))
                    })
                    .collect();
                sides.push(union(items));
            }
            let member = |set: &[(u32, u32)], v: u32| set.iter().any(|&(a, b)| a <= v && v <= b);
            let diff = union(difference(&sides[0], &sides[1]));
            let both = union(intersection(&sides[0], &sides[1]));
            for v in 0..64 {
                assert_eq!(member(&diff, v), member(&sides[0], v) && !member(&sides[1], v));
                assert_eq!(member(&both, v), member(&sides[0], v) && member(&sides[1], v));
            }
            assert_eq!(diff, difference(&sides[0], &sides[1]), "already normal");
        }
        assert_eq!(difference(&[(0, u32::MAX)], &[(5, u32::MAX)]), [(0, 4)]);
        assert_eq!(difference(&[(0u128, u128::MAX)], &[(0, 9)]), [(10, u128::MAX)]);
    }

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
    }
}
