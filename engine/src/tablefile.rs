//! A built lookup table as one aligned image: kept in memory after a build,
//! saved to a file, and memory-mapped as it is by the next run.
//!
//! Layout: a header (magic and format version, content key, file stamp,
//! the byte length of each section), then the sections, each starting at a
//! multiple of 16 bytes: per family (IPv4, then IPv6) the boundaries,
//! owners, slice index and second index (`refine`, `sub`); the offsets and
//! bytes of every row's annotation text; the text of a miss; the table's
//! problems (messages, one per line). An image of another format version
//! is not recognised, so it is rebuilt, never misread.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use memmap2::Mmap;

use crate::lpm::{bits_of_index, prefetch, Family, FamilyTable, FamilyView};

/// Format name and version, and a byte-order mark: an image written on a
/// machine of the other byte order is not recognised (and is rebuilt).
const MAGIC: [u8; 8] = [b'C', b'K', b'L', b'P', b'M', 4, 0x01, 0x02];
const SECTIONS: usize = 14;
/// The first section of each family: starts, owners, index, refine, sub.
const V4_SECTIONS: usize = 0;
const V6_SECTIONS: usize = 5;
const OFFSETS: usize = 10;
const SUFFIXES: usize = 11;
const MISS: usize = 12;
const PROBLEMS: usize = 13;
const KEY_AT: usize = 8;
const STAMP_AT: usize = 24;
const LENGTHS_AT: usize = 40;
const HEADER: usize = LENGTHS_AT + 8 * SECTIONS;
const ALIGN: usize = 16;

enum Store {
    // u128 elements: the image is 16-byte aligned, as IPv6 boundaries need.
    Owned(Vec<u128>),
    Mapped(Mmap),
}

/// The table image and where each section starts.
pub struct TableImage {
    store: Store,
    offsets: [usize; SECTIONS],
    lengths: [usize; SECTIONS],
}

/// What a built table consists of.
pub struct TableParts<'a> {
    pub v4: &'a FamilyTable<u32>,
    pub v6: &'a FamilyTable<u128>,
    /// `suffix_offsets[row]..suffix_offsets[row + 1]` of `suffixes` is row's annotation.
    pub suffix_offsets: &'a [u64],
    pub suffixes: &'a [u8],
    pub miss: &'a [u8],
    pub problems: &'a [u8],
}

fn bytes_of<T>(items: &[T]) -> &[u8] {
    // SAFETY: only called with plain integer types, which have no padding.
    unsafe { std::slice::from_raw_parts(items.as_ptr().cast::<u8>(), std::mem::size_of_val(items)) }
}

fn padded(length: usize) -> usize {
    length.div_ceil(ALIGN) * ALIGN
}

fn layout(lengths: &[usize; SECTIONS]) -> ([usize; SECTIONS], usize) {
    let mut offsets = [0; SECTIONS];
    let mut at = padded(HEADER);
    for (offset, &length) in offsets.iter_mut().zip(lengths) {
        *offset = at;
        at += padded(length);
    }
    (offsets, at)
}

fn sections_of<'a>(parts: &TableParts<'a>) -> [&'a [u8]; SECTIONS] {
    [
        bytes_of(&parts.v4.starts),
        bytes_of(&parts.v4.owners),
        bytes_of(&parts.v4.index),
        bytes_of(&parts.v4.refine),
        bytes_of(&parts.v4.sub),
        bytes_of(&parts.v6.starts),
        bytes_of(&parts.v6.owners),
        bytes_of(&parts.v6.index),
        bytes_of(&parts.v6.refine),
        bytes_of(&parts.v6.sub),
        bytes_of(parts.suffix_offsets),
        parts.suffixes,
        parts.miss,
        parts.problems,
    ]
}

/// The header of an image with sections of `lengths`.
fn header(key: [u8; 16], stamp: [u8; 16], lengths: &[usize; SECTIONS]) -> [u8; HEADER] {
    let mut bytes = [0u8; HEADER];
    bytes[..8].copy_from_slice(&MAGIC);
    bytes[KEY_AT..KEY_AT + 16].copy_from_slice(&key);
    bytes[STAMP_AT..STAMP_AT + 16].copy_from_slice(&stamp);
    for (i, &length) in lengths.iter().enumerate() {
        let at = LENGTHS_AT + 8 * i;
        bytes[at..at + 8].copy_from_slice(&(length as u64).to_le_bytes());
    }
    bytes
}

