//! The flattened lookup table as the JVM reads it (`cidrkit.scale.jvm`,
//! `RangeTable.java`): per family the piece starts, their owner rows and the
//! slice index, exactly the arrays this engine searches, so the JVM's
//! answers are the engine's.
//!
//! Little-endian, per family (IPv4 then IPv6): the piece count n (u32), the
//! starts (n u32 for IPv4; n u64 high words, then n u64 low words for IPv6),
//! the owners (n i32), the index length m (u32) and the index (m u32).

use crate::lpm::FamilyView;
use crate::tablefile::TableImage;

/// The pieces of both families of `image`, in the layout above.
pub fn ranges(image: &TableImage) -> Vec<u8> {
    let (v4, v6) = (image.v4(), image.v6());
    let mut out = Vec::with_capacity(
        16 + 8 * (v4.starts.len() + v4.index.len()) + 20 * v6.starts.len() + 4 * v6.index.len(),
    );
    put_count(&mut out, v4.starts.len());
    for start in v4.starts {
        out.extend_from_slice(&start.to_le_bytes());
    }
    put_owners_and_index(&mut out, &v4);
    put_count(&mut out, v6.starts.len());
    for start in v6.starts {
        out.extend_from_slice(&((start >> 64) as u64).to_le_bytes());
    }
    for start in v6.starts {
        out.extend_from_slice(&(*start as u64).to_le_bytes());
    }
    put_owners_and_index(&mut out, &v6);
    out
}

fn put_count(out: &mut Vec<u8>, count: usize) {
    let count = u32::try_from(count).expect("fewer than 2^32 pieces");
    out.extend_from_slice(&count.to_le_bytes());
}

fn put_owners_and_index<T>(out: &mut Vec<u8>, view: &FamilyView<'_, T>) {
    for owner in view.owners {
        out.extend_from_slice(&owner.to_le_bytes());
    }
    put_count(out, view.index.len());
    for entry in view.index {
        out.extend_from_slice(&entry.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lpm;
    use crate::tablefile::TableParts;

    #[test]
    fn both_families_in_order() {
        let v4 = lpm::build(vec![(0x0A00_0000u32, 8, 0)]);
        let v6 = lpm::build(vec![(0x2001_0db8u128 << 96, 32, 1)]);
        let parts = TableParts {
            v4: &v4,
            v6: &v6,
            suffix_offsets: &[0, 0, 0],
            suffixes: b"",
            miss: b"",
            problems: b"",
        };
        let image = TableImage::new(&parts, [0; 16], [0; 16]);
        let bytes = ranges(&image);
        let n4 = u32::from_le_bytes(bytes[0..4].try_into().unwrap()) as usize;
        assert_eq!(n4, v4.starts.len());
        let starts: Vec<u32> = (0..n4)
            .map(|k| u32::from_le_bytes(bytes[4 + 4 * k..8 + 4 * k].try_into().unwrap()))
            .collect();
        assert_eq!(starts, v4.starts);
        let owners_at = 4 + 4 * n4;
        let owners: Vec<i32> = (0..n4)
            .map(|k| i32::from_le_bytes(bytes[owners_at + 4 * k..owners_at + 4 + 4 * k].try_into().unwrap()))
            .collect();
        assert_eq!(owners, v4.owners);
        let index_at = owners_at + 4 * n4;
        let m4 = u32::from_le_bytes(bytes[index_at..index_at + 4].try_into().unwrap()) as usize;
        assert_eq!(m4, v4.index.len());
        let v6_at = index_at + 4 + 4 * m4;
        let n6 = u32::from_le_bytes(bytes[v6_at..v6_at + 4].try_into().unwrap()) as usize;
        assert_eq!(n6, v6.starts.len());
        let expected = 4 + 20 * n6 + 4 + 4 * v6.index.len();
        assert_eq!(bytes.len() - v6_at, expected);
    }
}
