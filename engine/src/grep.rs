//! `cidrkit grep` on blocks of whole lines: candidates, verdicts, output bytes.
//!
//! A block is scanned once per family, candidates are parsed without
//! allocation and tested against the pattern set, and the selected lines
//! are appended to one output buffer. Pieces of a block run on the rayon
//! pool and their outputs are joined in order.

use memchr::{memchr, memchr2, memrchr, memrchr2};
use rayon::prelude::*;

use crate::addr::parse_v4;
use crate::addrset::AddressSet;
use crate::lines::{count_lines, split_at_lines, LineSpans, Newlines};
use crate::output::{push_line, push_number};
use crate::scan::{ipv4_candidates, ipv6_candidates, parse_v6_candidate, Span};

/// What to print, as the command's flags say.
#[derive(Clone, Debug)]
pub struct GrepOptions {
    pub invert: bool,
    pub count_only: bool,
    pub only_matching: bool,
    pub line_numbers: bool,
    /// Written before every output line (`name:` with several files), may be empty.
    pub label: Vec<u8>,
    pub newlines: Newlines,
    /// Replace invalid UTF-8 in printed lines with U+FFFD, as text mode does.
    pub lossy: bool,
}

/// The output and counts of one block, or of one piece of it.
#[derive(Debug, Default)]
pub struct GrepBlock {
    pub output: Vec<u8>,
    pub lines: u64,
    pub selected: u64,
    /// Candidate and hit spans, kept with their capacity from block to block.
    scratch: Spans,
}

#[derive(Debug, Default)]
struct Spans {
    v4: Vec<Span>,
    v6: Vec<Span>,
    v6_parsed: Vec<Span>,
    v6_hits: Vec<Span>,
    hits: Vec<Span>,
}

/// Pieces smaller than this are not worth a task of their own.
const PIECE_BYTES: usize = 1 << 20;

/// Buffers for grepping blocks, kept (with their capacity) from block to
/// block, so a long input costs no allocation and no page fault per block.
#[derive(Debug, Default)]
pub struct GrepBuffers {
    pieces: Vec<GrepBlock>,
    /// How many pieces the last block had.
    used: usize,
    firsts: Vec<u64>,
}

impl GrepBuffers {
    /// Grep one block of whole lines, numbered from `first_line`: the
    /// outputs of its pieces, in order.
    pub fn run(
        &mut self,
        set: &AddressSet,
        options: &GrepOptions,
        text: &[u8],
        first_line: u64,
    ) -> &[GrepBlock] {
        let parts = split_at_lines(text, text.len().div_ceil(PIECE_BYTES));
        if self.pieces.len() < parts.len() {
            self.pieces.resize_with(parts.len(), GrepBlock::default);
        }
        // Line numbers of each piece, only when they are printed.
        self.firsts.clear();
        self.firsts.resize(parts.len(), first_line);
        if options.line_numbers && parts.len() > 1 {
            let counts: Vec<usize> = parts
                .par_iter()
                .map(|p| count_lines(p, options.newlines))
                .collect();
            for i in 1..parts.len() {
                self.firsts[i] = self.firsts[i - 1] + counts[i - 1] as u64;
            }
        }
        self.used = parts.len();
        let pieces = &mut self.pieces[..parts.len()];
        if let ([piece], [part]) = (&mut *pieces, parts.as_slice()) {
            // One piece runs here: handing it to a pool thread and waiting
            // costs more than a short input's whole work on a busy machine.
            grep_piece(set, options, part, first_line, piece);
        } else {
            pieces
                .par_iter_mut()
                .zip(parts.par_iter().zip(self.firsts.par_iter()))
                .for_each(|(piece, (part, &first))| grep_piece(set, options, part, first, piece));
        }
        pieces
    }

    /// The pieces of the last block, in order.
    pub fn last(&self) -> &[GrepBlock] {
        &self.pieces[..self.used]
    }
}

/// Grep one block of whole lines, numbered from `first_line`, into one output.
pub fn grep_block(set: &AddressSet, options: &GrepOptions, text: &[u8], first_line: u64) -> GrepBlock {
    let mut buffers = GrepBuffers::default();
    let mut joined = GrepBlock::default();
    for piece in buffers.run(set, options, text, first_line) {
        joined.output.extend_from_slice(&piece.output);
        joined.lines += piece.lines;
        joined.selected += piece.selected;
    }
    joined
}

/// The matching addresses of `text`, in order of position.
pub fn matching_spans(set: &AddressSet, text: &[u8]) -> Vec<Span> {
    let mut spans = Spans::default();
    find_hits(set, text, &mut spans);
    spans.hits
}

/// Fill `spans.hits` with the matching addresses of `text`, in order of position.
fn find_hits(set: &AddressSet, text: &[u8], spans: &mut Spans) {
    let Spans {
        v4,
        v6,
        v6_parsed,
        v6_hits,
        hits,
    } = spans;
    for list in [&mut *v4, &mut *v6, &mut *v6_parsed, &mut *v6_hits, &mut *hits] {
        list.clear();
    }
    ipv6_candidates(text, v6);
    ipv4_candidates(text, v4);
    // IPv6 candidates that parse; the dotted tail of one (::ffff:10.0.0.1)
    // is part of that address, not an IPv4 address of its own.
    for &span in v6.iter() {
        if let Some(value) = parse_v6_candidate(&text[span.start..span.end]) {
            v6_parsed.push(span);
            if set.contains_v6(value) {
                v6_hits.push(span);
            }
        }
    }
    let mut enclosing = 0;
    let mut v6_at = 0;
    for &span in v4.iter() {
        while enclosing < v6_parsed.len() && v6_parsed[enclosing].start <= span.start {
            enclosing += 1;
        }
        if enclosing > 0 && v6_parsed[enclosing - 1].end > span.start {
            continue;
        }
        let hit = parse_v4(&text[span.start..span.end]).is_some_and(|value| set.contains_v4(value));
        if hit {
            while v6_at < v6_hits.len() && v6_hits[v6_at].start < span.start {
                hits.push(v6_hits[v6_at]);
                v6_at += 1;
            }
            hits.push(span);
        }
    }
    hits.extend_from_slice(&v6_hits[v6_at..]);
}

