//! The Python module `cidrkit._engine`: thin bindings, no logic of their own.

use std::fs::File;
use std::io::{self, Read, Write};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;

use pyo3::buffer::PyBuffer;
use pyo3::exceptions::{PyBrokenPipeError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::addr::{parse_v4, parse_v6};
use crate::addrset::AddressSet;
use crate::arrowtext::{lookup_text_values, Offsets};
use crate::grep::{GrepBuffers, GrepOptions};
use crate::lines::{BlockReader, Newlines};
use crate::lookup::{LookupBuffers, LookupOptions};
use crate::lpm;
use crate::output::push_number;
use crate::overlaps::{Report, Style};
use crate::prefixcell::Item;
use crate::scan::{ipv4_candidates, ipv6_candidates, Span};
use crate::setalgebra;
use crate::tablefile::{self, TableImage, TableParts};
use crate::tabletext::{ImageText, TableText};

/// Input is read and processed in blocks of about this size.
const BLOCK_BYTES: usize = 8 << 20;

fn newlines_from(universal: bool) -> Newlines {
    if universal {
        Newlines::Universal
    } else {
        Newlines::Lf
    }
}

/// A borrowed file descriptor as a reader that never closes it.
struct BorrowedFd(ManuallyDrop<File>);

impl BorrowedFd {
    fn new(fd: i32) -> Self {
        // The Python caller keeps the file open for the whole call and closes it.
        BorrowedFd(ManuallyDrop::new(unsafe { File::from_raw_fd(fd) }))
    }
}

impl Read for BorrowedFd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

/// Where a run's output goes: straight to a file descriptor (no Python
/// object per block, and the lock released while writing), or to a
/// Python callable taking bytes.
enum Sink<'a, 'py> {
    Fd(BorrowedFd),
    Call(&'a Bound<'py, PyAny>),
}

impl<'a, 'py> Sink<'a, 'py> {
    fn new(write: Option<&'a Bound<'py, PyAny>>, out_fd: Option<i32>) -> PyResult<Self> {
        match (write, out_fd) {
            (None, Some(fd)) => Ok(Sink::Fd(BorrowedFd::new(fd))),
            (Some(write), None) => Ok(Sink::Call(write)),
            _ => Err(PyValueError::new_err("give exactly one of write and out_fd")),
        }
    }

    /// Write `parts` in order. A write error comes back as Python's own
    /// exception for it (`BrokenPipeError` for a closed pipe).
    fn emit<'b>(
        &mut self,
        py: Python<'py>,
        parts: impl Iterator<Item = &'b [u8]> + Clone + Send,
    ) -> PyResult<()> {
        let total: usize = parts.clone().map(<[u8]>::len).sum();
        if total == 0 {
            return Ok(());
        }
        match self {
            Sink::Fd(fd) => py
                .allow_threads(|| parts.into_iter().try_for_each(|part| fd.0.write_all(part)))
                .map_err(output_error),
            Sink::Call(write) => {
                let bytes = PyBytes::new_with(py, total, |buffer| {
                    let mut at = 0;
                    for part in parts {
                        buffer[at..at + part.len()].copy_from_slice(part);
                        at += part.len();
                    }
                    Ok(())
                })?;
                write.call1((bytes,))?;
                Ok(())
            }
        }
    }
}

/// A failed write of the output as Python's exception for it, with the
/// file name `<stdout>`, so the caller tells it from a failed read.
fn output_error(err: io::Error) -> PyErr {
    let errno = err.raw_os_error().unwrap_or(0);
    let text = err.to_string();
    let reason = text.split(" (os error").next().unwrap_or(&text).to_owned();
    let args = (errno, reason, "<stdout>");
    if err.kind() == io::ErrorKind::BrokenPipe {
        PyBrokenPipeError::new_err(args)
    } else {
        PyOSError::new_err(args)
    }
}

fn chunks_of<const N: usize>(data: &[u8], what: &str) -> PyResult<Vec<[u8; N]>> {
    if !data.len().is_multiple_of(N) {
        return Err(PyValueError::new_err(format!(
            "{what}: {} bytes is not a multiple of {N}",
            data.len()
        )));
    }
    Ok(data
        .chunks_exact(N)
        .map(|c| c.try_into().expect("exact chunk"))
        .collect())
}

