//! `merge`, `exclude` and `intersect` of plain prefix lists (see
//! `plainlist`): interval union, difference and intersection on sorted
//! `u32`/`u128` intervals, and the minimal prefixes of the result.
//!
//! Small inputs (a full routing table) are parsed, sorted and united on the
//! calling thread: starting the thread pool and the workers' spinning for
//! work cost more CPU time than they save on a job of tens of milliseconds.
//! Larger ones are cut into pieces parsed, sorted and united on all cores,
//! each joined into the union so far as soon as it is done: memory follows
//! the union, not the lines read.

use rayon::prelude::*;

use crate::plainlist::{parse_piece_into, pieces, v4_last, v4_network, v6_last, PrefixSink, V4Key, V6Key};
use crate::prefixtext::push_prefix;
use crate::radix;

/// Both families' inclusive intervals.
#[derive(Debug, Default)]
pub struct Intervals {
    pub v4: Vec<(u32, u32)>,
    pub v6: Vec<(u128, u128)>,
}

/// Join sorted intervals that overlap or touch.
fn join<T: Ord + Copy + Successor>(sorted: impl Iterator<Item = (T, T)>, capacity: usize) -> Vec<(T, T)> {
    let mut out: Vec<(T, T)> = Vec::with_capacity(capacity);
    for (first, last) in sorted {
        match out.last_mut() {
            Some(prev) if prev.1.successor().is_none_or(|next| first <= next) => prev.1 = prev.1.max(last),
            _ => out.push((first, last)),
        }
    }
    out.shrink_to_fit();
    out
}

/// Two sorted sequences of intervals as one, in order of their first address.
fn merge_by_first<T: Ord + Copy>(
    a: impl Iterator<Item = (T, T)>,
    b: impl Iterator<Item = (T, T)>,
) -> impl Iterator<Item = (T, T)> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y.0 < x.0 => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// The union of two united lists.
fn join_two<T: Ord + Copy + Successor>(a: &[(T, T)], b: &[(T, T)]) -> Vec<(T, T)> {
    join(
        merge_by_first(a.iter().copied(), b.iter().copied()),
        a.len() + b.len(),
    )
}

/// The prefixes of some text as set algebra sorts them. An IPv6 network
/// with only its top 56 bits set (any prefix of /56 or wider: nearly all of
/// a routing table) packs with its length into one `u64`, which sorts in a
/// few radix passes over a quarter of the bytes of the full key; the
/// others keep the full key.
#[derive(Debug, Default)]
struct SortKeys {
    v4: Vec<V4Key>,
    v6_packed: Vec<u64>,
    v6_full: Vec<V6Key>,
}

/// The network bits a packed IPv6 key keeps; the low byte holds the length.
const PACKED_NETWORK: u64 = !0xFF;

impl PrefixSink for SortKeys {
    #[inline]
    fn push_v4(&mut self, key: V4Key) {
        self.v4.push(key);
    }

    #[inline]
    fn push_v6(&mut self, (network, length): V6Key) {
        let high = (network >> 64) as u64;
        if network as u64 == 0 && high & !PACKED_NETWORK == 0 {
            // As numbers these order as the full keys do: by network, then wider first.
            self.v6_packed.push(high | u64::from(length));
        } else {
            self.v6_full.push((network, length));
        }
    }
}

impl SortKeys {
    /// Sorted and united.
    fn unite(mut self) -> Intervals {
        // The union needs intervals in order of their first address only:
        // the length byte of the keys needs no pass.
        radix::sort_above(&mut self.v4, 1);
        radix::sort_above(&mut self.v6_packed, 1);
        // Comparing two 17-byte keys beats counting all 17 bytes of each.
        self.v6_full.sort_unstable();
        let v4 = join(
            self.v4.iter().map(|&k| (v4_network(k), v4_last(k))),
            self.v4.len(),
        );
        let packed = self.v6_packed.iter().map(|&key| {
            let network = u128::from(key & PACKED_NETWORK) << 64;
            (network, v6_last((network, key as u8)))
        });
        let capacity = self.v6_packed.len() + self.v6_full.len();
        let v6 = if self.v6_full.is_empty() {
            join(packed, capacity)
        } else {
            let full = self.v6_full.iter().map(|&k| (k.0, v6_last(k)));
            join(merge_by_first(packed, full), capacity)
        };
        Intervals { v4, v6 }
    }
}

