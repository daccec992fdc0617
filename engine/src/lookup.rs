//! `cidrkit lookup` on text lines: the first word of each line is looked up
//! and the line is printed with its row's annotation, as bytes per block.

use std::borrow::Cow;

use rayon::prelude::*;

use crate::addr::{parse_v4, parse_v6};
use crate::lines::{split_at_lines, LineSpans, Newlines};
use crate::output::push_line;
use crate::tablefile::TableImage;

/// How input lines are read and what is printed.
#[derive(Clone, Debug)]
pub struct LookupOptions {
    pub newlines: Newlines,
    pub lossy: bool,
    pub matched_only: bool,
    /// Keep the row of every line, for hit counts.
    pub rows_wanted: bool,
}

/// A first word that is not an address: where, and the word as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 0-based line index within the block.
    pub line: u64,
    pub word: String,
}

/// The output of one block, or of one piece of it.
#[derive(Debug, Default)]
pub struct LookupBlock {
    pub output: Vec<u8>,
    pub lines: u64,
    pub misses: u64,
    /// The matched row of every record (only with `rows_wanted`).
    pub rows: Vec<u32>,
    pub problems: Vec<Problem>,
    /// Per-record scratch, kept with its capacity from block to block.
    records: Vec<Record>,
}

impl LookupBlock {
    fn clear(&mut self) {
        self.output.clear();
        self.lines = 0;
        self.misses = 0;
        self.rows.clear();
        self.problems.clear();
        self.records.clear();
    }
}

/// One line with a first word: its bytes, its address and then its row.
#[derive(Clone, Copy, Debug, Default)]
struct Record {
    start: usize,
    end: usize,
    /// The address, for IPv4 in the low 32 bits.
    address: u128,
    /// The family after parsing (`FAMILY_*`); then the row found (-1: none).
    row: i32,
    /// The slice of the table's boundaries to search.
    bounds: (usize, usize),
    /// The boundary at or below the address.
    boundary: usize,
    /// The row's annotation in the table's suffix bytes.
    suffix: (usize, usize),
}

const PIECE_BYTES: usize = 1 << 20;
/// How many records ahead the table entries of a record are prefetched.
const PREFETCH_AHEAD: usize = 8;
/// Whitespace as Python's `str.split()` and `str.isspace()` see it.
fn is_python_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..=' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

#[inline]
fn is_ascii_python_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=b' ')
}

/// The first word of a line, or `None` for a blank line.
fn first_word(line: &[u8]) -> Option<Cow<'_, str>> {
    let start = line.iter().position(|&b| !is_ascii_python_space(b))?;
    let rest = &line[start..];
    let end = rest
        .iter()
        .position(|&b| is_ascii_python_space(b) || b >= 0x80)
        .unwrap_or(rest.len());
    if rest.get(end).is_none_or(|&b| b < 0x80) {
        // SAFETY-free fast path: the word is ASCII, so it is valid UTF-8.
        return Some(Cow::Borrowed(std::str::from_utf8(&rest[..end]).expect("ASCII")));
    }
    // Non-ASCII near the word: decode as Python did and split on its whitespace.
    let text = String::from_utf8_lossy(line);
    let word = text.split(is_python_space).find(|w| !w.is_empty())?;
    Some(Cow::Owned(word.to_owned()))
}

fn parse_address_word(word: &str) -> Option<(bool, u128)> {
    let bytes = word.as_bytes();
    if bytes.contains(&b':') {
        parse_v6(bytes).map(|v| (true, v))
    } else {
        parse_v4(bytes).map(|v| (false, u128::from(v)))
    }
}

/// Buffers for annotating blocks, kept (with their capacity) from block to
/// block, so a long input costs no allocation and no page fault per block.
#[derive(Debug, Default)]
pub struct LookupBuffers {
    pieces: Vec<LookupBlock>,
    /// How many pieces the last block had.
    used: usize,
}

impl LookupBuffers {
    /// Annotate a block of whole lines: the outputs of its pieces, in order
    /// (problem lines count from the start of each piece).
    pub fn run(&mut self, table: &TableImage, options: &LookupOptions, text: &[u8]) -> &[LookupBlock] {
        let parts = split_at_lines(text, text.len().div_ceil(PIECE_BYTES));
        if self.pieces.len() < parts.len() {
            self.pieces.resize_with(parts.len(), LookupBlock::default);
        }
        self.used = parts.len();
        let pieces = &mut self.pieces[..parts.len()];
        if let ([piece], [part]) = (&mut *pieces, parts.as_slice()) {
            // One piece runs here: handing it to a pool thread and waiting
            // costs more than a short input's whole work on a busy machine.
            lookup_piece(table, options, part, piece);
        } else {
            pieces
                .par_iter_mut()
                .zip(parts.par_iter())
                .for_each(|(piece, part)| lookup_piece(table, options, part, piece));
        }
        pieces
    }