impl TableImage {
    /// Lay out a built table with its content key and the stamp (size,
    /// times, inode) of the file it was read from.
    pub fn new(parts: &TableParts<'_>, key: [u8; 16], stamp: [u8; 16]) -> TableImage {
        let sections = sections_of(parts);
        let lengths = sections.map(<[u8]>::len);
        let (offsets, total) = layout(&lengths);
        let mut store = vec![0u128; total / ALIGN];
        // SAFETY: u128 has no padding; the byte view covers exactly the vector.
        let bytes = unsafe { std::slice::from_raw_parts_mut(store.as_mut_ptr().cast::<u8>(), total) };
        bytes[..HEADER].copy_from_slice(&header(key, stamp, &lengths));
        for (i, section) in sections.iter().enumerate() {
            bytes[offsets[i]..offsets[i] + section.len()].copy_from_slice(section);
        }
        TableImage {
            store: Store::Owned(store),
            offsets,
            lengths,
        }
    }

    /// Save a built table to `path` and map it from there: the image is
    /// written section by section, never laid out in memory first, which
    /// spares a first run the copy of the whole table (tens of megabytes).
    pub fn save_and_open(
        parts: &TableParts<'_>,
        key: [u8; 16],
        stamp: [u8; 16],
        path: &Path,
    ) -> io::Result<TableImage> {
        let sections = sections_of(parts);
        let lengths = sections.map(<[u8]>::len);
        let (offsets, total) = layout(&lengths);
        let head = header(key, stamp, &lengths);
        let zeros = [0u8; ALIGN];
        replace_file(path, |file| {
            let mut out = io::BufWriter::with_capacity(1 << 16, file);
            out.write_all(&head)?;
            out.write_all(&zeros[..padded(HEADER) - HEADER])?;
            for (i, section) in sections.iter().enumerate() {
                out.write_all(section)?;
                let end = if i + 1 < SECTIONS { offsets[i + 1] } else { total };
                out.write_all(&zeros[..end - offsets[i] - section.len()])?;
            }
            out.flush()
        })?;
        TableImage::open(path, Some(key), None)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "the saved table does not read back"))
    }

    /// Map the image saved at `path` if it holds the table whose content
    /// key is `key`, or (without reading the table) whose file stamp is
    /// `stamp`. A missing, foreign, truncated or stale file is `None`,
    /// never an error.
    pub fn open(path: &Path, key: Option<[u8; 16]>, stamp: Option<[u8; 16]>) -> Option<TableImage> {
        let file = File::open(path).ok()?;
        // SAFETY: the file is replaced by rename, never rewritten in place,
        // so the mapped bytes do not change under us.
        let map = unsafe { Mmap::map(&file) }.ok()?;
        if map.len() < padded(HEADER) || map[..8] != MAGIC {
            return None;
        }
        let key_matches = key.is_some_and(|key| map[KEY_AT..KEY_AT + 16] == key);
        let stamp_matches = stamp.is_some_and(|stamp| map[STAMP_AT..STAMP_AT + 16] == stamp);
        if !key_matches && !stamp_matches {
            return None;
        }
        let mut lengths = [0usize; SECTIONS];
        for (i, length) in lengths.iter_mut().enumerate() {
            let at = LENGTHS_AT + 8 * i;
            *length = usize::try_from(u64::from_le_bytes(map[at..at + 8].try_into().ok()?)).ok()?;
        }
        let (offsets, total) = layout(&lengths);
        let image = TableImage {
            store: Store::Mapped(map),
            offsets,
            lengths,
        };
        (image.bytes().len() == total && image.is_consistent()).then_some(image)
    }

    /// Write the image to `path` through a temporary file and a rename, so
    /// a reader never sees half a file.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        replace_file(path, |mut file| file.write_all(self.bytes()))
    }

    fn bytes(&self) -> &[u8] {
        match &self.store {
            // SAFETY: u128 has no padding; the byte view covers exactly the vector.
            Store::Owned(words) => unsafe {
                std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), std::mem::size_of_val(&words[..]))
            },
            Store::Mapped(map) => map,
        }
    }

    fn section(&self, i: usize) -> &[u8] {
        &self.bytes()[self.offsets[i]..self.offsets[i] + self.lengths[i]]
    }

    fn items<T: Copy>(&self, i: usize) -> &[T] {
        let bytes = self.section(i);
        // SAFETY: T is a plain integer type (any bit pattern is a value);
        // sections start 16-byte aligned in a 16-byte aligned image.
        let (head, items, tail) = unsafe { bytes.align_to::<T>() };
        assert!(head.is_empty() && tail.is_empty(), "misaligned table section {i}");
        items
    }

    pub fn v4(&self) -> FamilyView<'_, u32> {
        self.family(V4_SECTIONS)
    }

    pub fn v6(&self) -> FamilyView<'_, u128> {
        self.family(V6_SECTIONS)
    }

    fn family<T: Copy + Family>(&self, first: usize) -> FamilyView<'_, T> {
        // Images are checked on opening (`is_consistent`), so the index is valid.
        FamilyView::new(
            self.items(first),
            self.items(first + 1),
            self.items(first + 2),
            self.items(first + 3),
            self.items(first + 4),
        )
        .expect("a checked image")
    }

    pub fn rows(&self) -> usize {
        self.items::<u64>(OFFSETS).len().saturating_sub(1)
    }

    /// The annotation text of `row`.
    #[inline]
    pub fn suffix(&self, row: usize) -> &[u8] {
        self.suffix_bytes(self.suffix_span(row))
    }

    /// Where the annotation text of `row` lies, for `suffix_bytes`.
    #[inline]
    pub fn suffix_span(&self, row: usize) -> (usize, usize) {
        let offsets = self.items::<u64>(OFFSETS);
        (offsets[row] as usize, offsets[row + 1] as usize)
    }

    #[inline]
    pub fn suffix_bytes(&self, (start, end): (usize, usize)) -> &[u8] {
        &self.section(SUFFIXES)[start..end]
    }

    /// Ask for the annotation text starting at `start` to be brought into the cache.
    #[inline]
    pub fn prefetch_suffix(&self, start: usize) {
        if let Some(byte) = self.section(SUFFIXES).get(start) {
            prefetch(byte);
        }
    }

    pub fn miss(&self) -> &[u8] {
        self.section(MISS)
    }

    pub fn problems(&self) -> &[u8] {
        self.section(PROBLEMS)
    }

    /// Checks that make every later index in bounds, for a file read from disk.
    fn is_consistent(&self) -> bool {
        // Element sizes of the sections: per family starts, owners, index,
        // refine, sub; then the annotation offsets.
        const ITEM_SIZES: [usize; 11] = [4, 4, 4, 4, 4, 16, 4, 4, 4, 4, 8];
        let sizes_fit = ITEM_SIZES
            .iter()
            .zip(&self.lengths)
            .all(|(&size, length)| length.is_multiple_of(size));
        if !sizes_fit {
            return false;
        }
        let rows = self.rows();
        let offsets = self.items::<u64>(OFFSETS);
        !offsets.is_empty()
            && offsets.windows(2).all(|w| w[0] <= w[1])
            && offsets
                .last()
                .is_some_and(|&end| end as usize == self.lengths[SUFFIXES])
            && self.family_fits::<u32>(V4_SECTIONS, rows)
            && self.family_fits::<u128>(V6_SECTIONS, rows)
    }

    fn family_fits<T: Copy + Family>(&self, first: usize, rows: usize) -> bool {
        let (starts, owners, index) = (
            self.items::<T>(first),
            self.items::<i32>(first + 1),
            self.items::<u32>(first + 2),
        );
        let fits = !starts.is_empty()
            && starts.len() == owners.len()
            && bits_of_index(index.len()).is_some()
            && index.windows(2).all(|w| w[0] <= w[1])
            && index.last().is_some_and(|&end| end as usize == starts.len())
            // Boundary 0 is address 0: a lookup never steps before the first.
            && starts.first() == Some(&T::default())
            && owners.iter().all(|&o| o >= -1 && (o as i64) < rows as i64);
        fits && self.family::<T>(first).refinement_fits()
    }
}

