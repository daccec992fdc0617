//! The scanner against the Python path's regular expressions
//! (`cidrkit/bulk/textgrep.py`), run by a backtracking engine as `re` runs
//! them: the same candidates at the same offsets. Input bytes are folded
//! to ASCII, as the regular expressions see text.
#![no_main]

use std::sync::OnceLock;

use cidrkit_engine::scan::{ipv4_candidates, ipv6_candidates};
use fancy_regex::Regex;
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static (Regex, Regex) {
    static RULES: OnceLock<(Regex, Regex)> = OnceLock::new();
    RULES.get_or_init(|| {
        let v4 = Regex::new(r"(?<![0-9])(?<![0-9]\.)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])(?!\.[0-9])");
        let v6 = Regex::new(concat!(
            r"(?<![0-9A-Za-z:.])",
            r"(?:[0-9A-Fa-f]{0,4}:){2,7}",
            r"(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{0,4})",
            r"(?![0-9A-Za-z:])",
        ));
        (v4.expect("valid"), v6.expect("valid"))
    })
}

fn expected(rule: &Regex, text: &str) -> Vec<(usize, usize)> {
    rule.find_iter(text)
        .map(|m| {
            let m = m.expect("no backtracking limit is reached on short text");
            (m.start(), m.end())
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let ascii: Vec<u8> = data.iter().map(|b| b & 0x7F).collect();
    let text = std::str::from_utf8(&ascii).expect("ASCII");
    let (v4_rule, v6_rule) = rules();
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    ipv4_candidates(&ascii, &mut v4);
    ipv6_candidates(&ascii, &mut v6);
    let spans = |found: Vec<cidrkit_engine::scan::Span>| -> Vec<(usize, usize)> {
        found.into_iter().map(|s| (s.start, s.end)).collect()
    };
    assert_eq!(spans(v4), expected(v4_rule, text), "IPv4 in {text:?}");
    assert_eq!(spans(v6), expected(v6_rule, text), "IPv6 in {text:?}");
});
