//! A stable least-significant-digit radix sort for the keys of plain
//! prefix lists: one pass counts every byte position at once, and byte
//! positions where all keys agree (the high bytes of IPv4 keys, the zero
//! host bytes of most IPv6 networks) cost no pass at all.

/// A key sorted byte by byte; byte 0 is the least significant.
pub trait RadixKey: Copy + Ord {
    const BYTES: usize;
    fn byte(&self, at: usize) -> u8;

    /// A bit per byte position (bit 0: byte 0) where some keys differ.
    /// This default compares every byte; keys that are integers find it
    /// with a few instructions a key.
    fn varying(items: &[Self]) -> u32 {
        let Some(first) = items.first() else { return 0 };
        (0..Self::BYTES)
            .filter(|&at| items.iter().any(|item| item.byte(at) != first.byte(at)))
            .fold(0, |mask, at| mask | 1 << at)
    }
}

/// A bit per byte of `bits` that is not zero.
fn nonzero_bytes(bits: u64) -> u32 {
    (0..8)
        .filter(|at| (bits >> (8 * at)) & 0xFF != 0)
        .fold(0, |mask, at| mask | 1 << at)
}

/// The bits where some of `values` differ from the first.
fn differing(values: impl Iterator<Item = u64>) -> u64 {
    let mut values = values.peekable();
    let Some(&first) = values.peek() else { return 0 };
    values.fold(0, |acc, value| acc | (value ^ first))
}

impl RadixKey for u64 {
    const BYTES: usize = 8;
    #[inline]
    fn byte(&self, at: usize) -> u8 {
        (*self >> (8 * at)) as u8
    }

    fn varying(items: &[u64]) -> u32 {
        nonzero_bytes(differing(items.iter().copied()))
    }
}

/// `(network, length)`: the length is the least significant byte.
impl RadixKey for (u128, u8) {
    const BYTES: usize = 17;
    #[inline]
    fn byte(&self, at: usize) -> u8 {
        if at == 0 {
            self.1
        } else {
            (self.0 >> (8 * (at - 1))) as u8
        }
    }
}

/// Below this many keys a comparison sort is quicker than the counting pass.
const SMALL: usize = 256;

/// Sort `items` in place (with a scratch copy of the same size).
pub fn sort<T: RadixKey>(items: &mut [T]) {
    sort_above(items, 0);
}

/// Sort `items` by their bytes from `lowest` up: keys equal there keep
/// their input order (below `SMALL` keys, they are fully sorted). A caller
/// to whom ties in the low bytes are alike saves their passes.
pub fn sort_above<T: RadixKey>(items: &mut [T], lowest: usize) {
    let n = items.len();
    if n < SMALL {
        items.sort_unstable();
        return;
    }
    // Byte positions where all keys agree need neither counting nor a pass.
    let varying = T::varying(items) >> lowest << lowest;
    let positions: Vec<usize> = (0..T::BYTES).filter(|at| varying & (1 << at) != 0).collect();
    let mut counts = vec![[0usize; 256]; positions.len()];
    for item in items.iter() {
        for (&at, count) in positions.iter().zip(counts.iter_mut()) {
            count[usize::from(item.byte(at))] += 1;
        }
    }
    let mut scratch = items.to_vec();
    let mut in_items = true;
    for (&at, count) in positions.iter().zip(counts.iter()) {
        if count.contains(&n) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut total = 0;
        for (slot, &c) in next.iter_mut().zip(count.iter()) {
            *slot = total;
            total += c;
        }
        let (from, to): (&[T], &mut [T]) = if in_items {
            (&*items, &mut scratch)
        } else {
            (&scratch, &mut *items)
        };
        for &item in from {
            let slot = &mut next[usize::from(item.byte(at))];
            to[*slot] = item;
            *slot += 1;
        }
        in_items = !in_items;
    }
    if !in_items {
        items.copy_from_slice(&scratch);
    }
}

/// Merge two sorted runs into one (ties: `left` first).
pub fn merge_sorted<T: Copy + Ord>(left: &[T], right: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if right[j] < left[i] {
            out.push(right[j]);
            j += 1;
        } else {
            out.push(left[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_sort_does() {
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in [0, 1, 255, 256, 1000, 70_000] {
            let mut keys: Vec<u64> = (0..n).map(|_| next() & 0xFF_FF00_FF1F).collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            sort(&mut keys);
            assert_eq!(keys, expected);
            let mut wide: Vec<(u128, u8)> = (0..n)
                .map(|_| {
                    (
                        (u128::from(next()) << 64) & (u128::MAX << 80),
                        (next() % 129) as u8,
                    )
                })
                .collect();
            let mut expected = wide.clone();
            expected.sort_unstable();
            sort(&mut wide);
            assert_eq!(wide, expected);
        }
        assert_eq!(merge_sorted(&[1, 3, 5], &[2, 3, 6]), [1, 2, 3, 3, 5, 6]);
    }

    #[test]
    fn sorts_by_the_high_bytes_keeping_ties_in_input_order() {
        let mut seed = 3u64;
        let keys: Vec<u64> = (0..5000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed & 0xFF_0F03
            })
            .collect();
        let mut sorted = keys.clone();
        sort_above(&mut sorted, 1);
        let mut expected = keys;
        expected.sort_by_key(|key| key >> 8);
        assert_eq!(sorted, expected);
    }

    #[test]
    fn finds_the_bytes_where_keys_differ() {
        let keys: Vec<u64> = vec![
            0x00AA_0000_0001_0000,
            0x00AB_0000_0001_0000,
            0x00AA_0000_0001_0300,
        ];
        assert_eq!(u64::varying(&keys), 0b0100_0010);
        assert_eq!(u64::varying(&keys[..1]), 0);
        assert_eq!(u64::varying(&[]), 0);
        let wide = [(1u128 << 100, 3u8), (1u128 << 100, 4)];
        assert_eq!(<(u128, u8)>::varying(&wide), 1);
        let mut same = vec![7u64; 1000];
        sort(&mut same);
        assert!(same.iter().all(|&k| k == 7));
    }
}