fn u128_at(bytes: &[u8]) -> u128 {
    let hi = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    let lo = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    (u128::from(hi) << 64) | u128::from(lo)
}

/// Address text matcher for `cidrkit grep`.
#[pyclass(frozen, module = "cidrkit._engine")]
struct Grep {
    set: AddressSet,
}

#[pymethods]
impl Grep {
    /// `v4`: little-endian u32 pairs (first, last); `v6`: u64 quadruples
    /// (first_hi, first_lo, last_hi, last_lo), all inclusive.
    #[new]
    fn new(v4: &[u8], v6: &[u8]) -> PyResult<Self> {
        let v4 = chunks_of::<8>(v4, "IPv4 intervals")?
            .iter()
            .map(|c| {
                (
                    u32::from_le_bytes(c[..4].try_into().expect("4")),
                    u32::from_le_bytes(c[4..].try_into().expect("4")),
                )
            })
            .collect();
        let v6 = chunks_of::<32>(v6, "IPv6 intervals")?
            .iter()
            .map(|c| (u128_at(&c[..16]), u128_at(&c[16..])))
            .collect();
        Ok(Grep {
            set: AddressSet::new(v4, v6),
        })
    }

    /// Grep the open file descriptor `fd` (or `data` when given), writing
    /// the output of each block to `out_fd` or calling `write(bytes)` with
    /// it; return (lines, selected).
    #[pyo3(signature = (write=None, *, fd=None, data=None, out_fd=None, invert=false,
                        count_only=false, only_matching=false, line_numbers=false,
                        label=Vec::new(), universal_newlines=true, lossy=true))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        write: Option<&Bound<'_, PyAny>>,
        fd: Option<i32>,
        data: Option<&[u8]>,
        out_fd: Option<i32>,
        invert: bool,
        count_only: bool,
        only_matching: bool,
        line_numbers: bool,
        label: Vec<u8>,
        universal_newlines: bool,
        lossy: bool,
    ) -> PyResult<(u64, u64)> {
        let options = GrepOptions {
            invert,
            count_only,
            only_matching,
            line_numbers,
            label,
            newlines: newlines_from(universal_newlines),
            lossy,
        };
        let mut sink = Sink::new(write, out_fd)?;
        let mut lines = 0u64;
        let mut selected = 0u64;
        let mut buffers = GrepBuffers::default();
        let mut handle = |reader: &mut (dyn Read + Send)| -> PyResult<()> {
            let mut blocks = BlockReader::new(reader, BLOCK_BYTES);
            loop {
                let more = py.allow_threads(|| -> io::Result<bool> {
                    let Some(text) = blocks.next_block()? else {
                        return Ok(false);
                    };
                    buffers.run(&self.set, &options, text, lines + 1);
                    Ok(true)
                });
                if !more.map_err(|err| PyOSError::new_err(err.to_string()))? {
                    return Ok(());
                }
                let pieces = buffers.last();
                lines += pieces.iter().map(|p| p.lines).sum::<u64>();
                selected += pieces.iter().map(|p| p.selected).sum::<u64>();
                sink.emit(py, pieces.iter().map(|p| p.output.as_slice()))?;
            }
        };
        match (fd, data) {
            (Some(fd), None) => handle(&mut BorrowedFd::new(fd))?,
            (None, Some(mut data)) => handle(&mut data)?,
            _ => return Err(PyValueError::new_err("give exactly one of fd and data")),
        }
        Ok((lines, selected))
    }
}

type ByteSpan = (usize, usize);

/// The IPv4 and IPv6 candidate spans of `text`, as `(start, end)` byte offsets.
#[pyfunction]
fn scan_candidates(text: &[u8]) -> (Vec<ByteSpan>, Vec<ByteSpan>) {
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    ipv4_candidates(text, &mut v4);
    ipv6_candidates(text, &mut v6);
    let pairs = |spans: Vec<Span>| spans.into_iter().map(|s| (s.start, s.end)).collect();
    (pairs(v4), pairs(v6))
}

