//! Longest-prefix match over sorted boundaries, one table for both families.
//!
//! The prefixes of a family are flattened into boundaries that cut the
//! address space into pieces, each owned by the most specific prefix that
//! covers it (or none): a lookup is "the last boundary at or below the
//! address". A slice index on the top bits (up to 20) narrows that search to the
//! few boundaries of one slice, so a lookup reads one index entry and
//! binary-searches a run of a few cache lines. Sorted arrays instead of a
//! trie (as ClickHouse moved to for its IP dictionaries): they are compact,
//! built with one sort, and can be saved and memory-mapped as they are.

/// Address families as the table stores them.
pub trait Family: Copy + Ord + Default {
    const BITS: u32;
    fn last_of(start: Self, length: u8) -> Self;
    fn successor(self) -> Option<Self>;
    /// The top `bits` bits (1 to 32) of the address.
    fn slice_of(self, bits: u32) -> usize;
    /// The `bits` bits (1 to 16) after the top `skip` bits.
    fn bits_after(self, skip: u32, bits: u32) -> usize;
}

impl Family for u32 {
    const BITS: u32 = 32;
    fn last_of(start: u32, length: u8) -> u32 {
        let host = 32 - u32::from(length);
        if host == 32 {
            u32::MAX
        } else {
            start | ((1u32 << host) - 1)
        }
    }
    fn successor(self) -> Option<u32> {
        self.checked_add(1)
    }
    #[inline]
    fn slice_of(self, bits: u32) -> usize {
        (self >> (32 - bits)) as usize
    }
    #[inline]
    fn bits_after(self, skip: u32, bits: u32) -> usize {
        ((self << skip) >> (32 - bits)) as usize
    }
}

impl Family for u128 {
    const BITS: u32 = 128;
    fn last_of(start: u128, length: u8) -> u128 {
        let host = 128 - u32::from(length);
        if host == 128 {
            u128::MAX
        } else {
            start | ((1u128 << host) - 1)
        }
    }
    fn successor(self) -> Option<u128> {
        self.checked_add(1)
    }
    #[inline]
    fn slice_of(self, bits: u32) -> usize {
        (self >> (128 - bits)) as usize
    }
    #[inline]
    fn bits_after(self, skip: u32, bits: u32) -> usize {
        ((self << skip) >> (128 - bits)) as usize
    }
}

/// Bits of an address that pick its slice: about one slice per boundary,
/// from 4 bits for a tiny table up to 20 (4 MiB of index) for a full one,
/// which leaves about two boundaries per slice for a full IPv4 table. IPv6
/// tables are dense in a few places (the full table has 24,000 boundaries
/// in one slice of its 19-bit index, and an address's slice holds 5,800
/// on average): slices above `REFINE_ABOVE` boundaries get a second index.
pub const MAX_INDEX_BITS: u32 = 20;
const MIN_INDEX_BITS: u32 = 4;

fn index_bits(boundaries: usize) -> u32 {
    (usize::BITS - boundaries.leading_zeros()).clamp(MIN_INDEX_BITS, MAX_INDEX_BITS)
}

/// The index bits of an index of `length` entries, if it is a valid length.
pub fn bits_of_index(length: usize) -> Option<u32> {
    let slices = length.checked_sub(1)?;
    let bits = slices.trailing_zeros();
    (slices.is_power_of_two() && (MIN_INDEX_BITS..=MAX_INDEX_BITS).contains(&bits)).then_some(bits)
}

/// Slices with more boundaries than this get an index of their own.
const REFINE_ABOVE: u32 = 64;
/// A second index cuts its slice by at most this many more bits.
const MAX_REFINE_BITS: u32 = 16;

/// One family's boundaries, their owners and the slice index.
///
/// `refine` is empty, or holds per slice 0 (no second index) or
/// `offset << 5 | bits`: the slice's boundaries are cut again by the next
/// `bits` address bits, and `sub[offset + j]..sub[offset + j + 1]` are
/// those of part `j` (positions in `starts`, like `index`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FamilyTable<T> {
    pub starts: Vec<T>,
    pub owners: Vec<i32>,
    pub index: Vec<u32>,
    pub refine: Vec<u32>,
    pub sub: Vec<u32>,
}

