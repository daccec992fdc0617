//! Find IPv4 and IPv6 address candidates in free text.
//!
//! The rules are those of the two regular expressions of the Python path
//! (`cidrkit/bulk/textgrep.py`), found by anchors instead of by trying
//! every position:
//!
//! - IPv4: four runs of 1 to 3 digits joined by dots, not glued to more
//!   digits or to a preceding `digit.` (so `1.2.3.4.5` and the `11.2.3.4`
//!   inside `311.2.3.45` are not candidates) and not followed by `.digit`.
//!   Every candidate holds a dot, so candidates are looked for only around
//!   the dots that `memchr` finds.
//! - IPv6: 2 to 7 groups of `hex{0,4}:`, then a dotted quad or `hex{0,4}`,
//!   not glued to letters, digits or colons. A candidate can only start at
//!   the first byte of a word of `[0-9A-Za-z:.]` (the regular expression's
//!   look-behind forbids every later position), and at most one starts per
//!   word, so each word holding a colon is tried once, at its start.
//!
//! Neither pass allocates for a rejected token; candidates are appended to
//! caller-owned vectors that are reused from chunk to chunk.

use memchr::{memchr, memchr_iter};

use crate::addr::parse_v6;

/// Bytes of the IPv6 word class `[0-9A-Za-z:.]`.
const fn word_table() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b':' || c == b'.';
        b += 1;
    }
    table
}

static IN_WORD: [bool; 256] = word_table();

/// One candidate: `text[start..end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[inline]
fn is_digit(text: &[u8], at: usize) -> bool {
    text.get(at).is_some_and(u8::is_ascii_digit)
}

/// Length of the digit run at `at`, counting at most `cap + 1` digits.
#[inline]
fn digit_run(text: &[u8], at: usize, cap: usize) -> usize {
    let mut n = 0;
    while n <= cap && is_digit(text, at + n) {
        n += 1;
    }
    n
}

/// Length of the hex run at `at`, counting at most `cap + 1` digits.
#[inline]
fn hex_run(text: &[u8], at: usize, cap: usize) -> usize {
    let mut n = 0;
    while n <= cap && text.get(at + n).is_some_and(u8::is_ascii_hexdigit) {
        n += 1;
    }
    n
}

/// End of `d{1,3}.d{1,3}.d{1,3}.d{1,3}` starting at `at`, each run whole.
#[inline]
fn dotted_quad_end(text: &[u8], at: usize) -> Option<usize> {
    let mut pos = at;
    for field in 0..4 {
        let run = digit_run(text, pos, 3);
        if run == 0 || run > 3 {
            return None;
        }
        pos += run;
        if field < 3 {
            if text.get(pos) != Some(&b'.') {
                return None;
            }
            pos += 1;
        }
    }
    Some(pos)
}

/// Append the IPv4 candidates of `text` to `out`, in order.
pub fn ipv4_candidates(text: &[u8], out: &mut Vec<Span>) {
    let mut resume = 0;
    for dot in memchr_iter(b'.', text) {
        // Most dots (host names, version strings) fail here at once.
        if dot < resume || dot == 0 || !is_digit(text, dot - 1) || !is_digit(text, dot + 1) {
            continue;
        }
        // The digit run before this dot would be the first octet.
        let mut start = dot;
        while start > 0 && dot - start < 4 && is_digit(text, start - 1) {
            start -= 1;
        }
        let run = dot - start;
        if run == 0 || run > 3 || start < resume || (start > 0 && is_digit(text, start - 1)) {
            continue;
        }
        if start >= 2 && text[start - 1] == b'.' && is_digit(text, start - 2) {
            continue;
        }
        let Some(end) = dotted_quad_end(text, start) else {
            continue;
        };
        if text.get(end) == Some(&b'.') && is_digit(text, end + 1) {
            continue;
        }
        out.push(Span { start, end });
        resume = end;
    }
}

