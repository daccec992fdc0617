//! `cidrkit overlaps` on plain prefix lists: every overlapping pair, in the
//! order and words of the Python path (`cidrkit.core.pairs.sorted_overlaps`
//! and `cli/cmd_overlaps.py`).
//!
//! Items rank by family (IPv4 first), network, then wider first; equal
//! prefixes by input position, which cannot change the text since equal
//! prefixes print the same. Two prefixes overlap only when one holds the
//! other, so once sorted, the items paired with item `p` (as `b`, `p`
//! being `a`) are exactly the items after it up to the first one past its
//! last address: a contiguous run `p + 1 .. end(p)`. A stack sweep finds
//! every `end(p)`; pair `k` of the whole report is found from running pair
//! counts, so output blocks are rendered on all cores, in order, whatever
//! the shape of the nesting (one `/0` holding everything, or none).

use rayon::prelude::*;

use crate::plainlist::{map_pieces, parse_piece, v4_last, v4_length, v4_network, v6_last, Items};
use crate::prefixtext::push_prefix;
use crate::radix::{self, merge_sorted};

/// How the pairs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `A contains B` / `A and B are the same block`, one pair per line.
    Text,
    /// `json.dumps({"pairs": [...], "overlapping": ...}, indent=2)` and a newline.
    Json,
}

/// One family's items, sorted, with the text and the run of each.
struct Family {
    /// Canonical text of item `p`: `text[offsets[p]..offsets[p + 1]]`.
    text: Vec<u8>,
    offsets: Vec<usize>,
    /// Items `p + 1 .. ends[p]` lie inside item `p`.
    ends: Vec<usize>,
    /// Pairs before item `p`'s (`pairs_before[n]` is the family's total).
    pairs_before: Vec<u64>,
    /// Equal items share a class number.
    class: Vec<u32>,
}

impl Family {
    fn new<K: Copy + PartialEq + Sync>(
        keys: &[K],
        span: impl Fn(K) -> (u128, u128) + Sync,
        write: impl Fn(&mut Vec<u8>, K) + Sync,
    ) -> Family {
        let n = keys.len();
        let mut ends = vec![n; n];
        let mut open: Vec<usize> = Vec::new();
        for (q, &key) in keys.iter().enumerate() {
            let (start, _) = span(key);
            while let Some(&top) = open.last() {
                if span(keys[top]).1 >= start {
                    break;
                }
                ends[top] = q;
                open.pop();
            }
            open.push(q);
        }
        let mut pairs_before = Vec::with_capacity(n + 1);
        let mut total = 0u64;
        pairs_before.push(0);
        for (p, &end) in ends.iter().enumerate() {
            total += (end - p - 1) as u64;
            pairs_before.push(total);
        }
        let mut class = Vec::with_capacity(n);
        let mut current = 0u32;
        for (p, key) in keys.iter().enumerate() {
            if p > 0 && keys[p - 1] != *key {
                current += 1;
            }
            class.push(current);
        }
        // Texts are written in parallel pieces, then laid end to end.
        let pieces: Vec<(Vec<u8>, Vec<usize>)> = keys
            .par_chunks(1 << 16)
            .map(|chunk| {
                let mut text = Vec::with_capacity(chunk.len() * 20);
                let mut ends = Vec::with_capacity(chunk.len());
                for &key in chunk {
                    write(&mut text, key);
                    ends.push(text.len());
                }
                (text, ends)
            })
            .collect();
        let mut text = Vec::with_capacity(pieces.iter().map(|p| p.0.len()).sum());
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        for (piece, piece_ends) in pieces {
            let base = text.len();
            text.extend_from_slice(&piece);
            offsets.extend(piece_ends.into_iter().map(|end| base + end));
        }
        Family {
            text,
            offsets,
            ends,
            pairs_before,
            class,
        }
    }

    fn pairs(&self) -> u64 {
        self.pairs_before.last().copied().unwrap_or(0)
    }

    fn text_of(&self, p: usize) -> &[u8] {
        &self.text[self.offsets[p]..self.offsets[p + 1]]
    }

