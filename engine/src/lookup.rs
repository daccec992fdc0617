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

/// The output of one block.
#[derive(Debug, Default)]
pub struct LookupBlock {
    pub output: Vec<u8>,
    pub lines: u64,
    pub misses: u64,
    /// The matched row of every record (only with `rows_wanted`).
    pub rows: Vec<u32>,
    pub problems: Vec<Problem>,
}

const PIECE_BYTES: usize = 1 << 20;

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

/// Annotate a block of whole lines.
pub fn lookup_block(table: &TableImage, options: &LookupOptions, text: &[u8]) -> LookupBlock {
    let pieces = split_at_lines(text, text.len().div_ceil(PIECE_BYTES));
    let mut results: Vec<LookupBlock> = pieces
        .par_iter()
        .map(|piece| lookup_piece(table, options, piece))
        .collect();
    if results.len() == 1 {
        return results.pop().expect("one");
    }
    let mut joined = LookupBlock {
        output: Vec::with_capacity(results.iter().map(|r| r.output.len()).sum()),
        ..LookupBlock::default()
    };
    for result in results {
        let base = joined.lines;
        joined.output.extend_from_slice(&result.output);
        joined.lines += result.lines;
        joined.misses += result.misses;
        joined.rows.extend_from_slice(&result.rows);
        joined
            .problems
            .extend(result.problems.into_iter().map(|p| Problem {
                line: p.line + base,
                ..p
            }));
    }
    joined
}

fn lookup_piece(table: &TableImage, options: &LookupOptions, text: &[u8]) -> LookupBlock {
    let (v4, v6) = (table.v4(), table.v6());
    let mut block = LookupBlock::default();
    // First every record's row, in a tight loop: the lookups of many lines
    // are independent, so their cache misses overlap; then the output.
    let mut records: Vec<(usize, usize, i32)> = Vec::with_capacity(text.len() / 64);
    for (index, (start, end)) in LineSpans::new(text, options.newlines).enumerate() {
        block.lines += 1;
        let line = &text[start..end];
        let Some(word) = first_word(line) else { continue };
        let row = match parse_address_word(&word) {
            Some((true, value)) => v6.lookup(value),
            Some((false, value)) => v4.lookup(value as u32),
            None => {
                block.problems.push(Problem {
                    line: index as u64,
                    word: word.into_owned(),
                });
                -1
            }
        };
        records.push((start, end, row));
    }
    block.output.reserve(text.len() + records.len() * 24);
    for &(start, end, row) in &records {
        let line = &text[start..end];
        if row < 0 {
            block.misses += 1;
            if !options.matched_only {
                push_line(&mut block.output, line, options.lossy);
                block.output.extend_from_slice(table.miss());
                block.output.push(b'\n');
            }
            continue;
        }
        if options.rows_wanted {
            block.rows.push(row as u32);
        }
        push_line(&mut block.output, line, options.lossy);
        block.output.extend_from_slice(table.suffix(row as usize));
        block.output.push(b'\n');
    }
    block
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
