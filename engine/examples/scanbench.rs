//! Time the scanner and the grep block on a file: `cargo run --release --example scanbench FILE`.
use std::time::Instant;

use cidrkit_engine::addrset::AddressSet;
use cidrkit_engine::grep::{grep_block, GrepOptions};
use cidrkit_engine::lines::{count_lines, Newlines};
use cidrkit_engine::scan::{ipv4_candidates, ipv6_candidates};

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let text = std::fs::read(path).expect("readable");
    let t = Instant::now();
    let mut v4 = Vec::new();
    ipv4_candidates(&text, &mut v4);
    println!("v4 scan {:?} {}", t.elapsed(), v4.len());
    let t = Instant::now();
    let mut v6 = Vec::new();
    ipv6_candidates(&text, &mut v6);
    println!("v6 scan {:?} {}", t.elapsed(), v6.len());
    let t = Instant::now();
    println!(
        "lines {} {:?}",
        count_lines(&text, Newlines::Universal),
        t.elapsed()
    );
    let set = AddressSet::new(vec![(0x0A00_0000, 0x0AFF_FFFF)], vec![]);
    let options = GrepOptions {
        invert: false,
        count_only: false,
        only_matching: false,
        line_numbers: false,
        label: Vec::new(),
        newlines: Newlines::Universal,
        lossy: true,
    };
    for _ in 0..3 {
        let t = Instant::now();
        let block = grep_block(&set, &options, &text, 1);
        println!("grep {:?} {}", t.elapsed(), block.selected);
    }
}