    /// Write the family's pairs `first .. stop`; `index` numbers them in the whole report.
    fn render(&self, first: u64, stop: u64, mut index: u64, style: Style, out: &mut Vec<u8>) {
        if first >= stop {
            return;
        }
        let mut p = self.pairs_before.partition_point(|&before| before <= first) - 1;
        let mut q = p + 1 + (first - self.pairs_before[p]) as usize;
        for _ in first..stop {
            while q >= self.ends[p] {
                p += 1;
                q = p + 1;
            }
            let (a, b, same) = (self.text_of(p), self.text_of(q), self.class[p] == self.class[q]);
            match style {
                Style::Text => {
                    out.extend_from_slice(a);
                    if same {
                        out.extend_from_slice(b" and ");
                        out.extend_from_slice(b);
                        out.extend_from_slice(b" are the same block\n");
                    } else {
                        out.extend_from_slice(b" contains ");
                        out.extend_from_slice(b);
                        out.push(b'\n');
                    }
                }
                Style::Json => {
                    if index > 0 {
                        out.extend_from_slice(b",\n");
                    }
                    out.extend_from_slice(b"    {\n      \"a\": \"");
                    out.extend_from_slice(a);
                    out.extend_from_slice(b"\",\n      \"b\": \"");
                    out.extend_from_slice(b);
                    out.extend_from_slice(if same {
                        b"\",\n      \"relation\": \"equal\"\n    }"
                    } else {
                        b"\",\n      \"relation\": \"a_contains_b\"\n    }"
                    });
                }
            }
            q += 1;
            index += 1;
        }
    }
}

/// The overlapping pairs of a plain prefix list, ready to be written.
pub struct Report {
    items: usize,
    families: [Family; 2],
}

/// Pairs per output block: blocks are rendered on all cores, a batch at a time.
const BLOCK_PAIRS: u64 = 1 << 14;
const BATCH_BLOCKS: u64 = 16;

fn sorted_piece(piece: &[u8]) -> Option<Items> {
    let mut items = parse_piece(piece)?;
    radix::sort(&mut items.v4);
    // Comparing two 17-byte keys beats counting all 17 bytes of each.
    items.v6.sort_unstable();
    Some(items)
}

/// Merge sorted pieces pairwise until one is left; ties keep input order.
fn merge_all(mut parts: Vec<Items>) -> Items {
    while parts.len() > 1 {
        parts = parts
            .into_par_iter()
            .chunks(2)
            .map(|pair| match pair.as_slice() {
                [a, b] => Items {
                    v4: merge_sorted(&a.v4, &b.v4),
                    v6: merge_sorted(&a.v6, &b.v6),
                },
                _ => pair.into_iter().next().expect("a chunk holds one or two"),
            })
            .collect();
    }
    parts.pop().unwrap_or_default()
}

impl Report {
    /// The report of plain prefix text, or `None` when a line is not a
    /// plain prefix or address.
    pub fn new(chunks: &[&[u8]]) -> Option<Report> {
        let items = merge_all(map_pieces(chunks, sorted_piece)?);
        let (v4, v6) = rayon::join(
            || {
                Family::new(
                    &items.v4,
                    |k| (u128::from(v4_network(k)), u128::from(v4_last(k))),
                    |out, k| push_prefix(out, u128::from(v4_network(k)), v4_length(k), 32),
                )
            },
            || {
                Family::new(
                    &items.v6,
                    |k| (k.0, v6_last(k)),
                    |out, k| push_prefix(out, k.0, u32::from(k.1), 128),
                )
            },
        );
        Some(Report {
            items: items.v4.len() + items.v6.len(),
            families: [v4, v6],
        })
    }

    /// Items read (a bare address counts as its /32 or /128).
    pub fn items(&self) -> usize {
        self.items
    }

    /// Overlapping pairs found.
    pub fn pairs(&self) -> u64 {
        self.families.iter().map(Family::pairs).sum()
    }

