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
    for (i, c) in text.char_indices() {
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
    }
    flush(&mut out, first, last_end, has_word);
    out
}

/// Number of UTF-16 code units in `s`.
#[must_use]
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
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
        if (c.is_control() && !c.is_whitespace()) || c == '\u{FFFD}' {
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
    if token.is_ascii() {
        // Fast path: NFKC and case folding of ASCII are plain lower-casing.
        out.extend(token.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        return;
    }
    for c in token.chars().nfkc().default_case_fold() {
        out.push(if is_apostrophe(c) { '\'' } else { c });
    }
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
