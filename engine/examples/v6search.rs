//! Time IPv6 longest-prefix search with and without the second index:
//! `cargo run --release --example v6search IMAGE LOG`.
use std::path::Path;
use std::time::Instant;

use cidrkit_engine::addr::parse_v6;
use cidrkit_engine::lpm::FamilyView;
use cidrkit_engine::tablefile::TableImage;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let header = std::fs::read(&args[1]).expect("image");
    let key: [u8; 16] = header[8..24].try_into().expect("key");
    let image = TableImage::open(Path::new(&args[1]), Some(key), None).expect("opens");
    let log = std::fs::read(&args[2]).expect("log");
    let addresses: Vec<u128> = log
        .split(|&b| b == b'\n')
        .filter_map(|line| parse_v6(line.split(|&b| b == b' ').next()?))
        .collect();
    let refined = image.v6();
    let plain = FamilyView::new(refined.starts, refined.owners, refined.index, &[], &[]).expect("view");
    for _ in 0..3 {
        for (name, view) in [("second index", &refined), ("slice only", &plain)] {
            let t = Instant::now();
            let found: i64 = addresses.iter().map(|&a| i64::from(view.lookup(a))).sum();
            println!(
                "{name:>12}: {:?} for {} addresses ({found})",
                t.elapsed(),
                addresses.len()
            );
        }
    }
}