/// One piece of plain text, parsed, sorted and united.
fn unite_piece(piece: &[u8]) -> Option<Intervals> {
    let mut keys = SortKeys::default();
    parse_piece_into(piece, &mut keys)?;
    Some(keys.unite())
}

impl Intervals {
    fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    fn join(self, other: Intervals) -> Intervals {
        Intervals {
            v4: join_two(&self.v4, &other.v4),
            v6: join_two(&self.v6, &other.v6),
        }
    }
}

/// Push a piece's union on a stack of unions waiting to be joined, each at
/// least twice the size of the one above it (a binary counter): every
/// interval is joined O(log n) times, and the stack holds at most about
/// twice the union of what it has seen.
fn push_union(mut stack: Vec<Intervals>, next: Intervals) -> Vec<Intervals> {
    stack.push(next);
    while let [.., below, top] = stack.as_slice() {
        if below.len() > 2 * top.len() {
            break;
        }
        let top = stack.pop().expect("two on the stack");
        let below = stack.pop().expect("two on the stack");
        stack.push(below.join(top));
    }
    stack
}

fn collapse(stack: Vec<Intervals>) -> Intervals {
    stack
        .into_iter()
        .rev()
        .reduce(|joined, next| next.join(joined))
        .unwrap_or_default()
}

/// Sort and join overlapping or adjacent intervals.
pub fn union<T: Ord + Copy + Successor>(mut items: Vec<(T, T)>) -> Vec<(T, T)> {
    items.sort_unstable();
    join(items.into_iter(), 0)
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
        // The largest block aligned at `at` that does not pass `last`: as
        // wide as the alignment allows, and no wider than what is left.
        let aligned = if at == 0 {
            bits
        } else {
            at.trailing_zeros().min(bits)
        };
        let fits = (last - at)
            .checked_add(1)
            .map_or(128, |left| 127 - left.leading_zeros());
        let size_log = aligned.min(fits);
        out.push((at, bits - size_log));
        let span = u128::MAX.checked_shr(128 - size_log).unwrap_or(0);
        match at.checked_add(span) {
            Some(end) if end < last => at = end + 1,
            _ => return,
        }
    }
}

/// Output is handed out in blocks of about this size.
const OUTPUT_BLOCK: usize = 1 << 20;

/// Up to this many bytes of text, one thread parses, sorts and unites it
/// all: measured on the full IPv6 table (5 MB), two workers took as long
/// in wall time as one and a fifth more CPU time.
pub const ONE_THREAD_BYTES: usize = 8 << 20;