/// `(bits, value)` of an address the Python core accepts, else None.
#[pyfunction]
fn parse_address(text: &[u8]) -> Option<(u32, u128)> {
    parse_word(text)
}

fn le_items<const N: usize, T>(data: &[u8], what: &str, convert: fn([u8; N]) -> T) -> PyResult<Vec<T>> {
    Ok(chunks_of::<N>(data, what)?.into_iter().map(convert).collect())
}

fn key_of(key: &[u8]) -> PyResult<[u8; 16]> {
    key.try_into()
        .map_err(|_| PyValueError::new_err("a table key is 16 bytes"))
}

/// A longest-prefix-match table with each row's annotation text, for
/// `cidrkit lookup`; built from arrays, or mapped from a saved image.
#[pyclass(module = "cidrkit._engine")]
struct LookupTable {
    image: TableImage,
    hits: Vec<u64>,
    misses: u64,
}

#[pymethods]
impl LookupTable {
    /// Build from little-endian arrays: IPv4 starts (u32), IPv6 starts as
    /// (hi, lo) u64 pairs, lengths (u8) and rows (i32) per family; the
    /// annotation of each row (`suffix_offsets`, u64, into `suffixes`), the
    /// annotation of a miss, and the table's problems as text.
    #[staticmethod]
    #[pyo3(signature = (v4_starts, v4_lengths, v4_rows, v6_starts, v6_lengths, v6_rows,
                        suffix_offsets, suffixes, miss, problems, key, stamp))]
    #[allow(clippy::too_many_arguments)]
    fn build(
        py: Python<'_>,
        v4_starts: &[u8],
        v4_lengths: &[u8],
        v4_rows: &[u8],
        v6_starts: &[u8],
        v6_lengths: &[u8],
        v6_rows: &[u8],
        suffix_offsets: &[u8],
        suffixes: &[u8],
        miss: &[u8],
        problems: &[u8],
        key: &[u8],
        stamp: &[u8],
    ) -> PyResult<Self> {
        let v4_starts = le_items::<4, u32>(v4_starts, "IPv4 starts", u32::from_le_bytes)?;
        let v4_rows = le_items::<4, i32>(v4_rows, "IPv4 rows", i32::from_le_bytes)?;
        let v6_starts = le_items::<16, u128>(v6_starts, "IPv6 starts", |b| u128_at(&b))?;
        let v6_rows = le_items::<4, i32>(v6_rows, "IPv6 rows", i32::from_le_bytes)?;
        let offsets = le_items::<8, u64>(suffix_offsets, "suffix offsets", u64::from_le_bytes)?;
        if v4_starts.len() != v4_lengths.len()
            || v4_starts.len() != v4_rows.len()
            || v6_starts.len() != v6_lengths.len()
            || v6_starts.len() != v6_rows.len()
        {
            return Err(PyValueError::new_err("starts, lengths and rows differ in length"));
        }
        let rows = offsets.len().saturating_sub(1) as i64;
        let bad_row = v4_rows
            .iter()
            .chain(&v6_rows)
            .any(|&r| r < 0 || i64::from(r) >= rows);
        let bad_length = v4_lengths.iter().any(|&l| l > 32) || v6_lengths.iter().any(|&l| l > 128);
        if bad_row || bad_length || offsets.last().is_none_or(|&end| end as usize != suffixes.len()) {
            return Err(PyValueError::new_err(
                "rows, lengths or suffix offsets out of range",
            ));
        }
        let (key, stamp) = (key_of(key)?, key_of(stamp)?);
        let image = py.allow_threads(|| {
            let zip4 = v4_starts.into_iter().zip(v4_lengths.iter().copied()).zip(v4_rows);
            let zip6 = v6_starts.into_iter().zip(v6_lengths.iter().copied()).zip(v6_rows);
            let (v4, v6) = rayon::join(
                || lpm::build(zip4.map(|((s, l), r)| (s, l, r)).collect()),
                || lpm::build(zip6.map(|((s, l), r)| (s, l, r)).collect()),
            );
            let parts = TableParts {
                v4: &v4,
                v6: &v6,
                suffix_offsets: &offsets,
                suffixes,
                miss,
                problems,
            };
            TableImage::new(&parts, key, stamp)
        });
        Ok(Self::with_image(image))
    }

    /// The table saved at `path` for this content `key` or file `stamp`,
    /// or None (missing, stale, foreign).
    #[staticmethod]
    #[pyo3(signature = (path, *, key=None, stamp=None))]
    fn open(path: std::path::PathBuf, key: Option<&[u8]>, stamp: Option<&[u8]>) -> PyResult<Option<Self>> {
        let key = key.map(key_of).transpose()?;
        let stamp = stamp.map(key_of).transpose()?;
        Ok(TableImage::open(&path, key, stamp).map(Self::with_image))
    }

    /// Save the table to `path` (through a temporary file and a rename).
    fn save(&self, path: std::path::PathBuf) -> PyResult<()> {
        self.image
            .save(&path)
            .map_err(|err| PyOSError::new_err(err.to_string()))
    }

    /// The table's problems, as text (one message per line).
    fn problems<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.image.problems())
    }

    fn __len__(&self) -> usize {
        self.image.rows()
    }

    /// The row of the longest prefix holding each address text (-1: none, -2: not an address).
    fn lookup_words(&self, words: Vec<String>) -> Vec<i32> {
        words
            .iter()
            .map(|word| match parse_word(word.as_bytes()) {
                Some((128, v)) => self.image.v6().lookup(v),
                Some((_, v)) => self.image.v4().lookup(v as u32),
                None => -2,
            })
            .collect()
    }

    /// The rows of `count` values of an Arrow string column read in place,
    /// from value `first`: `offsets` and `data` are its buffers as
    /// contiguous bytes (int32 offsets, int64 when `large`). Little-endian
    /// int32 per value: the row, -1 for no match, -2 for not an address.
    #[pyo3(signature = (offsets, data, *, first, count, large))]
    fn lookup_arrow_text<'py>(
        &self,
        py: Python<'py>,
        offsets: &Bound<'py, PyAny>,
        data: &Bound<'py, PyAny>,
        first: usize,
        count: usize,
        large: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (offsets, data) = (contiguous_bytes(offsets)?, contiguous_bytes(data)?);
        let image = &self.image;
        let rows = py.allow_threads(|| {
            // SAFETY: both buffers are held (and their exporters pinned) for this call.
            let (raw, text) = unsafe { (offsets.as_bytes(), data.as_bytes()) };
            let offsets = if large {
                Offsets::Large(raw)
            } else {
                Offsets::Small(raw)
            };
            let mut rows = vec![0i32; count];
            lookup_text_values(image, offsets, text, first, &mut rows).then_some(rows)
        });
        let rows = rows.ok_or_else(|| PyValueError::new_err("offsets too short for the values"))?;
        PyBytes::new_with(py, 4 * count, |out| {
            for (chunk, row) in out.chunks_exact_mut(4).zip(&rows) {
                chunk.copy_from_slice(&row.to_le_bytes());
            }
            Ok(())
        })
    }

    /// Annotate the lines of the open file descriptor `fd` (or of `data`),
    /// writing each block's output to `out_fd` or calling `write(bytes)`
    /// with it, and calling `report([(line, word), ...])` for first words
    /// that are not addresses; return the number of lines.
    #[pyo3(signature = (report, *, write=None, fd=None, data=None, out_fd=None,
                        universal_newlines=true, lossy=true, matched_only=false,
                        count_hits=false, progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn annotate(
        &mut self,
        py: Python<'_>,
        report: &Bound<'_, PyAny>,
        write: Option<&Bound<'_, PyAny>>,
        fd: Option<i32>,
        data: Option<&[u8]>,
        out_fd: Option<i32>,
        universal_newlines: bool,
        lossy: bool,
        matched_only: bool,
        count_hits: bool,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let options = LookupOptions {
            newlines: newlines_from(universal_newlines),
            lossy,
            matched_only,
            rows_wanted: count_hits,
        };
        if count_hits && self.hits.is_empty() {
            self.hits = vec![0; self.image.rows()];
        }
        let mut sink = Sink::new(write, out_fd)?;
        let mut lines = 0u64;
        let mut buffers = LookupBuffers::default();
        let image = &self.image;
        let hits = &mut self.hits;
        let misses = &mut self.misses;
        let mut handle = |reader: &mut (dyn Read + Send)| -> PyResult<()> {
            let mut blocks = BlockReader::new(reader, BLOCK_BYTES);
            loop {
                let size = py.allow_threads(|| -> io::Result<Option<usize>> {
                    let Some(text) = blocks.next_block()? else {
                        return Ok(None);
                    };
                    buffers.run(image, &options, text);
                    Ok(Some(text.len()))
                });
                let Some(size) = size.map_err(|err| PyOSError::new_err(err.to_string()))? else {
                    return Ok(());
                };
                let pieces = buffers.last();
                let mut found: Vec<(u64, String)> = Vec::new();
                for piece in pieces {
                    for &row in &piece.rows {
                        hits[row as usize] += 1;
                    }
                    *misses += piece.misses;
                    found.extend(
                        piece
                            .problems
                            .iter()
                            .map(|p| (lines + 1 + p.line, p.word.clone())),
                    );
                    lines += piece.lines;
                }
                if !found.is_empty() {
                    report.call1((found,))?;
                }
                sink.emit(py, pieces.iter().map(|p| p.output.as_slice()))?;
                if let Some(progress) = progress {
                    progress.call1((size,))?;
                }
            }
        };
        match (fd, data) {
            (Some(fd), None) => handle(&mut BorrowedFd::new(fd))?,
            (None, Some(mut data)) => handle(&mut data)?,
            _ => return Err(PyValueError::new_err("give exactly one of fd and data")),
        }
        Ok(lines)
    }

    /// Records that matched nothing (or held no address), over every input so far.
    #[getter]
    fn misses(&self) -> u64 {
        self.misses
    }

    /// `hits<TAB>prefix<TAB>labels` per row hit, most hits first (then by
    /// row), and the misses line: the text form of `lookup --stats`.
    fn stats_text<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut rows: Vec<usize> = (0..self.hits.len()).filter(|&r| self.hits[r] > 0).collect();
        rows.sort_by_key(|&r| (std::cmp::Reverse(self.hits[r]), r));
        let mut out = Vec::new();
        for row in rows {
            push_number(&mut out, self.hits[row]);
            out.extend_from_slice(self.image.suffix(row));
            out.push(b'\n');
        }
        push_number(&mut out, self.misses);
        out.extend_from_slice(b"\t(no match)\n");
        PyBytes::new(py, &out)
    }
}

