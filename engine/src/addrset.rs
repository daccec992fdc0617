//! A fixed set of addresses, as sorted disjoint inclusive intervals per family.

/// Sorted, disjoint, inclusive `(first, last)` intervals of both families.
#[derive(Clone, Debug, Default)]
pub struct AddressSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl AddressSet {
    /// Build from intervals in any order; overlapping ones are joined.
    pub fn new(mut v4: Vec<(u32, u32)>, mut v6: Vec<(u128, u128)>) -> Self {
        AddressSet {
            v4: normalise(&mut v4),
            v6: normalise(&mut v6),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    #[inline]
    pub fn contains_v4(&self, value: u32) -> bool {
        contains(&self.v4, value)
    }

    #[inline]
    pub fn contains_v6(&self, value: u128) -> bool {
        contains(&self.v6, value)
    }
}

fn normalise<T: Ord + Copy>(items: &mut [(T, T)]) -> Vec<(T, T)> {
    items.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(items.len());
    for &(first, last) in items.iter() {
        match out.last_mut() {
            Some(prev) if first <= prev.1 => prev.1 = prev.1.max(last),
            _ => out.push((first, last)),
        }
    }
    out
}

#[inline]
fn contains<T: Ord + Copy>(intervals: &[(T, T)], value: T) -> bool {
    // The last interval starting at or before `value`.
    let after = intervals.partition_point(|&(first, _)| first <= value);
    after > 0 && value <= intervals[after - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_at_the_edges() {
        let set = AddressSet::new(vec![(20, 29), (10, 12), (11, 15)], vec![(u128::MAX, u128::MAX)]);
        let inside: Vec<u32> = (0..35).filter(|&v| set.contains_v4(v)).collect();
        assert_eq!(
            inside,
            [10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]
        );
        assert!(set.contains_v6(u128::MAX) && !set.contains_v6(0));
    }
}