/// Append the IPv6 candidates of `text` to `out`, in order.
pub fn ipv6_candidates(text: &[u8], out: &mut Vec<Span>) {
    // Bytes before `resume` are done. A word is walked back from its first
    // colon to its start; a later colon of a word that began before
    // `resume` is passed over (its walk stops at `resume` inside the word).
    let mut resume = 0;
    // The search restarts after each candidate, so the other colons of an
    // address (seven) or a timestamp (three) are never looked at.
    while let Some(found) = memchr(b':', &text[resume..]) {
        let colon = resume + found;
        let mut start = colon;
        while start > resume && IN_WORD[text[start - 1] as usize] {
            start -= 1;
        }
        resume = colon + 1;
        if start > 0 && IN_WORD[text[start - 1] as usize] {
            continue;
        }
        if let Some(end) = ipv6_match_at(text, start) {
            out.push(Span { start, end });
            resume = resume.max(end);
        }
    }
}

/// The end of the IPv6 candidate starting at `start`, if one does.
///
/// Greedy groups never need backtracking: giving a group back leaves a
/// tail that is a hex run followed by `:`, which neither tail form accepts.
fn ipv6_match_at(text: &[u8], start: usize) -> Option<usize> {
    let mut pos = start;
    let mut groups = 0;
    while groups < 7 {
        let run = hex_run(text, pos, 4);
        if run > 4 || text.get(pos + run) != Some(&b':') {
            break;
        }
        pos += run + 1;
        groups += 1;
    }
    if groups < 2 {
        return None;
    }
    let ends_cleanly = |end: usize| {
        !text
            .get(end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b':')
    };
    if let Some(end) = dotted_quad_end(text, pos) {
        if ends_cleanly(end) {
            return Some(end);
        }
    }
    let run = hex_run(text, pos, 4);
    (run <= 4 && ends_cleanly(pos + run)).then_some(pos + run)
}

/// The value of an IPv6 candidate, exactly as `parse_v6` gives it; most
/// candidates that cannot be addresses are turned away before parsing.
///
/// Without `::` an address has eight groups: seven colons, or six before a
/// dotted quad. A candidate with fewer colons and no `::` (a timestamp
/// `2026:10:38:38`, a MAC address `00:1a:2b:3c:4d:5e`) is no address, and
/// logs hold one such candidate on every line.
#[inline]
pub fn parse_v6_candidate(text: &[u8]) -> Option<u128> {
    let mut colons = 0;
    let mut double = false;
    let mut after_colon = false;
    let mut dotted = false;
    for &b in text {
        let colon = b == b':';
        colons += usize::from(colon);
        double |= colon && after_colon;
        after_colon = colon;
        dotted |= b == b'.';
    }
    if colons < 6 && !double {
        return None;
    }
    if dotted {
        parse_v6(text)
    } else {
        parse_v6_without_dots(text)
    }
}

/// Hex digit values, and `NOT_HEX` for every other byte.
const NOT_HEX: u8 = 0xFF;
const fn hex_table() -> [u8; 256] {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => NOT_HEX,
        };
        b += 1;
    }
    table
}
static HEX: [u8; 256] = hex_table();