impl LookupTable {
    fn with_image(image: TableImage) -> Self {
        LookupTable {
            image,
            hits: Vec::new(),
            misses: 0,
        }
    }
}

/// A lookup table's text read in the engine, for `LookupTable` to be
/// built from: the rows the engine read, and the cells it left to the
/// Python parser (`declined`), whose verdicts come back to `build`.
#[pyclass(module = "cidrkit._engine")]
struct TableReader {
    text: TableText,
}

#[pymethods]
impl TableReader {
    /// Read a plain list (`csv=False`) or a CSV; None for a table the
    /// Python reader must take as a whole (not UTF-8, a NUL byte, a CSV
    /// layout read differently by Python's `csv`).
    #[staticmethod]
    fn read(py: Python<'_>, data: &[u8], csv: bool) -> Option<Self> {
        let data = data.to_vec();
        py.allow_threads(|| TableText::read(data, csv))
            .map(|text| TableReader { text })
    }

    /// Records read: a plain list's lines, or a CSV's header and rows.
    fn __len__(&self) -> usize {
        self.text.records()
    }

    /// The fields of record `k` (a CSV's header is record 0).
    fn record<'py>(&self, py: Python<'py>, k: usize) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        if k >= self.text.records() {
            return Err(PyValueError::new_err("no such record"));
        }
        Ok(self.text.record(k).iter().map(|f| PyBytes::new(py, f)).collect())
    }

    /// Read the prefix cell of every row from field `prefix_at`; label
    /// fields `label_at`, in that order.
    fn use_columns(&mut self, py: Python<'_>, prefix_at: usize, label_at: Vec<usize>) {
        let text = &mut self.text;
        py.allow_threads(|| text.use_columns(prefix_at, label_at));
    }

    /// `(row, cell)` of every row whose prefix cell the engine left to the
    /// Python parser (rows count from 0 after a CSV's header).
    fn declined<'py>(&self, py: Python<'py>) -> Vec<(usize, Bound<'py, PyBytes>)> {
        self.text
            .declined()
            .iter()
            .map(|(row, cell)| (*row, PyBytes::new(py, cell)))
            .collect()
    }

    /// Rows whose prefix the engine read (the declined ones not counted).
    fn parsed(&self) -> usize {
        self.text.parsed()
    }

    /// Build the table. The declined rows the Python parser read as
    /// prefixes come as little-endian arrays: rows (i64), bits (u8: 32 or
    /// 128), network (hi, lo) u64 pairs, lengths (u8).
    /// The table is saved at the first of `places` that takes it and
    /// mapped from there (kept in memory when none does).
    #[pyo3(signature = (rows, bits, networks, lengths, *, miss, problems, key, stamp, places))]
    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        py: Python<'_>,
        rows: &[u8],
        bits: &[u8],
        networks: &[u8],
        lengths: &[u8],
        miss: &[u8],
        problems: &[u8],
        key: &[u8],
        stamp: &[u8],
        places: Vec<std::path::PathBuf>,
    ) -> PyResult<LookupTable> {
        let rows = le_items::<8, i64>(rows, "rows", i64::from_le_bytes)?;
        let networks = le_items::<16, u128>(networks, "networks", |b| u128_at(&b))?;
        if rows.len() != bits.len() || rows.len() != lengths.len() || rows.len() != networks.len() {
            return Err(PyValueError::new_err(
                "rows, bits, networks and lengths differ in length",
            ));
        }
        let body_rows = self.text.body_rows();
        let mut settled = Vec::with_capacity(rows.len());
        for (((&row, &bits), &network), &length) in rows.iter().zip(bits).zip(&networks).zip(lengths) {
            let fits = (bits == 32 || bits == 128) && length <= bits && (bits == 128 || network >> 32 == 0);
            let row = usize::try_from(row).ok().filter(|&row| fits && row < body_rows);
            let Some(row) = row else {
                return Err(PyValueError::new_err("a settled row is out of range"));
            };
            settled.push((
                row,
                Item {
                    bits,
                    network,
                    length,
                },
            ));
        }
        let (key, stamp) = (key_of(key)?, key_of(stamp)?);
        let text = &self.text;
        let image_text = ImageText {
            miss,
            problems,
            key,
            stamp,
        };
        let image = py.allow_threads(|| text.build(&mut settled, &image_text, &places));
        Ok(LookupTable::with_image(image))
    }
}

