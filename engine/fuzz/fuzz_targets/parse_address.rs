//! The strict address parser against the standard library's, which takes
//! the same forms: dotted quads without leading zeros, and RFC 4291 IPv6
//! text without zone indexes, `::` standing for at least one zero group.
#![no_main]

use std::net::{Ipv4Addr, Ipv6Addr};

use cidrkit_engine::addr::{parse_v4, parse_v6};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = std::str::from_utf8(data).ok();
    let std_v4 = text.and_then(|t| t.parse::<Ipv4Addr>().ok()).map(u32::from);
    assert_eq!(parse_v4(data), std_v4, "{:?}", String::from_utf8_lossy(data));
    let std_v6 = text.and_then(|t| t.parse::<Ipv6Addr>().ok()).map(u128::from);
    assert_eq!(parse_v6(data), std_v6, "{:?}", String::from_utf8_lossy(data));
});
