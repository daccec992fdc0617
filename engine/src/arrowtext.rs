//! Longest-prefix match over an Arrow string column read in place: the
//! column's offsets and value bytes exactly as Arrow lays them out (32-bit
//! offsets for `string`, 64-bit for `large_string`), one row number out per
//! value, no copy of the text and no object per value.
//!
//! Verdicts are the strict ones of `addr`: a value that is not exactly an
//! address (spaces, a line break, a prefix) is `NOT_AN_ADDRESS`, and the
//! caller decides what it means and what a message says. Nulls are the
//! caller's too: Arrow leaves a null slot's bytes unspecified.

use crate::addr::{parse_v4, parse_v6};
use crate::tablefile::TableImage;

/// The row of a value that is not an address (or whose offsets are broken).
pub const NOT_AN_ADDRESS: i32 = -2;

/// The offsets buffer of a string column, as little-endian bytes.
#[derive(Clone, Copy, Debug)]
pub enum Offsets<'a> {
    /// `string`: 4 bytes per offset.
    Small(&'a [u8]),
    /// `large_string`: 8 bytes per offset.
    Large(&'a [u8]),
}

impl Offsets<'_> {
    fn width(self) -> usize {
        match self {
            Offsets::Small(_) => 4,
            Offsets::Large(_) => 8,
        }
    }

    fn entries(self) -> usize {
        match self {
            Offsets::Small(raw) | Offsets::Large(raw) => raw.len() / self.width(),
        }
    }

    /// Offset `k` as an index, or None when it is negative or too large.
    #[inline]
    fn at(self, k: usize) -> Option<usize> {
        match self {
            Offsets::Small(raw) => {
                let bytes = raw.get(4 * k..4 * k + 4)?;
                usize::try_from(i32::from_le_bytes(bytes.try_into().ok()?)).ok()
            }
            Offsets::Large(raw) => {
                let bytes = raw.get(8 * k..8 * k + 8)?;
                usize::try_from(i64::from_le_bytes(bytes.try_into().ok()?)).ok()
            }
        }
    }
}

/// The table row of the longest prefix holding each of the `rows.len()`
/// values starting at value `first` (the array's own offset into its
/// buffers): -1 for no match, `NOT_AN_ADDRESS` for text that is not one.
///
/// Returns false, with nothing written, when the offsets buffer is too short
/// for the values asked; a value whose offsets fall outside `data` is
/// `NOT_AN_ADDRESS` rather than a read out of bounds.
pub fn lookup_text_values(
    image: &TableImage,
    offsets: Offsets<'_>,
    data: &[u8],
    first: usize,
    rows: &mut [i32],
) -> bool {
    if first
        .checked_add(rows.len())
        .is_none_or(|last| last >= offsets.entries())
    {
        return false;
    }
    let (v4, v6) = (image.v4(), image.v6());
    let mut start = offsets.at(first);
    for (k, row) in rows.iter_mut().enumerate() {
        let end = offsets.at(first + k + 1);
        let value = match (start, end) {
            (Some(s), Some(e)) if s <= e => data.get(s..e),
            _ => None,
        };
        *row = match value {
            // An IPv4 address is at most 15 bytes and has no colon; scanning a
            // value that short for one is cheaper than a failed IPv4 parse.
            Some(text) if text.len() <= 15 && !text.contains(&b':') => {
                parse_v4(text).map_or(NOT_AN_ADDRESS, |a| v4.lookup(a))
            }
            Some(text) => parse_v6(text).map_or(NOT_AN_ADDRESS, |a| v6.lookup(a)),
            None => NOT_AN_ADDRESS,
        };
        start = end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lpm;
    use crate::tablefile::TableParts;

    fn table() -> TableImage {
        // Row 0: 10.0.0.0/8, row 1: 10.1.0.0/16, row 2: 2001:db8::/32.
        let v4 = lpm::build(vec![(0x0A00_0000u32, 8, 0), (0x0A01_0000, 16, 1)]);
        let v6 = lpm::build(vec![(0x2001_0db8u128 << 96, 32, 2)]);
        let parts = TableParts {
            v4: &v4,
            v6: &v6,
            suffix_offsets: &[0, 0, 0, 0],
            suffixes: b"",
            miss: b"",
            problems: b"",
        };
        TableImage::new(&parts, [0; 16], [0; 16])
    }

    fn column(values: &[&str]) -> (Vec<u8>, Vec<u8>) {
        let mut offsets = vec![0i32];
        let mut data = Vec::new();
        for v in values {
            data.extend_from_slice(v.as_bytes());
            offsets.push(data.len() as i32);
        }
        (offsets.iter().flat_map(|o| o.to_le_bytes()).collect(), data)
    }

    #[test]
    fn both_families_misses_and_bad_text() {
        let values = [
            "10.1.2.3",
            "10.9.9.9",
            "192.0.2.1",
            "2001:db8::1",
            "::1",
            "",
            "10.1.2.3 ",
            "010.1.2.3",
        ];
        let (offsets, data) = column(&values);
        let mut rows = vec![0; values.len()];
        assert!(lookup_text_values(
            &table(),
            Offsets::Small(&offsets),
            &data,
            0,
            &mut rows
        ));
        assert_eq!(rows, [1, 0, -1, 2, -1, -2, -2, -2]);
    }

    #[test]
    fn a_slice_starts_at_its_offset_and_large_offsets_read_alike() {
        let (small, data) = column(&["x", "10.1.2.3", "2001:db8::"]);
        let large: Vec<u8> = small
            .chunks_exact(4)
            .flat_map(|c| i64::from(i32::from_le_bytes(c.try_into().unwrap())).to_le_bytes())
            .collect();
        let mut rows = vec![0; 2];
        assert!(lookup_text_values(
            &table(),
            Offsets::Large(&large),
            &data,
            1,
            &mut rows
        ));
        assert_eq!(rows, [1, 2]);
    }

    #[test]
    fn broken_offsets_are_never_read_past() {
        let (offsets, _) = column(&["10.1.2.3"]);
        let mut rows = vec![0; 1];
        assert!(lookup_text_values(
            &table(),
            Offsets::Small(&offsets),
            b"10.1",
            0,
            &mut rows
        ));
        assert_eq!(rows, [NOT_AN_ADDRESS]);
        let mut too_many = vec![0; 2];
        assert!(!lookup_text_values(
            &table(),
            Offsets::Small(&offsets),
            b"",
            0,
            &mut too_many
        ));
        let backwards: Vec<u8> = [4i32, 0].iter().flat_map(|o| o.to_le_bytes()).collect();
        assert!(lookup_text_values(
            &table(),
            Offsets::Small(&backwards),
            b"10.1.2.3",
            0,
            &mut rows
        ));
        assert_eq!(rows, [NOT_AN_ADDRESS]);
    }
}
