//! Time `merge` and `overlaps` of a plain prefix list in the engine, without
//! Python: `cargo run --release --example setbench FILE`.
use std::time::Instant;

use cidrkit_engine::overlaps::{Report, Style};
use cidrkit_engine::setalgebra::{merge_intervals, write_prefixes};

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let text = std::fs::read(path).expect("readable");
    for _ in 0..3 {
        let t = Instant::now();
        let merged = merge_intervals(&[&text]).expect("plain");
        let unite = t.elapsed();
        let t = Instant::now();
        let mut bytes = 0;
        write_prefixes::<()>(&merged, |block| {
            bytes += block.len();
            Ok(())
        })
        .unwrap();
        let write = t.elapsed();
        if std::env::var_os("SETBENCH_MERGE_ONLY").is_some() {
            println!("merge: parse+unite {unite:?} write {write:?} ({bytes} bytes)");
            continue;
        }
        let t = Instant::now();
        let report = Report::new(&[&text]).expect("plain");
        let pairs = t.elapsed();
        let t = Instant::now();
        let mut out = 0;
        report
            .write::<()>(Style::Text, |block| {
                out += block.len();
                Ok(())
            })
            .unwrap();
        println!(
            "merge: parse+unite {unite:?} write {write:?} ({bytes} bytes); overlaps: pairs {pairs:?} ({}) render {:?} ({out} bytes)",
            report.pairs(),
            t.elapsed()
        );
    }
}