fn grep_piece(set: &AddressSet, options: &GrepOptions, text: &[u8], first_line: u64, block: &mut GrepBlock) {
    block.output.clear();
    block.lines = 0;
    block.selected = 0;
    find_hits(set, text, &mut block.scratch);
    let GrepBlock {
        output,
        lines,
        selected,
        scratch,
    } = block;
    let hits = &scratch.hits;
    if !options.invert && !options.line_numbers {
        return matched_lines_only(options, text, hits, output, lines, selected);
    }
    let mut next_hit = 0;
    for (number, (start, end)) in (first_line..).zip(LineSpans::new(text, options.newlines)) {
        *lines += 1;
        let first_hit = next_hit;
        while next_hit < hits.len() && hits[next_hit].start < end {
            next_hit += 1;
        }
        let matched = next_hit > first_hit;
        if matched == options.invert {
            continue;
        }
        *selected += 1;
        if options.count_only {
            continue;
        }
        let head = |out: &mut Vec<u8>| {
            out.extend_from_slice(&options.label);
            if options.line_numbers {
                push_number(out, number);
                out.push(b':');
            }
        };
        if options.only_matching {
            for span in &hits[first_hit..next_hit] {
                head(output);
                output.extend_from_slice(&text[span.start..span.end]);
                output.push(b'\n');
            }
        } else {
            head(output);
            push_line(output, &text[start..end], options.lossy);
            output.push(b'\n');
        }
    }
}

/// The common case (no `-v`, no `-n`): only the lines around the hits are
/// looked at, found from each hit by searching back and forward for a line end.
fn matched_lines_only(
    options: &GrepOptions,
    text: &[u8],
    hits: &[Span],
    output: &mut Vec<u8>,
    lines: &mut u64,
    selected: &mut u64,
) {
    *lines = count_lines(text, options.newlines) as u64;
    let mut at = 0;
    while at < hits.len() {
        let (start, end) = line_around(text, hits[at].start, options.newlines);
        let first_hit = at;
        while at < hits.len() && hits[at].start < end {
            at += 1;
        }
        *selected += 1;
        if options.count_only {
            continue;
        }
        if options.only_matching {
            for span in &hits[first_hit..at] {
                output.extend_from_slice(&options.label);
                output.extend_from_slice(&text[span.start..span.end]);
                output.push(b'\n');
            }
        } else {
            output.extend_from_slice(&options.label);
            push_line(output, &text[start..end], options.lossy);
            output.push(b'\n');
        }
    }
}

/// The content `(start, end)` of the line holding byte `at`.
fn line_around(text: &[u8], at: usize, newlines: Newlines) -> (usize, usize) {
    match newlines {
        Newlines::Universal => {
            let start = memrchr2(b'\n', b'\r', &text[..at]).map_or(0, |p| p + 1);
            let end = memchr2(b'\n', b'\r', &text[at..]).map_or(text.len(), |p| at + p);
            (start, end)
        }
        Newlines::Lf => {
            let start = memrchr(b'\n', &text[..at]).map_or(0, |p| p + 1);
            let mut end = memchr(b'\n', &text[at..]).map_or(text.len(), |p| at + p);
            while end > start && text[end - 1] == b'\r' {
                end -= 1;
            }
            (start, end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> GrepOptions {
        GrepOptions {
            invert: false,
            count_only: false,
            only_matching: false,
            line_numbers: false,
            label: Vec::new(),
            newlines: Newlines::Universal,
            lossy: true,
        }
    }

    fn ten_slash_eight() -> AddressSet {
        AddressSet::new(
            vec![(0x0A00_0000, 0x0AFF_FFFF)],
            vec![(0x2001_0db8u128 << 96, (0x2001_0db8u128 << 96) | ((1 << 96) - 1))],
        )
    }

    #[test]
    fn selects_lines_with_an_address_inside() {
        let text = b"a 10.1.2.3 b\nc 11.0.0.1\n::ffff:10.0.0.1 x\n[2026:10:38:38] 2001:db8::1\n";
        let block = grep_block(&ten_slash_eight(), &options(), text, 1);
        assert_eq!(block.output, b"a 10.1.2.3 b\n[2026:10:38:38] 2001:db8::1\n");
        assert_eq!((block.lines, block.selected), (4, 2));
    }

    #[test]
    fn only_matching_with_numbers_and_invalid_utf8() {
        let mut opts = options();
        opts.only_matching = true;
        opts.line_numbers = true;
        opts.label = b"f:".to_vec();
        let block = grep_block(&ten_slash_eight(), &opts, b"x\n\xff 10.0.0.1 2001:db8::2\n", 7);
        assert_eq!(block.output, b"f:8:10.0.0.1\nf:8:2001:db8::2\n");
        opts.only_matching = false;
        opts.line_numbers = false;
        let block = grep_block(&ten_slash_eight(), &opts, b"\xff 10.0.0.1\n", 1);
        assert_eq!(block.output, "f:\u{fffd} 10.0.0.1\n".as_bytes());
    }
}
