//! The Python module `cidrkit._engine`: thin bindings, no logic of their own.

use std::fs::File;
use std::io::{self, Read};
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::addr::{parse_v4, parse_v6};
use crate::addrset::AddressSet;
use crate::grep::{grep_block, GrepOptions};
use crate::lines::{BlockReader, Newlines};
use crate::scan::{ipv4_candidates, ipv6_candidates, Span};

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

    /// Grep the open file descriptor `fd` (or `data` when given), calling
    /// `write(bytes)` with the output of each block; return (lines, selected).
    #[pyo3(signature = (write, *, fd=None, data=None, invert=false, count_only=false,
                        only_matching=false, line_numbers=false, label=Vec::new(),
                        universal_newlines=true, lossy=true))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        write: &Bound<'_, PyAny>,
        fd: Option<i32>,
        data: Option<Vec<u8>>,
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
        let mut lines = 0u64;
        let mut selected = 0u64;
        let mut handle = |reader: &mut (dyn Read + Send)| -> PyResult<()> {
            let mut blocks = BlockReader::new(reader, BLOCK_BYTES);
            loop {
                let result = py.allow_threads(|| {
                    blocks
                        .next_block()
                        .map(|block| block.map(|text| grep_block(&self.set, &options, text, lines + 1)))
                });
                let Some(block) = result.map_err(|err| PyOSError::new_err(err.to_string()))? else {
                    return Ok(());
                };
                lines += block.lines;
                selected += block.selected;
                if !block.output.is_empty() {
                    write.call1((PyBytes::new(py, &block.output),))?;
                }
            }
        };
        match (fd, data) {
            (Some(fd), None) => handle(&mut BorrowedFd::new(fd))?,
            (None, Some(data)) => handle(&mut &data[..])?,
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
    if text.contains(&b':') {
        parse_v6(text).map(|v| (128, v))
    } else {
        parse_v4(text).map(|v| (32, u128::from(v)))
    }
}

#[pymodule]
fn _engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Grep>()?;
    m.add_function(wrap_pyfunction!(scan_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(parse_address, m)?)?;
    Ok(())
}