/// Build a family's table from `(start, length, row)`; the first row of
/// duplicate prefixes wins. Host bits must be zero.
pub fn build<T: Family>(mut prefixes: Vec<(T, u8, i32)>) -> FamilyTable<T> {
    prefixes.sort_unstable();
    build_sorted(prefixes)
}

/// `build` for IPv4, each prefix packed into one u64 key (network, length,
/// row), which sorts as the tuples do and about twice as fast. Rows must
/// be below 2^26 (67M rows); bigger tables sort the tuples.
pub fn build_v4(prefixes: &[(u32, u8, i32)]) -> FamilyTable<u32> {
    const ROW_BITS: u32 = 26;
    if prefixes
        .iter()
        .any(|&(_, length, row)| row < 0 || row >> ROW_BITS != 0 || length > 32)
    {
        return build(prefixes.to_vec());
    }
    let mut keys: Vec<u64> = prefixes
        .iter()
        .map(|&(network, length, row)| {
            (u64::from(network) << 32) | (u64::from(length) << ROW_BITS) | row as u64
        })
        .collect();
    keys.sort_unstable();
    let row_mask = (1u64 << ROW_BITS) - 1;
    build_sorted(
        keys.into_iter()
            .map(|key| {
                (
                    (key >> 32) as u32,
                    ((key >> ROW_BITS) & 0x3F) as u8,
                    (key & row_mask) as i32,
                )
            })
            .collect(),
    )
}

/// `build` from prefixes already sorted by (start, length, row).
fn build_sorted<T: Family>(mut prefixes: Vec<(T, u8, i32)>) -> FamilyTable<T> {
    prefixes.dedup_by(|later, first| later.0 == first.0 && later.1 == first.1);
    // A prefix opens at most two pieces: where it starts and after it ends.
    let room = 2 * prefixes.len() + 1;
    let mut pieces = Pieces {
        starts: Vec::with_capacity(room),
        owners: Vec::with_capacity(room),
        open: Vec::new(),
    };
    pieces.starts.push(T::default());
    pieces.owners.push(-1);
    for (start, length, row) in prefixes {
        pieces.close_until(Some(start));
        pieces.put(start, row);
        pieces.open.push((T::last_of(start, length), row));
    }
    pieces.close_until(None);
    let index = slice_index(&pieces.starts);
    let (refine, sub) = refinement(&pieces.starts, &index);
    FamilyTable {
        starts: pieces.starts,
        owners: pieces.owners,
        index,
        refine,
        sub,
    }
}

/// Boundaries being built, and the chain of prefixes enclosing the current
/// one as `(last address, row)`, innermost last.
struct Pieces<T> {
    starts: Vec<T>,
    owners: Vec<i32>,
    open: Vec<(T, i32)>,
}

impl<T: Family> Pieces<T> {
    /// A piece starts at `at`; a later piece at the same place replaces it.
    fn put(&mut self, at: T, owner: i32) {
        if self.starts.last() == Some(&at) {
            *self.owners.last_mut().expect("never empty") = owner;
        } else {
            self.starts.push(at);
            self.owners.push(owner);
        }
    }

    /// Close the open prefixes that end before `limit` (all with `None`):
    /// after each, the piece goes back to its enclosing prefix.
    fn close_until(&mut self, limit: Option<T>) {
        while let Some(&(last, _)) = self.open.last() {
            if limit.is_some_and(|start| last >= start) {
                break;
            }
            self.open.pop();
            if let Some(after) = last.successor() {
                let owner = self.open.last().map_or(-1, |&(_, row)| row);
                self.put(after, owner);
            }
        }
    }
}

fn slice_index<T: Family>(starts: &[T]) -> Vec<u32> {
    let bits = index_bits(starts.len());
    let mut index = vec![0u32; (1 << bits) + 1];
    let mut at = 0usize;
    for (slice, entry) in index.iter_mut().enumerate() {
        while at < starts.len() && starts[at].slice_of(bits) < slice {
            at += 1;
        }
        *entry = at as u32;
    }
    index
}