    /// Write every pair in `style`, calling `emit` with blocks of text in order.
    pub fn write<E>(&self, style: Style, mut emit: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        let total = self.pairs();
        if style == Style::Json {
            emit(if total == 0 {
                b"{\n  \"pairs\": [],\n  \"overlapping\": false\n}\n"
            } else {
                b"{\n  \"pairs\": [\n"
            })?;
            if total == 0 {
                return Ok(());
            }
        }
        let v4_pairs = self.families[0].pairs();
        let blocks = total.div_ceil(BLOCK_PAIRS);
        let mut block = 0;
        while block < blocks {
            let batch = block..(block + BATCH_BLOCKS).min(blocks);
            block = batch.end;
            let texts: Vec<Vec<u8>> = batch
                .into_par_iter()
                .map(|b| {
                    let (first, stop) = (b * BLOCK_PAIRS, ((b + 1) * BLOCK_PAIRS).min(total));
                    let mut out = Vec::with_capacity((BLOCK_PAIRS * 48) as usize);
                    self.families[0].render(first.min(v4_pairs), stop.min(v4_pairs), first, style, &mut out);
                    let v6_first = first.max(v4_pairs);
                    self.families[1].render(
                        v6_first - v4_pairs,
                        stop.max(v4_pairs) - v4_pairs,
                        v6_first,
                        style,
                        &mut out,
                    );
                    out
                })
                .collect();
            for text in &texts {
                emit(text)?;
            }
        }
        if style == Style::Json {
            emit(b"\n  ],\n  \"overlapping\": true\n}\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(text: &str, style: Style) -> Option<(usize, u64, String)> {
        let report = Report::new(&[text.as_bytes()])?;
        let mut out = Vec::new();
        report
            .write::<()>(style, |block| {
                out.extend_from_slice(block);
                Ok(())
            })
            .unwrap();
        Some((report.items(), report.pairs(), String::from_utf8(out).unwrap()))
    }

    #[test]
    fn pairs_in_the_order_people_read_them() {
        let text =
            "10.1.0.0/16\n2001:db8::/32\n10.0.0.0/8\n10.1.0.0/16\n192.0.2.1\n2001:DB8:0::1\n0.0.0.0/0\n";
        let (items, pairs, out) = report(text, Style::Text).unwrap();
        assert_eq!((items, pairs), (7, 8));
        assert_eq!(
            out,
            "0.0.0.0/0 contains 10.0.0.0/8\n\
             0.0.0.0/0 contains 10.1.0.0/16\n\
             0.0.0.0/0 contains 10.1.0.0/16\n\
             0.0.0.0/0 contains 192.0.2.1/32\n\
             10.0.0.0/8 contains 10.1.0.0/16\n\
             10.0.0.0/8 contains 10.1.0.0/16\n\
             10.1.0.0/16 and 10.1.0.0/16 are the same block\n\
             2001:db8::/32 contains 2001:db8::1/128\n"
        );
    }

    #[test]
    fn json_as_python_dumps_it() {
        let (_, _, out) = report("10.0.0.0/8\n10.0.0.0/8\n10.0.0.0/9\n", Style::Json).unwrap();
        assert_eq!(
            out,
            "{\n  \"pairs\": [\n    {\n      \"a\": \"10.0.0.0/8\",\n      \"b\": \"10.0.0.0/8\",\n      \"relation\": \"equal\"\n    },\n    {\n      \"a\": \"10.0.0.0/8\",\n      \"b\": \"10.0.0.0/9\",\n      \"relation\": \"a_contains_b\"\n    },\n    {\n      \"a\": \"10.0.0.0/8\",\n      \"b\": \"10.0.0.0/9\",\n      \"relation\": \"a_contains_b\"\n    }\n  ],\n  \"overlapping\": true\n}\n"
        );
        let (_, pairs, out) = report("10.0.0.0/8\n11.0.0.0/8\n12.0.0.0/8\n", Style::Json).unwrap();
        assert_eq!(pairs, 0);
        assert_eq!(out, "{\n  \"pairs\": [],\n  \"overlapping\": false\n}\n");
    }

    #[test]
    fn counts_against_brute_force_across_block_edges() {
        let mut seed = 5u64;
        let mut lines = String::new();
        let mut keys = Vec::new();
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let length = (seed % 9) as u32;
            let network = ((seed >> 8) as u32 & 0xFF00_0000) & !(u32::MAX.checked_shr(length).unwrap_or(0));
            lines.push_str(&format!("{}.0.0.0/{length}\n", network >> 24));
            keys.push((network, network | u32::MAX.checked_shr(length).unwrap_or(0)));
        }
        let expected: u64 = (0..keys.len())
            .flat_map(|i| (i + 1..keys.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| keys[i].0 <= keys[j].1 && keys[j].0 <= keys[i].1)
            .count() as u64;
        let (_, pairs, out) = report(&lines, Style::Text).unwrap();
        assert_eq!(pairs, expected);
        assert!(expected > BLOCK_PAIRS * BATCH_BLOCKS, "spans batches");
        assert_eq!(out.lines().count() as u64, expected);
        let mut sorted: Vec<&str> = out.lines().collect();
        sorted.sort_by_key(|line| {
            let a = line.split(' ').next().unwrap();
            let (net, len) = a.split_once('/').unwrap();
            (
                net.split('.').next().unwrap().parse::<u32>().unwrap(),
                len.parse::<u32>().unwrap(),
            )
        });
        assert_eq!(
            sorted,
            out.lines().collect::<Vec<_>>(),
            "grouped by the first item, in rank order"
        );
    }

    #[test]
    fn declines_what_is_not_plain() {
        assert!(report("10.0.0.0/8\n# note\n", Style::Text).is_none());
    }
}
