//! The text of a `cidrkit lookup` table read in the engine: a plain prefix
//! list (one prefix or address per line) or a CSV with a header row, a
//! prefix column and label columns, turned into the rows of a built table.
//!
//! The Python reader (`LabelledTable.from_text` / `from_csv`) is the
//! reference. The engine reads the lines and cells it can prove it reads
//! the same way, and hands every other cell back ("declined") for the
//! Python parser's verdict and message; it refuses a whole table (`None`)
//! whose layout it does not read exactly as Python's `csv` module does
//! (quoted newlines, a lone `\r`, text after a closing quote, huge
//! fields), and any table that is not UTF-8 or holds a NUL byte, whose
//! errors Python words.

use std::path::PathBuf;

use memchr::{memchr, memchr_iter};
use rayon::prelude::*;

use crate::csvline::{csv_fields, Field};
use crate::lines::split_at_lines;
use crate::lpm::{build, build_v4};
use crate::prefixcell::{parse_prefix_cell, Item};
use crate::prefixtext::push_prefix;
use crate::tablefile::{TableImage, TableParts};

const BOM: &[u8] = b"\xef\xbb\xbf";
/// Pieces of about this many bytes are read on their own.
const PIECE_BYTES: usize = 1 << 20;

/// What became of each row's prefix cell, in row order.
#[derive(Debug, Default)]
struct Cells {
    /// `V4`, `V6`, `BLANK` or `DECLINED` per row.
    kinds: Vec<u8>,
    /// The prefixes of the `V4` rows, then of the `V6` rows, in row order.
    v4: Vec<(u32, u8)>,
    v6: Vec<(u128, u8)>,
    /// The rows for the Python parser, with their cell (an empty field for a missing cell).
    declined: Vec<(u32, Field)>,
}

const V4: u8 = 4;
const V6: u8 = 6;
/// An empty line of a plain list: skipped, as Python skips it.
const BLANK: u8 = 0;
const DECLINED: u8 = 1;

impl Cells {
    fn push(&mut self, row: usize, cell: &[u8], field: Field, csv: bool) {
        if !csv && cell.is_empty() {
            self.kinds.push(BLANK);
            return;
        }
        // A CSV cell is stripped; an empty one is an error Python words.
        let text = if csv { trim_blanks(cell) } else { cell };
        match parse_prefix_cell(text) {
            Some(item) if !field.doubled_quotes => {
                if item.bits == 32 {
                    self.kinds.push(V4);
                    self.v4.push((item.network as u32, item.length));
                } else {
                    self.kinds.push(V6);
                    self.v6.push((item.network, item.length));
                }
            }
            _ => self.decline(row, field),
        }
    }

    fn decline(&mut self, row: usize, field: Field) {
        self.kinds.push(DECLINED);
        self.declined.push((row as u32, field));
    }

    /// Room for the cells of about `bytes` of text.
    fn with_room(bytes: usize) -> Cells {
        // Most lines of a big table are a dotted quad and a length: 10 to 20 bytes.
        let lines = bytes / 10 + 16;
        Cells {
            kinds: Vec::with_capacity(lines),
            v4: Vec::with_capacity(lines),
            v6: Vec::new(),
            declined: Vec::new(),
        }
    }
}

/// What a built table holds besides its rows: the annotation of a miss,
/// the table's problems (messages, one per line), its content key and the
/// stamp of its file.
pub struct ImageText<'a> {
    pub miss: &'a [u8],
    pub problems: &'a [u8],
    pub key: [u8; 16],
    pub stamp: [u8; 16],
}

/// A table's text, cut into rows (a plain list's lines, or a CSV's records
/// after the header) and their prefix cells read.
pub struct TableText {
    data: Vec<u8>,
    csv: bool,
    /// A CSV's fields: those of record `k` (the header is record 0) are
    /// `fields[record_starts[k]..record_starts[k + 1]]`. Empty for a plain list.
    fields: Vec<Field>,
    record_starts: Vec<u32>,
    /// The cells of consecutive runs of rows (read in pieces, kept so).
    cells: Vec<Cells>,
    label_at: Vec<usize>,
}

/// Call `each(start, end)` for the lines of `text`: `\n` ends a line and
/// one `\r` before it is dropped, as `bytes.replace(b"\r\n", b"\n")` leaves it.
fn for_each_line(text: &[u8], mut each: impl FnMut(usize, usize)) {
    let mut start = 0;
    for newline in memchr_iter(b'\n', text) {
        let end = if newline > start && text[newline - 1] == b'\r' {
            newline - 1
        } else {
            newline
        };
        each(start, end);
        start = newline + 1;
    }
    if start < text.len() {
        each(start, text.len());
    }
}

/// Trim the spaces and tabs Python's `str.strip()` also removes.
fn trim_blanks(cell: &[u8]) -> &[u8] {
    let start = cell
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(cell.len());
    let end = cell
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    &cell[start..end]
}

