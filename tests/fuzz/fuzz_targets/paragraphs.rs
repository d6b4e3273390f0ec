//! Paragraph segmentation (`text::paragraphs`) and the input checks, on any text.
//!
//! Beyond "no panic": the result equals a plain reference segmentation written here (split at the
//! line-break characters, trim blanks, keep lines with a letter or digit); byte offsets are on char
//! boundaries; UTF-16 offsets are the UTF-16 length of the text before them; paragraphs are in
//! order and disjoint; and splitting the text after any line break and segmenting the two halves
//! (the second shifted by the first's length) gives the same paragraphs, which is what the CLI's
//! and the page's chunked classification rely on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stance::text::{self, Paragraph};

/// The reference: what the module documentation promises, in the most direct code.
fn reference(t: &str) -> Vec<(usize, usize)> {
    let is_break = |c: char| {
        matches!(
            c,
            '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
    };
    let is_blank = |c: char| c.is_whitespace() || c.is_control();
    let mut out = Vec::new();
    let mut line_start = 0;
    for (i, c) in t.char_indices().chain(std::iter::once((t.len(), '\n'))) {
        if !is_break(c) {
            continue;
        }
        let line = &t[line_start..i];
        let trimmed_start = line.len() - line.trim_start_matches(is_blank).len();
        let trimmed = line.trim_matches(is_blank);
        if trimmed.chars().any(char::is_alphanumeric) {
            let a = line_start + trimmed_start;
            out.push((a, a + trimmed.len()));
        }
        line_start = i + c.len_utf8();
    }
    out
}

fn check(t: &str, ps: &[Paragraph]) {
    let expected = reference(t);
    let got: Vec<(usize, usize)> = ps.iter().map(|p| (p.byte_start, p.byte_end)).collect();
    assert_eq!(got, expected, "segmentation differs from the reference");
    let mut last = 0;
    // UTF-16 length of t[..b] for increasing b, in one walk over the text (linear, not quadratic).
    let (mut pos, mut units) = (0usize, 0usize);
    let mut utf16_at = |b: usize| {
        units += text::utf16_len(&t[pos..b]);
        pos = b;
        units
    };
    for p in ps {
        assert!(p.byte_start < p.byte_end && p.byte_end <= t.len());
        assert!(t.is_char_boundary(p.byte_start) && t.is_char_boundary(p.byte_end));
        assert!(
            p.start < p.end && p.start >= last,
            "out of order or overlapping"
        );
        last = p.end;
        assert_eq!(p.start, utf16_at(p.byte_start), "UTF-16 start");
        assert_eq!(p.end, utf16_at(p.byte_end), "UTF-16 end");
        assert_eq!(p.text(t), &t[p.byte_start..p.byte_end]);
    }
}

fuzz_target!(|data: &[u8]| {
    // Borrowed when the bytes are UTF-8; invalid sequences become U+FFFD otherwise.
    let lossy = String::from_utf8_lossy(data);
    let t: &str = &lossy;
    let ps = text::paragraphs(t);
    check(t, &ps);

    // The input checks name a problem or pass; they never panic, and agree with segmentation:
    // text with a paragraph is never "empty".
    match text::check_input(t) {
        Err(stance::Error::EmptyInput) => assert!(ps.is_empty()),
        Err(stance::Error::BinaryInput { control, total }) => assert!(control * 10 > total),
        Err(e) => panic!("unexpected error {e}"),
        Ok(()) => {}
    }

    // Split after the first line break at or after a point chosen by the input.
    let cut = data.first().map_or(0, |&b| usize::from(b) * t.len() / 255);
    if let Some((i, c)) = t
        .char_indices()
        .find(|&(i, c)| i >= cut && matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
    {
        let (a, b) = t.split_at(i + c.len_utf8());
        let shift = (a.len(), text::utf16_len(a));
        let mut joined = text::paragraphs(a);
        joined.extend(text::paragraphs(b).into_iter().map(|p| Paragraph {
            start: p.start + shift.1,
            end: p.end + shift.1,
            byte_start: p.byte_start + shift.0,
            byte_end: p.byte_end + shift.0,
        }));
        // A "\r\n" cut between its two characters only adds an empty line: same paragraphs.
        assert_eq!(joined, ps, "chunked segmentation differs");
    }
});