/// A C-contiguous byte buffer (bytes, a numpy uint8 array, a memoryview).
struct ByteBuffer(PyBuffer<u8>);

fn contiguous_bytes(object: &Bound<'_, PyAny>) -> PyResult<ByteBuffer> {
    let buffer = PyBuffer::<u8>::get(object)?;
    if !buffer.is_c_contiguous() {
        return Err(PyValueError::new_err("a buffer must be contiguous"));
    }
    Ok(ByteBuffer(buffer))
}

impl ByteBuffer {
    /// # Safety
    /// The exporter must not change the bytes while the slice is in use.
    unsafe fn as_bytes(&self) -> &[u8] {
        let length = self.0.len_bytes();
        if length == 0 {
            return &[];
        }
        std::slice::from_raw_parts(self.0.buf_ptr() as *const u8, length)
    }
}

fn parse_word(text: &[u8]) -> Option<(u32, u128)> {
    if text.contains(&b':') {
        parse_v6(text).map(|v| (128, v))
    } else {
        parse_v4(text).map(|v| (32, u128::from(v)))
    }
}

/// A 16-byte key of a table's content and the options it was read with.
#[pyfunction]
fn content_key<'py>(py: Python<'py>, data: &[u8], salt: &[u8]) -> Bound<'py, PyBytes> {
    let key = py.allow_threads(|| tablefile::content_key(data, salt));
    PyBytes::new(py, &key)
}