/// `text` cut into pieces of whole lines, each with its offset.
fn pieces_of(text: &[u8]) -> Vec<(usize, &[u8])> {
    let mut at = 0;
    split_at_lines(text, text.len().div_ceil(PIECE_BYTES))
        .into_iter()
        .map(|part| {
            let base = at;
            at += part.len();
            (base, part)
        })
        .collect()
}

impl TableText {
    /// Cut `data` (the table file's bytes) into rows and read a plain
    /// list's prefixes; `None` for a table the Python reader must take as a whole.
    pub fn read(mut data: Vec<u8>, csv: bool) -> Option<TableText> {
        if data.starts_with(BOM) {
            data.drain(..BOM.len());
        }
        if data.len() >= u32::MAX as usize
            || memchr(0, &data).is_some()
            || std::str::from_utf8(&data).is_err()
        {
            return None;
        }
        let mut text = TableText {
            data,
            csv,
            fields: Vec::new(),
            record_starts: vec![0],
            cells: Vec::new(),
            label_at: Vec::new(),
        };
        let pieces = pieces_of(&text.data);
        if csv {
            let read: Option<Vec<(Vec<Field>, Vec<u32>)>> = pieces
                .par_iter()
                .map(|&(base, piece)| {
                    let mut fields = Vec::new();
                    let mut counts = Vec::new();
                    let mut ok = true;
                    for_each_line(piece, |start, end| {
                        let before = fields.len();
                        ok = ok && csv_fields(&piece[start..end], base + start, &mut fields).is_some();
                        counts.push((fields.len() - before) as u32);
                    });
                    ok.then_some((fields, counts))
                })
                .collect();
            for (fields, counts) in read? {
                let mut at = text.fields.len() as u32;
                for count in counts {
                    at += count;
                    text.record_starts.push(at);
                }
                text.fields.extend(fields);
            }
        } else {
            let data = &text.data;
            let parts: Vec<(Cells, usize)> = pieces
                .par_iter()
                .map(|&(base, piece)| {
                    let mut cells = Cells::with_room(piece.len());
                    let mut lines = 0;
                    for_each_line(piece, |start, end| {
                        let field = Field {
                            start: (base + start) as u32,
                            end: (base + end) as u32,
                            doubled_quotes: false,
                        };
                        cells.push(lines, &data[base + start..base + end], field, false);
                        lines += 1;
                    });
                    (cells, lines)
                })
                .collect();
            // Rows of declined cells count from the start of the table.
            let mut before = 0;
            for (mut cells, lines) in parts {
                for (row, _) in &mut cells.declined {
                    *row += before as u32;
                }
                before += lines;
                text.cells.push(cells);
            }
        }
        Some(text)
    }

    /// Records read: a plain list's lines, or a CSV's header and rows.
    pub fn records(&self) -> usize {
        if self.csv {
            self.record_starts.len() - 1
        } else {
            self.body_rows()
        }
    }

    /// The fields of CSV record `k`, quotes undoubled (none for a plain list).
    pub fn record(&self, k: usize) -> Vec<Vec<u8>> {
        if !self.csv {
            return Vec::new();
        }
        self.record_fields(k)
            .iter()
            .map(|f| self.field_bytes(f))
            .collect()
    }

    fn record_fields(&self, k: usize) -> &[Field] {
        &self.fields[self.record_starts[k] as usize..self.record_starts[k + 1] as usize]
    }

    fn field_bytes(&self, field: &Field) -> Vec<u8> {
        field.text(&self.data).into_owned()
    }

    /// Read a CSV's prefix cells from field `prefix_at` of every row; the
    /// label fields are `label_at`, in that order. A plain list has
    /// neither, and keeps the cells read with it.
    pub fn use_columns(&mut self, prefix_at: usize, label_at: Vec<usize>) {
        if !self.csv {
            return;
        }
        let rows = self.records().saturating_sub(1);
        let chunk = 1 << 16;
        let parts: Vec<Cells> = (0..rows.div_ceil(chunk))
            .into_par_iter()
            .map(|part| {
                let mut cells = Cells::with_room(0);
                for row in part * chunk..rows.min((part + 1) * chunk) {
                    match self.record_fields(row + 1).get(prefix_at) {
                        Some(&field) => {
                            let cell = &self.data[field.start as usize..field.end as usize];
                            cells.push(row, cell, field, true);
                        }
                        None => cells.decline(row, Field::default()),
                    }
                }
                cells
            })
            .collect();
        self.cells = parts;
        self.label_at = label_at;
    }

    /// Rows of the table (after a CSV's header).
    pub fn body_rows(&self) -> usize {
        self.cells.iter().map(|c| c.kinds.len()).sum()
    }

    /// The rows whose prefix cell is for the Python parser: `(row, cell)`,
    /// rows counted from 0 after a CSV's header.
    pub fn declined(&self) -> Vec<(usize, Vec<u8>)> {
        self.cells
            .iter()
            .flat_map(|cells| &cells.declined)
            .map(|(row, field)| (*row as usize, self.field_bytes(field)))
            .collect()
    }

    /// How many rows the engine read a prefix from.
    pub fn parsed(&self) -> usize {
        self.cells.iter().map(|c| c.v4.len() + c.v6.len()).sum()
    }