/// The second index of the slices with more than `REFINE_ABOVE` boundaries
/// (about one part per boundary), when they hold an eighth of all
/// boundaries or more; else none (a full IPv4 table has none).
fn refinement<T: Family>(starts: &[T], index: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let slices = index.len() - 1;
    let bits = bits_of_index(index.len()).expect("a built index");
    let count = |s: usize| index[s + 1] - index[s];
    let big: Vec<usize> = (0..slices).filter(|&s| count(s) > REFINE_ABOVE).collect();
    let in_big: usize = big.iter().map(|&s| count(s) as usize).sum();
    if big.is_empty() || in_big * 8 < starts.len() {
        return (Vec::new(), Vec::new());
    }
    let mut refine = vec![0u32; slices];
    let mut sub = Vec::new();
    for s in big {
        let k = (u32::BITS - count(s).leading_zeros())
            .min(MAX_REFINE_BITS)
            .min(T::BITS - bits);
        let offset = sub.len();
        if k == 0 || offset >> 27 != 0 {
            continue;
        }
        refine[s] = ((offset as u32) << 5) | k;
        let (mut at, end) = (index[s] as usize, index[s + 1] as usize);
        for part in 0..1usize << k {
            while at < end && starts[at].bits_after(bits, k) < part {
                at += 1;
            }
            sub.push(at as u32);
        }
        sub.push(end as u32);
    }
    (refine, sub)
}

/// A family's table as borrowed arrays (owned or memory-mapped alike).
#[derive(Clone, Copy, Debug)]
pub struct FamilyView<'a, T> {
    pub starts: &'a [T],
    pub owners: &'a [i32],
    pub index: &'a [u32],
    /// The second index (see `FamilyTable`).
    pub refine: &'a [u32],
    pub sub: &'a [u32],
    /// Address bits that pick a slice (`index` has `2^index_bits + 1` entries).
    pub index_bits: u32,
}

impl<'a, T: Family> FamilyView<'a, T> {
    /// A view of the arrays; `None` when the index length is not one a build makes.
    /// A view of the arrays; `None` when the index length is not one a
    /// build makes. The second index is checked by `refinement_fits`.
    pub fn new(
        starts: &'a [T],
        owners: &'a [i32],
        index: &'a [u32],
        refine: &'a [u32],
        sub: &'a [u32],
    ) -> Option<Self> {
        let index_bits = bits_of_index(index.len())?;
        Some(FamilyView {
            starts,
            owners,
            index,
            refine,
            sub,
            index_bits,
        })
    }

    pub fn of(table: &'a FamilyTable<T>) -> Self {
        Self::new(
            &table.starts,
            &table.owners,
            &table.index,
            &table.refine,
            &table.sub,
        )
        .expect("built with a valid index")
    }

    /// Whether the second index keeps every lookup in bounds: each part a
    /// run of its slice's boundaries, and none empty at position 0 (the
    /// search steps back one boundary from a part's start).
    pub fn refinement_fits(&self) -> bool {
        if self.refine.is_empty() {
            return true;
        }
        if self.refine.len() + 1 != self.index.len() {
            return false;
        }
        self.refine.iter().enumerate().all(|(slice, &entry)| {
            if entry == 0 {
                return true;
            }
            let (offset, bits) = ((entry >> 5) as usize, entry & 31);
            if bits == 0 || bits > MAX_REFINE_BITS || bits > T::BITS - self.index_bits {
                return false;
            }
            let Some(parts) = self.sub.get(offset..=offset + (1usize << bits)) else {
                return false;
            };
            parts.first() == Some(&self.index[slice])
                && parts.last() == Some(&self.index[slice + 1])
                && parts.windows(2).all(|w| w[0] <= w[1] && w[1] > 0)
        })
    }

    /// The row of the longest prefix holding `address`, or -1.
    #[inline]
    pub fn lookup(&self, address: T) -> i32 {
        self.owners[self.boundary_within(address, self.slice_bounds(address))]
    }

    /// The run of boundaries in the slice of `address` (the first step of a
    /// lookup, split out so many lookups can have their reads in flight at once).
    #[inline]
    pub fn slice_bounds(&self, address: T) -> (usize, usize) {
        let slice = address.slice_of(self.index_bits);
        match self.refine.get(slice) {
            Some(&entry) if entry != 0 => {
                let part = (entry >> 5) as usize + address.bits_after(self.index_bits, entry & 31);
                (self.sub[part] as usize, self.sub[part + 1] as usize)
            }
            _ => (self.index[slice] as usize, self.index[slice + 1] as usize),
        }
    }