/// Merge inputs whose every line is a plain prefix or address: call
/// `write(bytes)` with the merged prefixes (IPv4 first) and return True;
/// return False, writing nothing, when any line is something else.
#[pyfunction]
fn merge_text(py: Python<'_>, chunks: Vec<Bound<'_, PyBytes>>, write: &Bound<'_, PyAny>) -> PyResult<bool> {
    let slices: Vec<&[u8]> = chunks.iter().map(|chunk| chunk.as_bytes()).collect();
    let Some(merged) = py.allow_threads(|| setalgebra::merge_intervals(&slices)) else {
        return Ok(false);
    };
    drop(slices);
    setalgebra::write_prefixes(&merged, |block| write.call1((PyBytes::new(py, block),)).map(drop))?;
    Ok(true)
}

/// `exclude` or `intersect` of two plain prefix lists: call `write(bytes)`
/// with the resulting prefixes and return whether there were any; None,
/// writing nothing, when a line of either is not a plain prefix or address.
#[pyfunction]
fn set_operation_text(
    py: Python<'_>,
    op: &str,
    left: Vec<Bound<'_, PyBytes>>,
    right: Vec<Bound<'_, PyBytes>>,
    write: &Bound<'_, PyAny>,
) -> PyResult<Option<bool>> {
    if op != "exclude" && op != "intersect" {
        return Err(PyValueError::new_err(format!("unknown set operation {op:?}")));
    }
    let left: Vec<&[u8]> = left.iter().map(|chunk| chunk.as_bytes()).collect();
    let right: Vec<&[u8]> = right.iter().map(|chunk| chunk.as_bytes()).collect();
    let Some(result) = py.allow_threads(|| setalgebra::set_operation(op, &left, &right)) else {
        return Ok(None);
    };
    setalgebra::write_prefixes(&result, |block| write.call1((PyBytes::new(py, block),)).map(drop))?;
    Ok(Some(!result.v4.is_empty() || !result.v6.is_empty()))
}

