//! Text handling shared by every face of the crate: input checks, paragraph segmentation with
//! offsets in UTF-16 code units, and the Unicode normalisation applied to every token.
//!
//! Offsets are UTF-16 because the page and the extension mark spans in JavaScript strings, which
//! are indexed in UTF-16 code units; byte offsets are kept beside them for Rust callers.

use caseless::Caseless;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// The largest input one `classify` call accepts. Bigger inputs are split by the caller (the page's
/// worker and the CLI do), which keeps memory bounded and progress visible.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// One paragraph of an input text: a maximal run of non-blank text between line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// Start, in UTF-16 code units from the start of the text.
    pub start: usize,
    /// End (exclusive), in UTF-16 code units.
    pub end: usize,
    /// Start, in bytes of the UTF-8 text.
    #[serde(skip)]
    pub byte_start: usize,
    /// End (exclusive), in bytes of the UTF-8 text.
    #[serde(skip)]
    pub byte_end: usize,
}

impl Paragraph {
    /// The paragraph's text within the text it was found in.
    #[must_use]
    pub fn text<'a>(&self, whole: &'a str) -> &'a str {
        &whole[self.byte_start..self.byte_end]
    }
}

/// Characters that end a line. Besides `\n` and `\r`, Unicode's line and paragraph separators and
/// the old form feed / vertical tab / NEL turn up in text copied from PDFs and word processors.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Characters trimmed from both ends of a paragraph: whitespace and stray control characters such
/// as NUL, which carry no words and would only shift the marked span.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Splits `text` into paragraphs: every line is a paragraph (blank lines only separate), so one-line
/// captions and headlines are paragraphs too. Lines without a single letter or digit (rules, emoji,
/// lone punctuation) carry nothing to classify and are left out.
#[must_use]
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut utf16 = 0usize;
    // Current line: byte and UTF-16 start of its first non-blank char, and of the end of its last.
    let mut first: Option<(usize, usize)> = None;
    let mut last_end = (0usize, 0usize);
    let mut has_word = false;
    let flush = |out: &mut Vec<Paragraph>,
                 first: Option<(usize, usize)>,
                 last_end: (usize, usize),
                 has_word: bool| {
        if let (Some((bs, us)), true) = (first, has_word) {
            out.push(Paragraph {
                start: us,
                end: last_end.1,
                byte_start: bs,
                byte_end: last_end.0,
            });
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() && !ascii_line_break(b) {
            // Most text is ASCII: a run of it within a line is taken whole, off its bytes (one
            // UTF-16 unit each), with the same answers as the char tests below (checked by
            // `tests::ascii_classes_equal_the_char_tests`).
            let end = bytes[i..]
                .iter()
                .position(|&b| !b.is_ascii() || ascii_line_break(b))
                .map_or(bytes.len(), |k| i + k);
            let run = &bytes[i..end];
            if let Some(k) = run.iter().position(|&b| !ascii_blank(b)) {
                let last = run.iter().rposition(|&b| !ascii_blank(b)).unwrap_or(k);
                if first.is_none() {
                    first = Some((i + k, utf16 + k));
                }
                last_end = (i + last + 1, utf16 + last + 1);
                has_word = has_word || run.iter().any(u8::is_ascii_alphanumeric);
            }
            utf16 += run.len();
            i = end;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        let w = c.len_utf16();
        if is_line_break(c) {
            flush(&mut out, first, last_end, has_word);
            first = None;
            has_word = false;
        } else if !is_blank(c) {
            if first.is_none() {
                first = Some((i, utf16));
            }
            last_end = (i + c.len_utf8(), utf16 + w);
            has_word |= c.is_alphanumeric();
        }
        utf16 += w;
        i += c.len_utf8();
    }
    flush(&mut out, first, last_end, has_word);
    out
}

/// [`is_line_break`] of an ASCII character, as a byte: LF, VT, FF, CR.
fn ascii_line_break(b: u8) -> bool {
    matches!(b, b'\n' | 0x0B | 0x0C | b'\r')
}

/// [`is_blank`] of an ASCII character, as a byte: the controls and the space.
fn ascii_blank(b: u8) -> bool {
    b <= b' ' || b == 0x7F
}

/// Number of UTF-16 code units in `s`, counted off the bytes: one per byte that starts a
/// character, and one more for each 4-byte sequence (a character outside the BMP, a surrogate
/// pair in UTF-16).
#[must_use]
pub fn utf16_len(s: &str) -> usize {
    s.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// Rejects text over [`MAX_INPUT_BYTES`].
pub fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(Error::InputTooLarge {
            bytes: text.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    Ok(())
}

/// Rejects what cannot be classified: empty text, text over [`MAX_INPUT_BYTES`], and binary data
/// (more than one character in ten being a control character, NUL or U+FFFD, the mark a lossy
/// decoder leaves). A few stray NULs in real text pass.
pub fn check_input(text: &str) -> Result<()> {
    check_size(text)?;
    if text.chars().all(is_blank) {
        return Err(Error::EmptyInput);
    }
    let (control, total) = binary_counts(text);
    if control * 10 > total {
        return Err(Error::BinaryInput { control, total });
    }
    Ok(())
}

/// The counts [`check_input`] judges binary data by: characters that mark it (control characters
/// other than whitespace, NUL, U+FFFD) and all characters. Public so a caller reading a stream in
/// chunks (the CLI) can apply the same rule to more than one chunk.
#[must_use]
pub fn binary_counts(text: &str) -> (usize, usize) {
    let (mut control, mut total) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        // ASCII first: a letter is neither, and the test below needs no Unicode tables for it.
        if !c.is_ascii_alphanumeric() && ((c.is_control() && !c.is_whitespace()) || c == '\u{FFFD}')
        {
            control += 1;
        }
    }
    (control, total)
}

/// Appends the normalised form of `token` to `out`: NFKC (so ligatures, full-width and compatibility
/// forms match their plain spelling) then Unicode default case folding. Accents are kept, because in
/// French they separate words ("tué" and "tue", "côte" and "cote"). Typographic apostrophes become
/// ASCII so "l’Otan" and "l'Otan" meet.
pub fn normalize_into(token: &str, out: &mut String) {
    let from = out.len();
    if token.is_ascii() {
        // Fast path: NFKC and case folding of ASCII are plain lower-casing.
        out.push_str(token);
        out[from..].make_ascii_lowercase();
        return;
    }
    if latin1_fold_into(token, out) {
        return;
    }
    out.truncate(from);
    for c in token.chars().nfkc().default_case_fold() {
        out.push(if is_apostrophe(c) { '\'' } else { c });
    }
}

/// The fast path of [`normalize_into`] for the words of French and other Western European text:
/// ASCII and the Latin-1 letters U+00C0–U+00FF (but × and ÷). No such character has a
/// compatibility decomposition, none combines with another of them under NFKC (compositions
/// need a combining mark), so NFKC leaves the word as it is; their case folding is lower-casing,
/// and ß becomes "ss". Appends the normalised word and returns true, or returns false as soon as
/// a character falls outside the set (leaving a partial word for the caller to truncate).
/// `tests::latin1_fast_path_equals_nfkc_and_case_folding` checks every character of the range.
fn latin1_fold_into(token: &str, out: &mut String) -> bool {
    let mut bytes = token.bytes();
    while let Some(b) = bytes.next() {
        if b.is_ascii() {
            out.push(char::from(b.to_ascii_lowercase()));
            continue;
        }
        // U+00C0–U+00FF is 0xC3 then 0x80–0xBF in UTF-8.
        let Some(second) = bytes.next().filter(|_| b == 0xC3) else {
            return false;
        };
        let c = 0xC0 + u32::from(second & 0x3F);
        match c {
            0xD7 | 0xF7 => return false,
            0xDF => out.push_str("ss"),
            0xC0..=0xDE => out.push(char::from_u32(c + 0x20).unwrap_or('\u{FFFD}')),
            _ => out.push(char::from_u32(c).unwrap_or('\u{FFFD}')),
        }
    }
    true
}

/// The normalised form of `text` (see [`normalize_into`]).
#[must_use]
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// Apostrophes and the characters used for them in French and English typography.
#[must_use]
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}' | '\u{FF07}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<&str> {
        paragraphs(t).iter().map(|p| p.text(t)).collect()
    }

    #[test]
    fn lines_and_blank_lines_separate_paragraphs() {
        let t = "Titre court\n\nPremier paragraphe.\r\nDeuxième paragraphe.\n   \n\tTroisième  \n";
        assert_eq!(
            texts(t),
            [
                "Titre court",
                "Premier paragraphe.",
                "Deuxième paragraphe.",
                "Troisième"
            ]
        );
    }

    #[test]
    fn lines_without_words_are_skipped() {
        assert_eq!(texts("***\n🙂🙂\n — \nMot"), ["Mot"]);
        assert!(paragraphs("").is_empty());
        assert!(paragraphs("\n\n\r\n").is_empty());
    }

    #[test]
    fn utf16_offsets_match_javascript_indices() {
        // "é" is one UTF-16 unit (two UTF-8 bytes); "🇫🇷" is four units; "😀" two.
        let t = "Élysée 😀\nLa « libération » d’Alep 🇫🇷 a été annoncée.";
        let ps = paragraphs(t);
        assert_eq!(ps.len(), 2);
        assert_eq!((ps[0].start, ps[0].end), (0, 9));
        // second line starts after "Élysée 😀\n": 6 + 1 + 2 + 1 = 10 units.
        assert_eq!(ps[1].start, 10);
        let units: Vec<u16> = t.encode_utf16().collect();
        let second = String::from_utf16(&units[ps[1].start..ps[1].end]).unwrap();
        assert_eq!(second, "La « libération » d’Alep 🇫🇷 a été annoncée.");
        assert_eq!(ps[1].text(t), second);
    }

    #[test]
    fn unusual_line_breaks_split_too() {
        assert_eq!(
            texts("un\u{2028}deux\u{2029}trois\u{85}quatre"),
            ["un", "deux", "trois", "quatre"]
        );
    }

    #[test]
    fn normalisation_folds_case_and_compat_forms_but_keeps_accents() {
        assert_eq!(normalize("Élysée"), "élysée");
        assert_eq!(normalize("ﬁnance"), "finance");
        assert_eq!(normalize("ＮＡＴＯ"), "nato");
        assert_eq!(normalize("l’Otan"), "l'otan");
        assert_eq!(normalize("Straße"), "strasse");
        assert_ne!(normalize("tué"), normalize("tue"));
    }

    #[test]
    fn latin1_fast_path_equals_nfkc_and_case_folding() {
        let slow = |t: &str| -> String {
            t.chars()
                .nfkc()
                .default_case_fold()
                .map(|c| if is_apostrophe(c) { '\'' } else { c })
                .collect()
        };
        // Each character of the fast path's range alone, between letters, and before every
        // combining mark (which must leave the fast path: NFKC composes "e" + U+0301 into "é").
        for c in (0x20..0x7F).chain(0xA0..0x180).filter_map(char::from_u32) {
            for t in [
                format!("{c}"),
                format!("A{c}z"),
                format!("{c}\u{301}"),
                format!("{c}\u{327}"),
            ] {
                let mut fast = String::new();
                if latin1_fold_into(&t, &mut fast) {
                    assert_eq!(fast, slow(&t), "{t:?}");
                    assert!(
                        (0xC0..=0xFF).contains(&u32::from(c)) || c.is_ascii(),
                        "{t:?}"
                    );
                }
                assert_eq!(normalize(&t), slow(&t), "{t:?}");
            }
        }
        for c in (0x300..0x370).filter_map(char::from_u32) {
            let t = format!("e{c}");
            assert_eq!(normalize(&t), slow(&t), "{t:?}");
        }
    }

    #[test]
    fn ascii_classes_equal_the_char_tests() {
        for b in 0..0x80u8 {
            let c = char::from(b);
            assert_eq!(ascii_line_break(b), is_line_break(c), "{b:#04x}");
            assert_eq!(ascii_blank(b), is_blank(c), "{b:#04x}");
            assert_eq!(b.is_ascii_alphanumeric(), c.is_alphanumeric(), "{b:#04x}");
        }
        for t in ["", "abc", "é😀\u{10FFFF}\u{FFFF}ab\u{800}\u{7FF}"] {
            assert_eq!(utf16_len(t), t.encode_utf16().count(), "{t:?}");
        }
    }

    #[test]
    fn input_checks_name_the_problem() {
        assert!(matches!(check_input(""), Err(Error::EmptyInput)));
        assert!(matches!(check_input(" \n\t "), Err(Error::EmptyInput)));
        assert!(matches!(
            check_input("\0\u{1}\u{2}ab"),
            Err(Error::BinaryInput { .. })
        ));
        assert!(check_input("Un texte avec un NUL\0 égaré au milieu de phrases normales.").is_ok());
        assert!(check_input("ok").is_ok());
    }
}
