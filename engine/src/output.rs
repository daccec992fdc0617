//! Appending output text to byte buffers.

/// Append the decimal digits of `value`.
#[inline]
pub fn push_number(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Append a line of input; with `lossy`, invalid UTF-8 becomes U+FFFD the
/// way Python's `errors="replace"` decodes it (maximal subparts).
#[inline]
pub fn push_line(out: &mut Vec<u8>, line: &[u8], lossy: bool) {
    if lossy && !line.is_ascii() {
        out.extend_from_slice(String::from_utf8_lossy(line).as_bytes());
    } else {
        out.extend_from_slice(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_lines() {
        let mut out = Vec::new();
        push_number(&mut out, 0);
        out.push(b' ');
        push_number(&mut out, u64::MAX);
        out.push(b' ');
        push_line(&mut out, b"a\xe2\x82b", true);
        assert_eq!(out, "0 18446744073709551615 a\u{fffd}b".as_bytes());
    }
}