    /// Build the table: every row holding a prefix, in order, numbered
    /// from 0, with its annotation (`<TAB>prefix`, then `<TAB>label` per
    /// label column). `settled` holds the prefixes the Python parser read
    /// from declined rows, as `(row, item)`. The image is saved at the
    /// first of `places` that takes it (its folder made when missing) and
    /// mapped from there; when none does, it is kept in memory.
    pub fn build(
        &self,
        settled: &mut [(usize, Item)],
        image: &ImageText<'_>,
        places: &[PathBuf],
    ) -> TableImage {
        settled.sort_unstable_by_key(|&(row, _)| row);
        let rows = self.body_rows();
        let mut v4: Vec<(u32, u8, i32)> = Vec::with_capacity(self.cells.iter().map(|c| c.v4.len()).sum());
        let mut v6: Vec<(u128, u8, i32)> = Vec::with_capacity(self.cells.iter().map(|c| c.v6.len()).sum());
        // The row of each kept prefix, and whether it is IPv6.
        let mut kept: Vec<(u32, bool)> = Vec::with_capacity(rows);
        let mut next4 = self.cells.iter().flat_map(|c| &c.v4);
        let mut next6 = self.cells.iter().flat_map(|c| &c.v6);
        let mut next_settled = 0;
        let kinds = self.cells.iter().flat_map(|c| &c.kinds);
        for (row, &kind) in kinds.enumerate() {
            let k = kept.len() as i32;
            match kind {
                V4 => {
                    let &(network, length) = next4.next().expect("one prefix per V4 row");
                    v4.push((network, length, k));
                }
                V6 => {
                    let &(network, length) = next6.next().expect("one prefix per V6 row");
                    v6.push((network, length, k));
                }
                DECLINED if settled.get(next_settled).is_some_and(|s| s.0 == row) => {
                    let item = settled[next_settled].1;
                    next_settled += 1;
                    if item.bits == 32 {
                        v4.push((item.network as u32, item.length, k));
                    } else {
                        v6.push((item.network, item.length, k));
                    }
                    kept.push((row as u32, item.bits == 128));
                    continue;
                }
                _ => continue,
            }
            kept.push((row as u32, kind == V6));
        }
        let ((v4_table, v6_table), (offsets, suffixes)) = rayon::join(
            || rayon::join(|| build_v4(&v4), || build(v6.clone())),
            || self.suffixes(&kept, &v4, &v6),
        );
        let parts = TableParts {
            v4: &v4_table,
            v6: &v6_table,
            suffix_offsets: &offsets,
            suffixes: &suffixes,
            miss: image.miss,
            problems: image.problems,
        };
        for place in places {
            let folder = place.parent().filter(|f| !f.as_os_str().is_empty());
            if folder.is_some_and(|f| std::fs::create_dir_all(f).is_err()) {
                continue;
            }
            if let Ok(saved) = TableImage::save_and_open(&parts, image.key, image.stamp, place) {
                return saved;
            }
        }
        TableImage::new(&parts, image.key, image.stamp)
    }

    /// Every kept row's annotation, and where each starts: `kept` in
    /// order, its prefixes taken in turn from `v4` and `v6`.
    fn suffixes(
        &self,
        kept: &[(u32, bool)],
        v4: &[(u32, u8, i32)],
        v6: &[(u128, u8, i32)],
    ) -> (Vec<u64>, Vec<u8>) {
        let mut offsets = Vec::with_capacity(kept.len() + 1);
        let mut out = Vec::with_capacity(kept.len() * 24);
        offsets.push(0u64);
        let (mut next4, mut next6) = (v4.iter(), v6.iter());
        for &(row, is_v6) in kept {
            out.push(b'\t');
            if is_v6 {
                let &(network, length, _) = next6.next().expect("kept IPv6 rows have prefixes");
                push_prefix(&mut out, network, u32::from(length), 128);
            } else {
                let &(network, length, _) = next4.next().expect("kept IPv4 rows have prefixes");
                push_prefix(&mut out, u128::from(network), u32::from(length), 32);
            }
            if !self.label_at.is_empty() {
                let fields = self.record_fields(row as usize + 1);
                for &at in &self.label_at {
                    out.push(b'\t');
                    if let Some(field) = fields.get(at) {
                        if field.doubled_quotes {
                            out.extend_from_slice(&self.field_bytes(field));
                        } else {
                            out.extend_from_slice(&self.data[field.start as usize..field.end as usize]);
                        }
                    }
                }
            }
            offsets.push(out.len() as u64);
        }
        (offsets, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_drop_one_carriage_return() {
        let text = TableText::read(b"10.0.0.0/8\r\n\r\r\nx\n\n10.1.0.0/16".to_vec(), false).unwrap();
        assert_eq!(text.records(), 5);
        assert_eq!(text.declined(), vec![(1, b"\r".to_vec()), (2, b"x".to_vec())]);
        assert_eq!(text.parsed(), 2);
        assert!(TableText::read(b"10.0.0.0/8\n\0".to_vec(), false).is_none());
        assert!(TableText::read(b"\xff\n".to_vec(), false).is_none());
    }
}