/// The merged intervals of plain prefix text, or `None` when a line is not
/// a plain prefix or address.
pub fn merge_intervals(chunks: &[&[u8]]) -> Option<Intervals> {
    let bytes = chunks.iter().map(|chunk| chunk.len()).sum::<usize>();
    if bytes <= ONE_THREAD_BYTES {
        // Room for every line of a dotted-quad list and most of an IPv6 one,
        // so the keys are never copied to grow; pages never written cost nothing.
        let mut keys = SortKeys {
            v4: Vec::with_capacity(bytes / 8),
            v6_packed: Vec::with_capacity(bytes / 16),
            v6_full: Vec::new(),
        };
        for chunk in chunks {
            parse_piece_into(chunk, &mut keys)?;
        }
        return Some(keys.unite());
    }
    pieces(chunks)
        .par_iter()
        .try_fold(Vec::new, |stack, piece| {
            Some(push_union(stack, unite_piece(piece)?))
        })
        .map(|stack| stack.map(collapse))
        .try_reduce(Intervals::default, |a, b| Some(a.join(b)))
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
            push_prefix(&mut out, network, length, bits);
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
    let bytes = |chunks: &[&[u8]]| chunks.iter().map(|chunk| chunk.len()).sum::<usize>();
    let (a, b) = if bytes(left) + bytes(right) <= ONE_THREAD_BYTES {
        (merge_intervals(left), merge_intervals(right))
    } else {
        rayon::join(|| merge_intervals(left), || merge_intervals(right))
    };
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
    fn cover_is_minimal_against_brute_force() {
        // The greedy walk with one-step shrinking, kept as the reference.
        fn reference(first: u32, last: u32) -> Vec<(u128, u32)> {
            let mut out = Vec::new();
            let mut at = u64::from(first);
            while at <= u64::from(last) {
                let mut size_log = if at == 0 { 32 } else { at.trailing_zeros().min(32) };
                while at + (1u64 << size_log) - 1 > u64::from(last) {
                    size_log -= 1;
                }
                out.push((u128::from(at), 32 - size_log));
                at += 1u64 << size_log;
            }
            out
        }
        let mut seed = 77u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let (x, y) = ((seed >> 3) as u32, (seed >> 35) as u32 >> (seed % 32));
            let (first, last) = (x.min(x.wrapping_add(y)), x.max(x.wrapping_add(y)));
            let mut out = Vec::new();
            cover(u128::from(first), u128::from(last), 32, &mut out);
            assert_eq!(out, reference(first, last), "{first} {last}");
        }
        let mut out = Vec::new();
        cover(0, u128::MAX, 128, &mut out);
        cover(1, u128::MAX, 128, &mut out);
        assert_eq!(out[0], (0, 0));
        assert_eq!(out.len(), 129);
        assert_eq!(out[128], (1u128 << 127, 1));
    }

    #[test]
    fn many_pieces_join_to_the_union_of_all() {
        let mut seed = 3u64;
        let mut text = String::new();
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for _ in 0..250_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let length = 12 + (seed % 21) as u32;
            let host = u32::MAX.checked_shr(length).unwrap_or(0);
            let network = (seed >> 20) as u32 & !host;
            text.push_str(&format!(
                "{}.{}.{}.{}/{length}\n",
                network >> 24,
                (network >> 16) & 255,
                (network >> 8) & 255,
                network & 255
            ));
            v4.push((network, network | host));
            if seed.is_multiple_of(8) {
                let wide = u128::from(seed) << 64;
                text.push_str(&format!("{:x}::/64\n", wide >> 112));
                let network = wide & (u128::MAX << 112);
                v6.push((network, network | (u128::MAX >> 64)));
            }
        }
        assert!(text.len() > 3 << 20, "several pieces");
        let merged = merge_intervals(&[text.as_bytes()]).unwrap();
        assert_eq!(merged.v4, union(v4));
        assert_eq!(merged.v6, union(v6));
    }

    #[test]
    fn packed_and_full_ipv6_keys_unite_as_one_list() {
        // Lengths on both sides of the packed key's 56 bits, nested and
        // overlapping, on the one-thread path and the parallel one.
        for (count, seed) in [(3_000, 21u64), (400_000, 8)] {
            let mut seed = seed;
            let mut text = String::new();
            let mut reference = Vec::new();
            for _ in 0..count {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let length = [48, 55, 56, 57, 63, 64, 65, 100, 127, 128][(seed % 10) as usize];
                // Some thousands of /48s, so that prefixes nest and touch.
                let top = (0x2001_0db8u128 << 96) | u128::from(seed >> 48) << 80;
                let bits = top | u128::from(seed.rotate_left(29)) << 16 | u128::from(seed as u16);
                let network = bits & !(u128::MAX.checked_shr(length).unwrap_or(0));
                let mut line = Vec::new();
                push_prefix(&mut line, network, length, 128);
                text.push_str(std::str::from_utf8(&line).unwrap());
                text.push('\n');
                reference.push((network, v6_last((network, length as u8))));
            }
            if count > 100_000 {
                assert!(text.len() > ONE_THREAD_BYTES, "the parallel path");
            }
            let merged = merge_intervals(&[text.as_bytes()]).unwrap();
            let expected = union(reference);
            assert!(expected.len() > count / 20, "{count}: apart ({})", expected.len());
            assert_eq!(merged.v6, expected, "{count}");
        }
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
}