/// `overlaps` of plain prefix lists: return `(items, pairs)`, or None when
/// a line is not a plain prefix or address. With more than two items, call
/// `write(bytes)` with the pairs in `style` ("text" or "json"; "count"
/// writes nothing); with two or fewer, write nothing (the caller words
/// those cases itself).
#[pyfunction]
#[pyo3(signature = (chunks, write, *, style="text"))]
fn overlaps_text(
    py: Python<'_>,
    chunks: Vec<Bound<'_, PyBytes>>,
    write: &Bound<'_, PyAny>,
    style: &str,
) -> PyResult<Option<(usize, u64)>> {
    let style = match style {
        "text" => Some(Style::Text),
        "json" => Some(Style::Json),
        "count" => None,
        _ => return Err(PyValueError::new_err(format!("unknown overlaps style {style:?}"))),
    };
    let slices: Vec<&[u8]> = chunks.iter().map(|chunk| chunk.as_bytes()).collect();
    let Some(report) = py.allow_threads(|| Report::new(&slices)) else {
        return Ok(None);
    };
    if let (Some(style), true) = (style, report.items() > 2) {
        report.write(style, |block| write.call1((PyBytes::new(py, block),)).map(drop))?;
    }
    Ok(Some((report.items(), report.pairs())))
}

#[pymodule]
fn _engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Grep>()?;
    m.add_class::<LookupTable>()?;
    m.add_class::<TableReader>()?;
    m.add_function(wrap_pyfunction!(content_key, m)?)?;
    m.add_function(wrap_pyfunction!(merge_text, m)?)?;
    m.add_function(wrap_pyfunction!(overlaps_text, m)?)?;
    m.add_function(wrap_pyfunction!(set_operation_text, m)?)?;
    m.add_function(wrap_pyfunction!(scan_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(parse_address, m)?)?;
    Ok(())
}