/// `parse_v6` for text holding no `.` (so no dotted quad), in one pass
/// that builds the value as it goes: the groups before `::` and those after.
fn parse_v6_without_dots(text: &[u8]) -> Option<u128> {
    let len = text.len();
    let (mut head, mut head_groups) = (0u128, 0u32);
    let (mut tail, mut tail_groups) = (0u128, 0u32);
    let mut gap = false;
    let mut pos = 0;
    if text.starts_with(b"::") {
        gap = true;
        pos = 2;
        if pos == len {
            return Some(0);
        }
    }
    loop {
        let start = pos;
        let mut group = 0u128;
        while pos < len && text[pos] != b':' {
            let digit = HEX[usize::from(text[pos])];
            if digit == NOT_HEX || pos - start == 4 {
                return None;
            }
            group = (group << 4) | u128::from(digit);
            pos += 1;
        }
        if pos == start || head_groups + tail_groups == 8 {
            return None;
        }
        if gap {
            tail = (tail << 16) | group;
            tail_groups += 1;
        } else {
            head = (head << 16) | group;
            head_groups += 1;
        }
        if pos == len {
            break;
        }
        pos += 1;
        if pos < len && text[pos] == b':' {
            if gap {
                return None;
            }
            gap = true;
            pos += 1;
            if pos == len {
                break;
            }
        } else if pos == len {
            // A single trailing colon: an empty last group.
            return None;
        }
    }
    match (gap, head_groups + tail_groups) {
        (false, 8) => Some(head),
        (false, _) => None,
        (true, groups) if groups > 7 => None,
        // The head groups are the top ones, the tail the bottom ones.
        (true, _) if head_groups == 0 => Some(tail),
        (true, _) => Some((head << (16 * (8 - head_groups))) | tail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        ipv4_candidates(text.as_bytes(), &mut spans);
        spans.iter().map(|s| &text[s.start..s.end]).collect()
    }

    fn v6(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        ipv6_candidates(text.as_bytes(), &mut spans);
        spans.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn ipv4_candidates_follow_the_regex_rules() {
        assert_eq!(v4("from 10.1.2.3 port 22"), ["10.1.2.3"]);
        assert_eq!(v4("1.2.3.4.5 311.2.3.45 1234.1.1.1"), ["311.2.3.45"]);
        assert_eq!(v4("x1.2.3.4. 999.1.1.1"), ["1.2.3.4", "999.1.1.1"]);
        assert_eq!(v4("a.1.2.3.4"), ["1.2.3.4"]);
        assert_eq!(v4("1.2.3.4,5.6.7.8"), ["1.2.3.4", "5.6.7.8"]);
    }

    #[test]
    fn ipv6_candidates_follow_the_regex_rules() {
        assert_eq!(v6("[04/Dec/2026:10:38:38 +0000]"), ["2026:10:38:38"]);
        assert_eq!(
            v6("nginx: 2001:db8::1 and ::ffff:1.2.3.4.5"),
            ["2001:db8::1", "::ffff:1.2.3.4"]
        );
        assert_eq!(v6("12:30 a:b:c: xa:b:c"), ["a:b:c:"]);
        assert_eq!(v6("1:2:3:4:5:6:7:8:9"), Vec::<&str>::new());
        assert_eq!(v6("mac 00:1a:2b:3c:4d:5e ok"), ["00:1a:2b:3c:4d:5e"]);
    }

    #[test]
    fn candidates_turned_away_early_are_the_ones_the_parser_rejects() {
        let cases = [
            "2026:10:38:38",
            "00:1a:2b:3c:4d:5e",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:1.2.3.4",
            "1::",
            "::",
            "a:b:c:",
            "1:2:3:4:5:6:7:",
            "1:2:3:4:5:6:7::",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:7:8:9",
        ];
        for case in cases {
            assert_eq!(
                parse_v6_candidate(case.as_bytes()),
                parse_v6(case.as_bytes()),
                "{case}"
            );
        }
    }

    #[test]
    fn early_verdicts_agree_with_the_parser_on_every_short_text() {
        // Every text of up to 5 bytes over the characters that matter, and
        // longer ones built from groups, so every colon count and `::` place
        // is covered.
        let alphabet = [b'1', b'f', b':', b'.', b'g'];
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |&c| [t.as_slice(), &[c]].concat()))
                .collect();
            texts.extend(longer);
        }
        for groups in 0..10 {
            for gap in 0..=groups {
                let mut text: Vec<String> = (0..groups).map(|g| format!("{g:x}")).collect();
                if gap < groups {
                    text[gap] = String::new();
                }
                texts.push(text.join(":").into_bytes());
                texts.push(format!("{}:1.2.3.4", text.join(":")).into_bytes());
                texts.push(format!("{}:12345", text.join(":")).into_bytes());
                texts.push(format!("{}:ffff:", text.join(":")).into_bytes());
                texts.push(format!("::{}", text.join(":")).into_bytes());
                texts.push(format!("{}::", text.join(":")).into_bytes());
            }
        }
        for text in &texts {
            assert_eq!(
                parse_v6_candidate(text),
                parse_v6(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
            if !text.contains(&b'.') {
                assert_eq!(
                    parse_v6_without_dots(text),
                    parse_v6(text),
                    "{:?}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }

    #[test]
    fn early_verdicts_agree_with_the_parser_on_random_texts() {
        // A fixed xorshift sequence: texts of hex digits, colons (often
        // doubled) and a few other bytes, up to 45 bytes.
        let alphabet = b"0123456789abcdefABCDEF::::::::g.%";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let length = (next() % 46) as usize;
            let text: Vec<u8> = (0..length)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(
                parse_v6_candidate(&text),
                parse_v6(&text),
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }
}
