//! Lines as the Python front reads them, and input read in blocks of whole lines.
//!
//! Files are opened in text mode with universal newlines, so `\n`, `\r\n`
//! and a lone `\r` all end a line. Standard input keeps `\r` inside lines
//! and only `\n` ends one; trailing `\r` is then stripped (`rstrip("\r\n")`).

use std::io::{self, Read};

use memchr::{memchr, memchr2, memchr_iter, memrchr};

/// Which bytes end a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Newlines {
    /// `\n`, `\r\n` or `\r` (a file opened in text mode).
    Universal,
    /// `\n` only; trailing `\r` bytes are dropped from the line (standard input).
    Lf,
}

/// Iterator over `(content_start, content_end)` of the lines of `text`.
/// A last line without a terminator counts; an empty text has no lines.
pub struct LineSpans<'a> {
    text: &'a [u8],
    pos: usize,
    newlines: Newlines,
}

impl<'a> LineSpans<'a> {
    pub fn new(text: &'a [u8], newlines: Newlines) -> Self {
        LineSpans {
            text,
            pos: 0,
            newlines,
        }
    }
}

impl Iterator for LineSpans<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        let text = self.text;
        let start = self.pos;
        if start >= text.len() {
            return None;
        }
        let rest = &text[start..];
        match self.newlines {
            Newlines::Universal => match memchr2(b'\n', b'\r', rest) {
                None => {
                    self.pos = text.len();
                    Some((start, text.len()))
                }
                Some(at) => {
                    let end = start + at;
                    let crlf = text[end] == b'\r' && text.get(end + 1) == Some(&b'\n');
                    self.pos = end + 1 + usize::from(crlf);
                    Some((start, end))
                }
            },
            Newlines::Lf => {
                let mut end = memchr(b'\n', rest).map_or(text.len(), |at| start + at);
                self.pos = end + 1;
                while end > start && text[end - 1] == b'\r' {
                    end -= 1;
                }
                Some((start, end))
            }
        }
    }
}

/// Number of lines in `text` (as `LineSpans` counts them).
pub fn count_lines(text: &[u8], newlines: Newlines) -> usize {
    if newlines == Newlines::Lf || memchr(b'\r', text).is_none() {
        // Only `\n` ends a line: count them with the vectorised search.
        let ends = memchr_iter(b'\n', text).count();
        return ends + usize::from(!text.is_empty() && !text.ends_with(b"\n"));
    }
    LineSpans::new(text, newlines).count()
}

/// Reads a stream in blocks that end at a line boundary.
///
/// A block ends after its last `\n`; the rest is carried into the next
/// block, so a `\r\n` pair is never split. A line longer than the block
/// size grows the buffer until its end is found. The buffer is allocated
/// (and zeroed) once and reused, so reading costs no page fault per block.
/// The first reads are small and each twice the last, up to the block
/// size: a short input (one line) does not pay for zeroing a full block.
pub struct BlockReader<R> {
    reader: R,
    buffer: Vec<u8>,
    /// Bytes of `buffer` that hold input.
    filled: usize,
    /// Bytes of `buffer` that belong to the block handed out last.
    handed: usize,
    block: usize,
    /// Bytes the next fill reads, growing to `block`.
    step: usize,
    eof: bool,
}

/// The size of the first read.
const FIRST_READ: usize = 64 << 10;

impl<R: Read> BlockReader<R> {
    pub fn new(reader: R, block: usize) -> Self {
        BlockReader {
            reader,
            buffer: Vec::new(),
            filled: 0,
            handed: 0,
            block,
            step: block.min(FIRST_READ),
            eof: false,
        }
    }

    /// The next block of whole lines, or `None` at the end of the stream.
    pub fn next_block(&mut self) -> io::Result<Option<&[u8]>> {
        self.buffer.copy_within(self.handed..self.filled, 0);
        self.filled -= self.handed;
        self.handed = 0;
        loop {
            let searched_from = self.filled;
            if !self.eof {
                self.fill()?;
            }
            if self.eof {
                if self.filled == 0 {
                    return Ok(None);
                }
                self.handed = self.filled;
                return Ok(Some(&self.buffer[..self.filled]));
            }
            // Only the newly read bytes can hold a new last newline.
            if let Some(at) = memrchr(b'\n', &self.buffer[searched_from..self.filled]) {
                self.handed = searched_from + at + 1;
                return Ok(Some(&self.buffer[..self.handed]));
            }
        }
    }

    /// Read until `step` more bytes are in or the stream ends.
    fn fill(&mut self) -> io::Result<()> {
        let target = self.filled + self.step;
        self.step = (self.step * 2).min(self.block);
        if self.buffer.len() < target {
            self.buffer.resize(target, 0);
        }
        while self.filled < target {
            match self.reader.read(&mut self.buffer[self.filled..target]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.filled += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
}

/// Cut `text` (whole lines) into about `pieces` runs of whole lines.
pub fn split_at_lines(text: &[u8], pieces: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(pieces);
    let size = text.len().div_ceil(pieces.max(1)).max(1);
    let mut start = 0;
    while start < text.len() {
        let goal = (start + size).min(text.len());
        let stop = if goal >= text.len() {
            text.len()
        } else {
            memchr(b'\n', &text[goal..]).map_or(text.len(), |at| goal + at + 1)
        };
        out.push(&text[start..stop]);
        start = stop;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, newlines: Newlines) -> Vec<&str> {
        LineSpans::new(text.as_bytes(), newlines)
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn universal_newlines_split_like_text_mode() {
        assert_eq!(lines("a\nb\r\nc\rd", Newlines::Universal), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\r\r\n\n", Newlines::Universal), ["a", "", ""]);
        assert_eq!(lines("", Newlines::Universal), Vec::<&str>::new());
    }

    #[test]
    fn lf_newlines_keep_inner_carriage_returns() {
        assert_eq!(lines("a\rb\r\r\nc", Newlines::Lf), ["a\rb", "c"]);
    }

    #[test]
    fn blocks_end_at_line_boundaries() {
        let text = b"one\r\ntwo\nthree-long-line\nend".to_vec();
        let mut reader = BlockReader::new(&text[..], 4);
        let mut seen = Vec::new();
        while let Some(block) = reader.next_block().unwrap() {
            assert!(block.ends_with(b"\n") || block.ends_with(b"end"));
            seen.extend_from_slice(block);
        }
        assert_eq!(seen, text);
    }

    /// Returns its text a few bytes at a time, with an interruption before each read.
    struct Interrupted<'a> {
        text: &'a [u8],
        interrupt_next: bool,
    }

    impl Read for Interrupted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt_next = !self.interrupt_next;
            if !self.interrupt_next {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let n = buf.len().min(self.text.len()).min(3);
            buf[..n].copy_from_slice(&self.text[..n]);
            self.text = &self.text[n..];
            Ok(n)
        }
    }

    #[test]
    fn an_interrupted_read_is_retried_not_taken_for_the_end() {
        let text = b"10.0.0.1 a\n10.0.0.2 b\nlast".to_vec();
        let reader = Interrupted {
            text: &text,
            interrupt_next: true,
        };
        let mut blocks = BlockReader::new(reader, 4);
        let mut seen = Vec::new();
        while let Some(block) = blocks.next_block().unwrap() {
            seen.extend_from_slice(block);
        }
        assert_eq!(seen, text);
    }
}