/// Write `path` through `write` on a temporary file and a rename, so a
/// reader never sees half a file.
fn replace_file(path: &Path, write: impl FnOnce(&File) -> io::Result<()>) -> io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("table");
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = File::create(&temporary).and_then(|file| write(&file));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
        return result;
    }
    fs::rename(&temporary, path).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

/// A 128-bit key of `data` (and `salt`, the options the table was read
/// with): four multiply-rotate lanes over 8-byte words. Not cryptographic;
/// it tells one table's content from another's, so a changed table is rebuilt.
pub fn content_key(data: &[u8], salt: &[u8]) -> [u8; 16] {
    const K: [u64; 4] = [
        0x9E37_79B9_7F4A_7C15,
        0xC2B2_AE3D_27D4_EB4F,
        0x1656_67B1_9E37_79F9,
        0x27D4_EB2F_1656_67C5,
    ];
    let mut lanes = [K[0] ^ data.len() as u64, K[1], K[2] ^ salt.len() as u64, K[3]];
    let mut mix = |bytes: &[u8]| {
        let mut chunks = bytes.chunks_exact(32);
        for chunk in &mut chunks {
            for (lane, (k, word)) in lanes.iter_mut().zip(K.iter().zip(chunk.chunks_exact(8))) {
                let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
                *lane = (*lane ^ w.wrapping_mul(*k)).rotate_left(29).wrapping_mul(K[0]);
            }
        }
        for (i, &b) in chunks.remainder().iter().enumerate() {
            let lane = &mut lanes[i % 4];
            *lane = (*lane ^ u64::from(b)).wrapping_mul(K[1]).rotate_left(17);
        }
    };
    mix(data);
    mix(salt);
    let finish = |mut h: u64| {
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        h ^ (h >> 33)
    };
    let a = finish(lanes[0] ^ lanes[1].rotate_left(21));
    let b = finish(lanes[2] ^ lanes[3].rotate_left(43) ^ a);
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&a.to_le_bytes());
    key[8..].copy_from_slice(&b.to_le_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lpm::build;

    #[test]
    fn saved_image_maps_back_the_same_and_rejects_another_key() {
        let v4 = build(vec![(0x0A00_0000u32, 8, 0), (0x0A01_0000, 16, 1)]);
        let v6 = build(vec![(0x2001_0db8u128 << 96, 32, 2)]);
        let parts = TableParts {
            v4: &v4,
            v6: &v6,
            suffix_offsets: &[0, 3, 6, 9],
            suffixes: b"\tA\n\tB\n\tC\n",
            miss: b"\t-",
            problems: b"bad row\n",
        };
        let key = content_key(b"table", b"text");
        let image = TableImage::new(&parts, key, [7; 16]);
        let dir = std::env::temp_dir().join(format!("cidrkit-engine-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.lpm");
        image.save(&path).unwrap();
        let mapped = TableImage::open(&path, Some(key), None).expect("same key");
        assert!(
            TableImage::open(&path, None, Some([7; 16])).is_some(),
            "same stamp"
        );
        assert!(
            TableImage::open(&path, None, Some([8; 16])).is_none(),
            "another stamp"
        );
        assert_eq!(mapped.v4().lookup(0x0A01_0203), 1);
        assert_eq!(mapped.v4().lookup(0x0A02_0000), 0);
        assert_eq!(mapped.v6().lookup((0x2001_0db8u128 << 96) | 5), 2);
        assert_eq!(
            (mapped.suffix(1), mapped.miss(), mapped.problems()),
            (&b"\tB\n"[..], &b"\t-"[..], &b"bad row\n"[..])
        );
        assert!(TableImage::open(&path, Some(content_key(b"table2", b"text")), None).is_none());
        // An image of another format version is not read, whatever its key.
        let mut other_version = image.bytes().to_vec();
        other_version[5] = 3;
        fs::write(&path, &other_version).unwrap();
        assert!(TableImage::open(&path, Some(key), Some([7; 16])).is_none());
        fs::write(&path, &image.bytes()[..200]).unwrap();
        assert!(
            TableImage::open(&path, Some(key), None).is_none(),
            "a truncated file is not a table"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn keys_differ_with_content_and_salt() {
        let base = content_key(b"10.0.0.0/8\n", b"text");
        assert_ne!(base, content_key(b"10.0.0.0/9\n", b"text"));
        assert_ne!(base, content_key(b"10.0.0.0/8\n", b"csv"));
        assert_ne!(content_key(&[0u8; 64], b""), content_key(&[0u8; 65], b""));
    }
}
