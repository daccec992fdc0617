//! Time reading and building a lookup table: `cargo run --release --example tablebench TABLE`.
use std::path::PathBuf;
use std::time::Instant;

use cidrkit_engine::tabletext::{ImageText, TableText};

fn main() {
    let path = std::env::args().nth(1).expect("a table file");
    let saved = PathBuf::from(std::env::args().nth(2).unwrap_or_else(|| "/dev/null/x".into()));
    let data = std::fs::read(path).expect("readable");
    let image = ImageText {
        miss: b"\t-",
        problems: b"",
        key: [0; 16],
        stamp: [0; 16],
    };
    for _ in 0..3 {
        let t = Instant::now();
        let text = TableText::read(data.clone(), false).expect("a plain table");
        let read = t.elapsed();
        let table = text.build(&mut [], &image, std::slice::from_ref(&saved));
        println!(
            "read {read:?} build and save {:?} ({} rows)",
            t.elapsed() - read,
            table.rows()
        );
    }
}
