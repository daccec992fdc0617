//! One line of a CSV table as Python's `csv.reader` (excel dialect, not
//! strict) reads it, for the lines it reads unambiguously: unquoted fields,
//! and quoted fields closed on the same line (`""` standing for `"`).
//! Anything it would read otherwise or refuse (a quoted newline, a lone
//! `\r`, text after a closing quote, a huge field) is `None`, and the
//! Python reader takes the whole table.

use std::borrow::Cow;

use memchr::memchr;

/// Python's `csv` refuses a field longer than this many characters (its
/// default `field_size_limit`); longer fields are left to it.
const CSV_FIELD_LIMIT: usize = 131_072;

/// A field of a record: a byte span of the text, and whether it was quoted
/// with doubled quotes inside (`""` stands for `"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Field {
    pub start: u32,
    pub end: u32,
    pub doubled_quotes: bool,
}

impl Field {
    /// The field's text in `data`, quotes undoubled.
    pub fn text<'a>(&self, data: &'a [u8]) -> Cow<'a, [u8]> {
        let raw = &data[self.start as usize..self.end as usize];
        if !self.doubled_quotes {
            return Cow::Borrowed(raw);
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut skip = false;
        for &b in raw {
            if skip {
                skip = false;
                continue;
            }
            out.push(b);
            skip = b == b'"';
        }
        Cow::Owned(out)
    }
}

/// The fields of one CSV line (no newline, one trailing `\r` already
/// dropped), as Python's `csv.reader` reads it, or `None` where that reader
/// would read it otherwise or fail.
pub fn csv_fields(line: &[u8], base: usize, out: &mut Vec<Field>) -> Option<()> {
    if line.contains(&b'\r') {
        return None;
    }
    if line.is_empty() {
        return Some(()); // csv yields [] for an empty line
    }
    let mut at = 0;
    loop {
        let field = if line.get(at) == Some(&b'"') {
            let mut end = at + 1;
            let mut doubled = false;
            loop {
                let close = end + memchr(b'"', &line[end..])?;
                if line.get(close + 1) == Some(&b'"') {
                    doubled = true;
                    end = close + 2;
                    continue;
                }
                let field = Field {
                    start: (base + at + 1) as u32,
                    end: (base + close) as u32,
                    doubled_quotes: doubled,
                };
                at = close + 1;
                if at < line.len() && line[at] != b',' {
                    // Text after the closing quote: joined on by the lenient reader only.
                    return None;
                }
                break field;
            }
        } else {
            let end = memchr(b',', &line[at..]).map_or(line.len(), |e| at + e);
            let field = Field {
                start: (base + at) as u32,
                end: (base + end) as u32,
                doubled_quotes: false,
            };
            at = end;
            field
        };
        if (field.end - field.start) as usize > CSV_FIELD_LIMIT {
            return None;
        }
        out.push(field);
        if at >= line.len() {
            return Some(());
        }
        at += 1; // past the comma; a comma ending the line leaves an empty field
        if at == line.len() {
            out.push(Field {
                start: (base + at) as u32,
                end: (base + at) as u32,
                doubled_quotes: false,
            });
            return Some(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(line: &str) -> Option<Vec<String>> {
        let mut fields = Vec::new();
        csv_fields(line.as_bytes(), 0, &mut fields)?;
        Some(
            fields
                .iter()
                .map(|f| String::from_utf8(f.text(line.as_bytes()).into_owned()).unwrap())
                .collect(),
        )
    }

    #[test]
    fn csv_lines_as_pythons_reader_reads_them() {
        assert_eq!(csv("a,b"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(csv(""), Some(vec![]));
        assert_eq!(csv("a,"), Some(vec!["a".into(), "".into()]));
        assert_eq!(csv(","), Some(vec!["".into(), "".into()]));
        assert_eq!(csv("\"a,b\",c"), Some(vec!["a,b".into(), "c".into()]));
        assert_eq!(csv("\"a\"\"b\""), Some(vec!["a\"b".into()]));
        assert_eq!(csv("\"\""), Some(vec!["".into()]));
        assert_eq!(csv("a\"b, \"c\""), Some(vec!["a\"b".into(), " \"c\"".into()]));
        assert_eq!(csv("\"a\"b"), None, "text after a closing quote");
        assert_eq!(csv("\"a"), None, "a quoted newline");
        assert_eq!(csv("a\rb"), None, "a lone carriage return");
    }
}
