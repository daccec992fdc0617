//! Time `lookup_block` on a saved table: `cargo run --release --example lookupbench IMAGE KEYFILE LOG`.
use std::path::Path;
use std::time::Instant;

use cidrkit_engine::lines::Newlines;
use cidrkit_engine::lookup::{lookup_block, LookupOptions};
use cidrkit_engine::tablefile::TableImage;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let header = std::fs::read(&args[1]).expect("image");
    let key: [u8; 16] = header[8..24].try_into().expect("key");
    let image = TableImage::open(Path::new(&args[1]), Some(key), None).expect("opens");
    let text = std::fs::read(&args[2]).expect("log");
    let options = LookupOptions {
        newlines: Newlines::Universal,
        lossy: true,
        matched_only: false,
        rows_wanted: false,
    };
    for _ in 0..3 {
        let t = Instant::now();
        let mut out = 0;
        for block in text.chunks(8 << 20) {
            out += lookup_block(&image, &options, block).output.len();
        }
        println!("lookup {:?} {}", t.elapsed(), out);
    }
    let t = Instant::now();
    let copy = text.clone();
    println!("copy {:?} {}", t.elapsed(), copy.len());
}