    /// The last boundary at or below `address`, given its slice's `bounds`;
    /// its owner is the row of the longest prefix holding the address.
    #[inline]
    pub fn boundary_within(&self, address: T, (low, high): (usize, usize)) -> usize {
        let within = self.starts[low..high].partition_point(|&start| start <= address);
        // Boundary 0 is the lowest address, so a slice with nothing at or
        // below the address continues the piece of the boundary before it.
        low + within - 1
    }

    /// Ask for the boundaries from `low` on to be brought into the cache.
    #[inline]
    pub fn prefetch_starts(&self, low: usize) {
        if let Some(start) = self.starts.get(low) {
            prefetch(start);
        }
    }
}

/// A hint to bring the cache line of `item` in; no effect on results.
#[inline]
pub fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch never faults and reads nothing the program sees;
        // SSE is part of every x86-64 processor.
        #[allow(unused_unsafe)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(item).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_force(prefixes: &[(u32, u8, i32)], address: u32) -> i32 {
        let mut best: Option<(u8, i32)> = None;
        for &(start, length, row) in prefixes {
            if start <= address && address <= u32::last_of(start, length) {
                let better = match best {
                    None => true,
                    Some((l, r)) => length > l || (length == l && row < r),
                };
                if better {
                    best = Some((length, row));
                }
            }
        }
        best.map_or(-1, |(_, row)| row)
    }

    #[test]
    fn matches_brute_force_on_nested_prefixes() {
        let prefixes = vec![
            (0x0A00_0000, 8, 0),
            (0x0A01_0000, 16, 1),
            (0x0A01_0200, 24, 2),
            (0x0A01_0000, 16, 3),
            (0x0AFF_FF00, 24, 4),
            (0, 0, 5),
            (0xFFFF_FFFF, 32, 6),
            (0x0A01_02FF, 32, 7),
        ];
        let table = build(prefixes.clone());
        let view = FamilyView::of(&table);
        let mut probes = vec![0, 1, u32::MAX, u32::MAX - 1];
        for &(start, length, _) in &prefixes {
            let last = u32::last_of(start, length);
            probes.extend([start, start.wrapping_sub(1), last, last.wrapping_add(1)]);
        }
        for address in probes {
            assert_eq!(
                view.lookup(address),
                brute_force(&prefixes, address),
                "{address:#x}"
            );
        }
    }

    #[test]
    fn second_index_answers_as_the_slice_search() {
        // Thousands of /48s in one /32, a few wide prefixes around them: the
        // slice holding the /32 gets a second index.
        let mut seed = 11u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let base = 0x2001_0db8u128 << 96;
        let mut prefixes: Vec<(u128, u8, i32)> = (0..4000)
            .map(|row| (base | (u128::from(next() & 0xFFFF) << 80), 48, row))
            .collect();
        prefixes.push((base, 32, 4000));
        prefixes.push((0x2000u128 << 112, 3, 4001));
        prefixes.push((base | (7u128 << 80) | 1, 128, 4002));
        let table = build(prefixes.clone());
        assert!(!table.refine.is_empty(), "a dense slice gets a second index");
        let refined = FamilyView::of(&table);
        assert!(refined.refinement_fits());
        let plain = FamilyView::new(&table.starts, &table.owners, &table.index, &[], &[]).unwrap();
        let contains =
            |&(start, length, _): &(u128, u8, i32), a: u128| start <= a && a <= u128::last_of(start, length);
        for _ in 0..20_000 {
            let address = base | (u128::from(next()) << 64 | u128::from(next())) >> 32;
            let expected = prefixes
                .iter()
                .filter(|p| contains(p, address))
                .max_by_key(|&&(_, length, row)| (length, -row))
                .map_or(-1, |p| p.2);
            assert_eq!(refined.lookup(address), expected, "{address:#x}");
            assert_eq!(plain.lookup(address), expected);
        }
        let mut damaged = table.clone();
        damaged.sub[1] = 0;
        assert!(!FamilyView::of(&damaged).refinement_fits());
    }

    #[test]
    fn empty_and_full_tables() {
        let empty = build::<u128>(Vec::new());
        assert_eq!(FamilyView::of(&empty).lookup(12345), -1);
        let all = build::<u128>(vec![(0, 0, 9)]);
        assert_eq!(FamilyView::of(&all).lookup(u128::MAX), 9);
    }
}
