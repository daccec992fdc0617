//! The lookup table reader against reference readers written plainly:
//! Python's `csv` reader as its character state machine (records and
//! fields), and the standard library's address parsers for the prefix
//! cells. The first input byte picks a plain list (even) or a CSV (odd).
//! Declining a table is always allowed (Python then reads it); what the
//! reader does read must be what the references read.
#![no_main]

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use cidrkit_engine::tabletext::{ImageText, TableText};
use libfuzzer_sys::fuzz_target;

/// Python's csv reader (excel dialect, not strict) over lines split after
/// each `\n`: the records, or None where it raises.
fn python_csv(text: &str) -> Option<Vec<Vec<String>>> {
    #[derive(PartialEq)]
    enum State {
        StartRecord,
        StartField,
        InField,
        InQuoted,
        QuoteInQuoted,
        EatCrnl,
    }
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut state = State::StartRecord;
    for line in text.split_inclusive('\n') {
        // `None` stands for the end of a line.
        for c in line.chars().map(Some).chain([None]) {
            match state {
                State::StartRecord | State::StartField => {
                    if state == State::StartRecord && c.is_none() {
                        // An empty line: [].
                        continue;
                    }
                    if state == State::StartRecord && matches!(c, Some('\n' | '\r')) {
                        state = State::EatCrnl;
                        continue;
                    }
                    match c {
                        None | Some('\n' | '\r') => {
                            fields.push(std::mem::take(&mut field));
                            state = if c.is_none() { State::StartRecord } else { State::EatCrnl };
                        }
                        Some('"') => state = State::InQuoted,
                        Some(',') => {
                            fields.push(std::mem::take(&mut field));
                            state = State::StartField;
                        }
                        Some(c) => {
                            field.push(c);
                            state = State::InField;
                        }
                    }
                }
                State::InField => match c {
                    None | Some('\n' | '\r') => {
                        fields.push(std::mem::take(&mut field));
                        state = if c.is_none() { State::StartRecord } else { State::EatCrnl };
                    }
                    Some(',') => {
                        fields.push(std::mem::take(&mut field));
                        state = State::StartField;
                    }
                    Some(c) => field.push(c),
                },
                State::InQuoted => match c {
                    None => {}
                    Some('"') => state = State::QuoteInQuoted,
                    Some(c) => field.push(c),
                },
                State::QuoteInQuoted => match c {
                    Some('"') => {
                        field.push('"');
                        state = State::InQuoted;
                    }
                    Some(',') => {
                        fields.push(std::mem::take(&mut field));
                        state = State::StartField;
                    }
                    None | Some('\n' | '\r') => {
                        fields.push(std::mem::take(&mut field));
                        state = if c.is_none() { State::StartRecord } else { State::EatCrnl };
                    }
                    Some(c) => {
                        field.push(c);
                        state = State::InField;
                    }
                },
                State::EatCrnl => match c {
                    Some('\n' | '\r') => {}
                    None => state = State::StartRecord,
                    Some(_) => return None, // "new-line character seen in unquoted field"
                },
            }
        }
        if state == State::StartRecord {
            records.push(std::mem::take(&mut fields));
        }
    }
    // An unterminated quote at the end of the text raises, and so does a
    // field longer than the reader's limit.
    let too_long = records.iter().flatten().any(|f| f.chars().count() > 131_072);
    (state == State::StartRecord && !too_long).then_some(records)
}

/// A strict prefix or bare address: its canonical text, or None.
fn reference_prefix(cell: &str) -> Option<String> {
    let (address, length) = match cell.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (cell, None),
    };
    let (bits, value, canonical) = if address.contains(':') {
        let a: Ipv6Addr = address.parse().ok()?;
        (128u32, u128::from(a), a.to_string())
    } else {
        let a: Ipv4Addr = address.parse().ok()?;
        (32u32, u128::from(u32::from(a)), a.to_string())
    };
    let length = match length {
        None => bits,
        Some(l) => {
            let plain = !l.is_empty() && l.len() <= 3 && (l.len() == 1 || !l.starts_with('0'));
            let value: u32 = l.parse().ok().filter(|_| plain && l.bytes().all(|b| b.is_ascii_digit()))?;
            (value <= bits).then_some(value)?
        }
    };
    let host = if length == 0 { u128::MAX >> (128 - bits) } else { (1u128 << (bits - length)) - 1 };
    (value & host == 0).then(|| format!("{canonical}/{length}"))
}

fn built_rows(text: &TableText) -> Vec<String> {
    let image = ImageText {
        miss: b"\t-",
        problems: b"",
        key: [0; 16],
        stamp: [0; 16],
    };
    let table = text.build(&mut [], &image, &[] as &[PathBuf]);
    (0..table.rows())
        .map(|row| String::from_utf8(table.suffix(row).to_vec()).expect("UTF-8 rows"))
        .collect()
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, data)) = input.split_first() else {
        return;
    };
    let csv = mode & 1 == 1;
    let Some(mut text) = TableText::read(data.to_vec(), csv) else {
        return;
    };
    let source = std::str::from_utf8(data).expect("only UTF-8 is read");
    assert!(!source.contains('\0'), "NUL bytes are left to Python");
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut expected_rows = Vec::new();
    let mut expected_declined = Vec::new();
    if csv {
        let records = python_csv(source).expect("a table Python's csv reader rejects was read");
        assert_eq!(text.records(), records.len(), "{source:?}");
        for (k, record) in records.iter().enumerate() {
            let read: Vec<String> = text.record(k).into_iter().map(|f| String::from_utf8(f).unwrap()).collect();
            assert_eq!(&read, record, "{source:?}");
        }
        text.use_columns(0, vec![1]);
        let declined: Vec<usize> = text.declined().into_iter().map(|(row, _)| row).collect();
        let rows = built_rows(&text);
        let mut kept = rows.iter();
        for (row, record) in records.iter().skip(1).enumerate() {
            let cell = record.first().map_or("", String::as_str).trim_matches([' ', '\t']);
            let label = record.get(1).map_or("", String::as_str);
            if declined.contains(&row) {
                continue; // Python's verdict (a quoted cell with doubled quotes may be a prefix)
            }
            let prefix = reference_prefix(cell).expect("the reader took a cell the reference rejects");
            assert_eq!(kept.next(), Some(&format!("\t{prefix}\t{label}")), "{source:?}");
        }
        assert_eq!(kept.next(), None);
        return;
    }
    for (row, line) in source.split_inclusive('\n').enumerate() {
        // `\r\n` and `\n` end a line; a `\r` elsewhere is part of it.
        let line = line
            .strip_suffix("\r\n")
            .or_else(|| line.strip_suffix('\n'))
            .unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        match reference_prefix(line) {
            Some(prefix) => expected_rows.push(format!("\t{prefix}")),
            None => expected_declined.push(row),
        }
    }
    let declined: Vec<usize> = text.declined().into_iter().map(|(row, _)| row).collect();
    assert_eq!(declined, expected_declined, "{source:?}");
    assert_eq!(built_rows(&text), expected_rows, "{source:?}");
});
