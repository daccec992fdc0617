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

use memchr::memchr_iter;

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
    let mut resume = 0;
    for colon in memchr_iter(b':', text) {
        if colon < resume {
            continue;
        }
        let mut start = colon;
        while start > resume && IN_WORD[text[start - 1] as usize] {
            start -= 1;
        }
        let mut end_of_word = colon + 1;
        while end_of_word < text.len() && IN_WORD[text[end_of_word] as usize] {
            end_of_word += 1;
        }
        resume = end_of_word;
        if start > 0 && IN_WORD[text[start - 1] as usize] {
            continue;
        }
        if let Some(end) = ipv6_match_at(text, start) {
            out.push(Span { start, end });
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
}
