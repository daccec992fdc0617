//! Plain prefix lists: the one-pass line reader against the reference
//! parsers line by line, and `merge`, `exclude`, `intersect` and `overlaps`
//! against brute force over the prefixes read.
#![no_main]

use cidrkit_engine::addr::{parse_v4, parse_v6};
use cidrkit_engine::overlaps::Report;
use cidrkit_engine::plainlist::{parse_piece, v4_last, v4_network, v6_last};
use cidrkit_engine::setalgebra::{merge_intervals, set_operation};
use libfuzzer_sys::fuzz_target;

/// A prefix length: 1 to 3 digits, no leading zero, at most `max`.
fn length(text: &str, max: u32) -> Option<u32> {
    let ok = !text.is_empty() && text.len() <= 3 && (text.len() == 1 || !text.starts_with('0'));
    let value: u32 = text.parse().ok().filter(|_| ok && text.bytes().all(|b| b.is_ascii_digit()))?;
    (value <= max).then_some(value)
}

/// Each line as the reference parsers read it: (bits, first, last), or None for the list.
fn reference(text: &[u8]) -> Option<Vec<(u32, u128, u128)>> {
    let text = std::str::from_utf8(text).ok()?;
    let mut out = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let (address, len) = match line.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (line, None),
        };
        let (bits, value) = if address.contains(':') {
            (128, parse_v6(address.as_bytes())?)
        } else {
            (32, u128::from(parse_v4(address.as_bytes())?))
        };
        let len = match len {
            Some(l) => length(l, bits)?,
            None => bits,
        };
        let host = if len == 0 { u128::MAX >> (128 - bits) } else { (1u128 << (bits - len)) - 1 };
        if value & host != 0 {
            return None;
        }
        out.push((bits, value, value | host));
    }
    Some(out)
}

fn covered(items: &[(u32, u128, u128)], bits: u32, value: u128) -> bool {
    items.iter().any(|&(b, first, last)| b == bits && first <= value && value <= last)
}

fuzz_target!(|data: &[u8]| {
    let expected = reference(data);
    let items = parse_piece(data);
    assert_eq!(items.is_some(), expected.is_some(), "{:?}", String::from_utf8_lossy(data));
    let (Some(items), Some(expected)) = (items, expected) else {
        return;
    };
    let read: Vec<(u32, u128, u128)> = items
        .v4
        .iter()
        .map(|&k| (32, u128::from(v4_network(k)), u128::from(v4_last(k))))
        .chain(items.v6.iter().map(|&k| (128, k.0, v6_last(k))))
        .collect();
    let mut sorted_expected = expected.clone();
    sorted_expected.sort_by_key(|&(bits, ..)| bits);
    assert_eq!(read, sorted_expected);

    // Union: sorted, disjoint, not touching, and holding exactly the addresses read.
    let merged = merge_intervals(&[data]).expect("plain");
    let families = merged
        .v4
        .iter()
        .map(|&(a, b)| (32, u128::from(a), u128::from(b)))
        .chain(merged.v6.iter().map(|&(a, b)| (128, a, b)))
        .collect::<Vec<_>>();
    for pair in families.windows(2) {
        let ((b1, _, last), (b2, first, _)) = (pair[0], pair[1]);
        assert!(b1 != b2 || last.checked_add(1).is_some_and(|next| next < first));
    }
    for &(bits, first, last) in &families {
        for probe in [first, last, first + (last - first) / 2] {
            assert!(covered(&expected, bits, probe));
        }
    }
    for &(bits, first, last) in &expected {
        assert!(covered(&families, bits, first) && covered(&families, bits, last));
    }

    // Exclude and intersect of the list's halves, checked at every edge.
    let mid = data.iter().rposition(|&b| b == b'\n').map_or(0, |at| at / 2);
    let cut = data[..mid].iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
    let (left, right) = data.split_at(cut);
    if let (Some(a), Some(b)) = (reference(left), reference(right)) {
        let minus = set_operation("exclude", &[left], &[right]).expect("plain");
        let both = set_operation("intersect", &[left], &[right]).expect("plain");
        let edges: Vec<(u32, u128)> = a
            .iter()
            .chain(&b)
            .flat_map(|&(bits, first, last)| {
                [first.checked_sub(1), Some(first), Some(last), last.checked_add(1)]
                    .into_iter()
                    .flatten()
                    .filter(move |&v| bits == 128 || v <= u128::from(u32::MAX))
                    .map(move |v| (bits, v))
            })
            .collect();
        let as_items = |set: &cidrkit_engine::setalgebra::Intervals| -> Vec<(u32, u128, u128)> {
            set.v4
                .iter()
                .map(|&(x, y)| (32, u128::from(x), u128::from(y)))
                .chain(set.v6.iter().map(|&(x, y)| (128, x, y)))
                .collect()
        };
        let (minus, both) = (as_items(&minus), as_items(&both));
        for (bits, v) in edges {
            let (in_a, in_b) = (covered(&a, bits, v), covered(&b, bits, v));
            assert_eq!(covered(&minus, bits, v), in_a && !in_b);
            assert_eq!(covered(&both, bits, v), in_a && in_b);
        }
    }

    // Overlapping pairs: as many as brute force counts.
    if expected.len() <= 300 {
        let report = Report::new(&[data]).expect("plain");
        let brute = (0..expected.len())
            .flat_map(|i| (i + 1..expected.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| {
                let ((b1, f1, l1), (b2, f2, l2)) = (expected[i], expected[j]);
                b1 == b2 && f1 <= l2 && f2 <= l1
            })
            .count() as u64;
        assert_eq!((report.items(), report.pairs()), (expected.len(), brute));
    }
});