    /// The pieces of the last block, in order.
    pub fn last(&self) -> &[LookupBlock] {
        &self.pieces[..self.used]
    }
}

/// Annotate a block of whole lines into one output.
pub fn lookup_block(table: &TableImage, options: &LookupOptions, text: &[u8]) -> LookupBlock {
    let mut buffers = LookupBuffers::default();
    let mut joined = LookupBlock::default();
    for piece in buffers.run(table, options, text) {
        let base = joined.lines;
        joined.output.extend_from_slice(&piece.output);
        joined.lines += piece.lines;
        joined.misses += piece.misses;
        joined.rows.extend_from_slice(&piece.rows);
        joined.problems.extend(piece.problems.iter().map(|p| Problem {
            line: p.line + base,
            word: p.word.clone(),
        }));
    }
    joined
}

const FAMILY_NONE: i32 = 0;
const FAMILY_V4: i32 = 4;
const FAMILY_V6: i32 = 6;

/// A piece in passes, each a tight loop over all its records: the table
/// reads of different lines are independent, so in a small loop the
/// processor keeps many of them in flight instead of waiting for each.
fn lookup_piece(table: &TableImage, options: &LookupOptions, text: &[u8], piece: &mut LookupBlock) {
    piece.clear();
    find_addresses(options, text, piece);
    let records = &mut piece.records;
    let (v4, v6) = (table.v4(), table.v6());
    for record in records.iter_mut() {
        record.bounds = match record.row {
            FAMILY_V4 => v4.slice_bounds(record.address as u32),
            FAMILY_V6 => v6.slice_bounds(record.address),
            _ => (0, 0),
        };
    }
    for at in 0..records.len() {
        if let Some(ahead) = records.get(at + PREFETCH_AHEAD) {
            match ahead.row {
                FAMILY_V4 => v4.prefetch_starts(ahead.bounds.0),
                FAMILY_V6 => v6.prefetch_starts(ahead.bounds.0),
                _ => {}
            }
        }
        let record = &mut records[at];
        record.boundary = match record.row {
            FAMILY_V4 => v4.boundary_within(record.address as u32, record.bounds),
            FAMILY_V6 => v6.boundary_within(record.address, record.bounds),
            _ => usize::MAX,
        };
    }
    for record in records.iter_mut() {
        record.row = match record.row {
            FAMILY_V4 => v4.owners[record.boundary],
            FAMILY_V6 => v6.owners[record.boundary],
            _ => -1,
        };
    }
    for record in records.iter_mut() {
        if record.row >= 0 {
            record.suffix = table.suffix_span(record.row as usize);
            table.prefetch_suffix(record.suffix.0);
        }
    }
    write_records(table, options, text, piece);
}

/// Pass 1: the lines, their first words and the addresses in them.
fn find_addresses(options: &LookupOptions, text: &[u8], piece: &mut LookupBlock) {
    for (index, (start, end)) in LineSpans::new(text, options.newlines).enumerate() {
        piece.lines += 1;
        let Some(word) = first_word(&text[start..end]) else {
            continue;
        };
        let (family, address) = match parse_address_word(&word) {
            Some((true, value)) => (FAMILY_V6, value),
            Some((false, value)) => (FAMILY_V4, value),
            None => {
                piece.problems.push(Problem {
                    line: index as u64,
                    word: word.into_owned(),
                });
                (FAMILY_NONE, 0)
            }
        };
        piece.records.push(Record {
            start,
            end,
            address,
            row: family,
            ..Record::default()
        });
    }
}

/// The last pass: every record's line and annotation, as output bytes.
fn write_records(table: &TableImage, options: &LookupOptions, text: &[u8], piece: &mut LookupBlock) {
    let output = &mut piece.output;
    output.reserve(text.len() + piece.records.len() * 24);
    for record in &piece.records {
        let line = &text[record.start..record.end];
        if record.row < 0 {
            piece.misses += 1;
            if !options.matched_only {
                push_line(output, line, options.lossy);
                output.extend_from_slice(table.miss());
                output.push(b'\n');
            }
            continue;
        }
        if options.rows_wanted {
            piece.rows.push(record.row as u32);
        }
        push_line(output, line, options.lossy);
        output.extend_from_slice(table.suffix_bytes(record.suffix));
        output.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_words_as_python_splits_them() {
        assert_eq!(first_word(b"  10.0.0.1 - -").as_deref(), Some("10.0.0.1"));
        assert_eq!(first_word(b" \x0b\x1c ").as_deref(), None);
        assert_eq!(
            first_word("\u{a0}10.0.0.1\u{2003}x".as_bytes()).as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(first_word(b"10.0.0.1\xff x").as_deref(), Some("10.0.0.1\u{fffd}"));
        assert_eq!(first_word("\u{3000}".as_bytes()).as_deref(), None);
    }
}
