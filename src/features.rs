//! Turning a paragraph into hashed features: the ONE code path used by training and by the
//! browser, so a model never sees features at inference that were computed differently in training.
//!
//! Tokens are Unicode words (UAX #29, `unicode-segmentation`), split again at apostrophes so the
//! French elisions "l'", "d'", "qu'" leave the noun alone ("l'Otan" gives "l" and "otan"). Features
//! are word n-grams (1 to `word_ngrams`) and character n-grams within each word, padded with `<`
//! and `>` so prefixes and suffixes are told apart; each is hashed with FNV-1a into
//! `2^hash_bits` buckets.

use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Result};
use crate::text::{is_apostrophe, normalize_into};

/// Version of the feature extraction algorithm. Bump it whenever a change would give different
/// hashes for the same text: models store it and refuse to load under another version.
pub const FEATURIZER_VERSION: u16 = 1;

/// Unchecked featurizer settings, linfa-style: set what you need, then [`FeaturizerParams::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeaturizerParams(FeaturizerConfig);

/// Checked featurizer settings, as stored in a model file.
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent switches, stored as flag bits in the model file"
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeaturizerConfig {
    /// Longest word n-gram.
    pub word_ngrams: u8,
    /// Shortest character n-gram; 0 disables character n-grams.
    pub char_min: u8,
    /// Longest character n-gram.
    pub char_max: u8,
    /// Hash space is `2^hash_bits` buckets.
    pub hash_bits: u8,
    /// Term weight `1 + ln(tf)` instead of `tf`.
    pub sublinear_tf: bool,
    /// Multiply term weights by the inverse document frequency learnt in training.
    pub idf: bool,
    /// Quotation marks, `!` and `?` as tokens (word features only, no character n-grams).
    pub punctuation: bool,
    /// Spelling variants of place and group names folded to one form (see [`ALIASES`]).
    pub aliases: bool,
}

impl Default for FeaturizerParams {
    fn default() -> Self {
        Self::new()
    }
}

impl FeaturizerParams {
    /// The defaults below.
    #[must_use]
    pub fn new() -> Self {
        FeaturizerParams(FeaturizerConfig {
            word_ngrams: 2,
            char_min: 3,
            char_max: 5,
            hash_bits: 24,
            sublinear_tf: true,
            idf: true,
            punctuation: true,
            aliases: true,
        })
    }

    /// Longest word n-gram, 1 to 3. Default 2: word pairs carry framing ("so-called", "régime de").
    #[must_use]
    pub fn word_ngrams(mut self, n: u8) -> Self {
        self.0.word_ngrams = n;
        self
    }

    /// Character n-gram lengths within words, `min..=max`, up to 8; `(0, 0)` turns them off.
    /// Default 3 to 5: enough to share evidence between inflections ("terroriste", "terroristes").
    #[must_use]
    pub fn char_ngrams(mut self, min: u8, max: u8) -> Self {
        self.0.char_min = min;
        self.0.char_max = max;
        self
    }

    /// Size of the hash space as a power of two, 12 to 32. Default 24 (16M buckets): collisions
    /// among the features a corpus actually has stay rare, and only the selected vocabulary is stored.
    #[must_use]
    pub fn hash_bits(mut self, bits: u8) -> Self {
        self.0.hash_bits = bits;
        self
    }

    /// Sub-linear term frequency `1 + ln(tf)`. Default true: a word repeated ten times is not ten
    /// times the evidence.
    #[must_use]
    pub fn sublinear_tf(mut self, on: bool) -> Self {
        self.0.sublinear_tf = on;
        self
    }

    /// Inverse document frequency weighting. Default true: rare, telling n-grams count more than
    /// the function words every paragraph has.
    #[must_use]
    pub fn idf(mut self, on: bool) -> Self {
        self.0.idf = on;
        self
    }

    /// Quotation marks, `!` and `?` as tokens. Default true: scare quotes ("« rebelles modérés »",
    /// "so-called \"experts\"") and exclamations are framing devices the annotation guide names.
    /// All double-quote forms become `"`; phrases like `" experts` then mark a quoted word.
    #[must_use]
    pub fn punctuation(mut self, on: bool) -> Self {
        self.0.punctuation = on;
        self
    }

    /// Fold spelling variants of names ("Kyiv"/"Kiev", "Luhansk"/"Lugansk", "Daesh"/"ISIS") to one
    /// form. Default true: which transliteration a text uses depends on its date, language and
    /// translator more than on its stance, and a model that learns the spelling instead of the
    /// framing fails on translated and older text.
    #[must_use]
    pub fn aliases(mut self, on: bool) -> Self {
        self.0.aliases = on;
        self
    }

    /// Validates the settings.
    pub fn check(self) -> Result<Featurizer> {
        let c = self.0;
        if !(1..=3).contains(&c.word_ngrams) {
            return Err(Error::InvalidParams(format!(
                "word_ngrams must be 1 to 3, got {}",
                c.word_ngrams
            )));
        }
        let chars_off = c.char_min == 0 && c.char_max == 0;
        let chars_ok = 1 <= c.char_min && c.char_min <= c.char_max && c.char_max <= 8;
        if !(chars_off || chars_ok) {
            return Err(Error::InvalidParams(format!(
                "character n-grams must satisfy 1 <= min <= max <= 8 (or both 0), got {}..={}",
                c.char_min, c.char_max
            )));
        }
        if !(12..=32).contains(&c.hash_bits) {
            return Err(Error::InvalidParams(format!(
                "hash_bits must be 12 to 32, got {}",
                c.hash_bits
            )));
        }
        Ok(Featurizer { config: c })
    }
}

/// A token: the normalised word and where it stands in the paragraph (bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Normalised text (NFKC, case folded).
    pub text: String,
    /// Byte offset of the token's first character in the paragraph.
    pub start: usize,
    /// Byte offset just past the token in the paragraph.
    pub end: usize,
}

/// What produced a feature, so explanations can point back at words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A word unigram or a character n-gram of token `i`.
    Word(usize),
    /// A word n-gram of `n` tokens starting at token `i`.
    Phrase(usize, usize),
}

/// A checked featurizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Featurizer {
    config: FeaturizerConfig,
}

impl Default for Featurizer {
    fn default() -> Self {
        FeaturizerParams::new()
            .check()
            .expect("default featurizer parameters are valid")
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, written out here rather than taken from a crate: the hash is part of the model file
/// format, so it must never change under a dependency update.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new(namespace: u8) -> Self {
        let mut h = Fnv(FNV_OFFSET);
        h.byte(namespace);
        h
    }
    fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    fn bytes(&mut self, bs: &[u8]) {
        for &b in bs {
            self.byte(b);
        }
    }
    /// Folds the 64-bit state into `bits` bits (xor-fold keeps the high bits' entropy).
    #[cfg(test)]
    fn finish(self, bits: u8) -> u32 {
        self.fold(fold_mask(bits))
    }
    /// [`Fnv::finish`] with the mask of its `bits` computed once ([`fold_mask`]).
    fn fold(self, mask: u32) -> u32 {
        (self.0 ^ (self.0 >> 32)) as u32 & mask
    }
}

/// The mask keeping the low `bits` bits of a folded hash.
fn fold_mask(bits: u8) -> u32 {
    if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    }
}

/// Namespaces keep a word, a phrase and a character n-gram with the same letters apart.
const NS_WORD: u8 = b'w';
const NS_CHAR: u8 = b'c';
/// Separates the words of a phrase inside its hash (a byte no UTF-8 text contains).
const SEP: u8 = 0xFF;

impl Featurizer {
    /// The checked settings.
    #[must_use]
    pub fn config(&self) -> FeaturizerConfig {
        self.config
    }

    /// Tokens of `paragraph`, normalised, with their byte spans.
    #[must_use]
    pub fn tokens(&self, paragraph: &str) -> Vec<Token> {
        let mut buf = TokenBuf::default();
        self.tokenize(paragraph, &mut buf);
        (0..buf.len())
            .map(|i| {
                let (start, end) = buf.span(i);
                Token {
                    text: buf.text(i).to_string(),
                    start,
                    end,
                }
            })
            .collect()
    }

    /// [`Featurizer::tokens`] into reusable buffers: the inference path's form, with no
    /// allocation per token.
    pub(crate) fn tokenize(self, paragraph: &str, buf: &mut TokenBuf) {
        buf.clear();
        word_bounds(paragraph, |start, word| {
            let ascii = word.is_ascii();
            if !has_alphanumeric(word, ascii) {
                if self.config.punctuation {
                    if let Some(p) = punctuation_token(word) {
                        buf.push_static(p, start, start + word.len());
                    }
                }
                return;
            }
            if ascii && !word.contains('\'') {
                // The common case: one piece, the whole word.
                self.push_piece(buf, word, start, start + word.len());
                return;
            }
            // Split at apostrophes: "l'Otan" gives "l" and "otan", "aujourd'hui" gives two parts.
            let mut piece_start = 0;
            for (i, c) in word
                .char_indices()
                .chain(std::iter::once((word.len(), ' ')))
            {
                if i == word.len() || is_apostrophe(c) {
                    let piece = &word[piece_start..i];
                    if piece.chars().any(char::is_alphanumeric) {
                        self.push_piece(buf, piece, start + piece_start, start + i);
                    }
                    piece_start = i + c.len_utf8();
                }
            }
        });
    }

    /// Appends the token of one word piece: normalised, then folded to its alias's form.
    fn push_piece(self, buf: &mut TokenBuf, piece: &str, start: usize, end: usize) {
        let from = buf.text.len();
        normalize_into(piece, &mut buf.text);
        if self.config.aliases && ALIAS_FIRST_BYTES[usize::from(buf.text.as_bytes()[from])] {
            let text = &buf.text[from..];
            if let Some(&(_, canonical)) = ALIASES.iter().find(|(variant, _)| *variant == text) {
                buf.text.truncate(from);
                buf.text.push_str(canonical);
            }
        }
        buf.toks.push((from, buf.text.len(), start, end));
    }

    /// Calls `emit(hash, source)` for every feature occurrence of `tokens`, in a fixed order:
    /// per token, its word, the phrases starting at it (2 to `word_ngrams` words), then its
    /// character n-grams by length, each length left to right.
    pub fn visit(&self, tokens: &[Token], emit: impl FnMut(u32, Source)) {
        self.visit_texts(tokens.len(), |i| tokens[i].text.as_str(), emit);
    }

    /// [`Featurizer::visit`] over buffered tokens.
    pub(crate) fn visit_buf(self, tokens: &TokenBuf, emit: impl FnMut(u32, Source)) {
        self.visit_texts(tokens.len(), |i| tokens.text(i), emit);
    }

    /// The one feature enumeration. Phrase hashes extend the word's (FNV-1a is a running state);
    /// the character n-grams starting at one position extend each other the same way, and are
    /// then emitted in the documented order.
    ///
    /// This loop runs for every token of everything classified, so it avoids per-window work it
    /// can: the hash's fold mask is computed once, and an ASCII token (most of them) reads its
    /// windows straight off the padded bytes instead of through a table of character offsets.
    fn visit_texts<'a>(
        self,
        n_tokens: usize,
        text: impl Fn(usize) -> &'a str,
        mut emit: impl FnMut(u32, Source),
    ) {
        let c = self.config;
        let mask = fold_mask(c.hash_bits);
        let (cmin, cmax) = (usize::from(c.char_min), usize::from(c.char_max));
        // '<' + token + '>', where each of its characters starts (and where the last ends), and
        // the running hash of the window starting at each character.
        let mut padded: Vec<u8> = Vec::new();
        let mut bounds: Vec<usize> = Vec::new();
        let mut states: Vec<Fnv> = Vec::new();
        for i in 0..n_tokens {
            let t = text(i);
            let mut h = Fnv::new(NS_WORD);
            h.bytes(t.as_bytes());
            emit(h.fold(mask), Source::Word(i));
            for n in 2..=usize::from(c.word_ngrams) {
                if i + n > n_tokens {
                    break;
                }
                h.byte(SEP);
                h.bytes(text(i + n - 1).as_bytes());
                emit(h.fold(mask), Source::Phrase(i, n));
            }
            let ascii = t.is_ascii();
            if cmin == 0 || !has_alphanumeric(t, ascii) {
                continue;
            }
            padded.clear();
            padded.push(b'<');
            padded.extend_from_slice(t.as_bytes());
            padded.push(b'>');
            states.clear();
            if ascii {
                // One byte a character: window `s..s + n` is `padded[s..s + n]`.
                let p = padded.as_slice();
                let chars = p.len();
                if cmin > chars {
                    continue;
                }
                // Length cmin from scratch; each longer length extends the window one byte.
                for w in p.windows(cmin) {
                    let mut h = Fnv::new(NS_CHAR);
                    h.bytes(w);
                    states.push(h);
                    emit(h.fold(mask), Source::Word(i));
                }
                for n in cmin + 1..=cmax.min(chars) {
                    // Window s of length n ends with byte s + n - 1.
                    for (h, &b) in states[..=chars - n].iter_mut().zip(&p[n - 1..]) {
                        h.byte(b);
                        emit(h.fold(mask), Source::Word(i));
                    }
                }
                continue;
            }
            bounds.clear();
            bounds.push(0);
            bounds.extend(t.char_indices().map(|(k, _)| k + 1));
            bounds.extend([t.len() + 1, t.len() + 2]);
            let chars = bounds.len() - 1;
            if cmin > chars {
                continue;
            }
            // Length cmin from scratch; each longer length extends the window one character.
            for s in 0..=chars - cmin {
                let mut h = Fnv::new(NS_CHAR);
                h.bytes(&padded[bounds[s]..bounds[s + cmin]]);
                states.push(h);
                emit(h.fold(mask), Source::Word(i));
            }
            for n in cmin + 1..=cmax.min(chars) {
                for (s, h) in states[..=chars - n].iter_mut().enumerate() {
                    h.bytes(&padded[bounds[s + n - 1]..bounds[s + n]]);
                    emit(h.fold(mask), Source::Word(i));
                }
            }
        }
    }

    /// Feature counts of `paragraph` as `(hash, count)` pairs sorted by hash.
    #[must_use]
    pub fn counts(&self, paragraph: &str) -> Vec<(u32, u32)> {
        let mut tokens = TokenBuf::default();
        self.tokenize(paragraph, &mut tokens);
        let mut hashes = Vec::with_capacity(tokens.len() * 12);
        self.visit_buf(&tokens, |h, _| hashes.push(h));
        counts_of(hashes)
    }
}

/// Calls `f(start, segment)` for every segment between two UAX #29 word boundaries of `text`, in
/// order: exactly what `text.split_word_bound_indices()` yields (the tests compare the two), for a
/// fraction of the work on the ASCII most text is made of.
///
/// The text is cut where a boundary is certain and the rules on one side never look across it:
/// after an ASCII space followed by an ASCII character other than a space. (Between a space and
/// such a character every rule but `WB999` needs a space, Extend, Format or ZWJ on the right, and
/// the context rules `WB6/7/11/12/15/16` never see past a space.) Pieces that are all ASCII are
/// segmented by [`ascii_word_bounds`]; the others by `unicode-segmentation`.
fn word_bounds<'a>(text: &'a str, mut f: impl FnMut(usize, &'a str)) {
    let bytes = text.as_bytes();
    let mut emit_piece = |from: usize, to: usize, ascii: bool| {
        let piece = &text[from..to];
        if ascii {
            ascii_word_bounds(piece, from, &mut f);
        } else {
            for (i, w) in piece.split_word_bound_indices() {
                f(from + i, w);
            }
        }
    };
    let mut from = 0;
    let mut ascii = true;
    for p in 0..bytes.len() {
        let b = bytes[p];
        if b >= 0x80 {
            ascii = false;
        } else if p > from && b != b' ' && bytes[p - 1] == b' ' {
            emit_piece(from, p, ascii);
            from = p;
            ascii = true;
        }
    }
    if from < bytes.len() {
        emit_piece(from, bytes.len(), ascii);
    }
}

/// UAX #29 word boundaries of ASCII text, `offset` added to every start. In ASCII the rules come
/// down to: letters, digits and `_` hold together (rules `WB5`, `WB8`–`WB10`, `WB13a/b`), and so
/// do `.` `:` `'` between two letters (`WB6/7`) and `.` `,` `;` `'` between two digits
/// (`WB11/12`); runs of spaces hold together (`WB3d`), and so does CR LF (`WB3`); everything else
/// is a segment of its own (`WB999`).
fn ascii_word_bounds<'a>(text: &'a str, offset: usize, f: &mut impl FnMut(usize, &'a str)) {
    let b = text.as_bytes();
    let n = b.len();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < n {
        let start = i;
        let c = b[i];
        i += 1;
        if word(c) {
            while i < n {
                let d = b[i];
                if word(d) {
                    i += 1;
                    continue;
                }
                if i + 1 < n {
                    let (prev, next) = (b[i - 1], b[i + 1]);
                    let letters = matches!(d, b'.' | b':' | b'\'')
                        && prev.is_ascii_alphabetic()
                        && next.is_ascii_alphabetic();
                    let digits = matches!(d, b'.' | b',' | b';' | b'\'')
                        && prev.is_ascii_digit()
                        && next.is_ascii_digit();
                    if letters || digits {
                        i += 2;
                        continue;
                    }
                }
                break;
            }
        } else if c == b' ' {
            while i < n && b[i] == b' ' {
                i += 1;
            }
        } else if c == b'\r' && i < n && b[i] == b'\n' {
            i += 1;
        }
        f(offset + start, &text[start..i]);
    }
}

/// Whether `s` has a letter or digit; `ascii` says `s` is ASCII (a faster test, the same answer).
fn has_alphanumeric(s: &str, ascii: bool) -> bool {
    if ascii {
        s.bytes().any(|b| b.is_ascii_alphanumeric())
    } else {
        s.chars().any(char::is_alphanumeric)
    }
}

/// The tokens of one paragraph in two flat buffers: every normalised text in one `String`, and
/// per token `(text start, text end, byte start, byte end)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct TokenBuf {
    text: String,
    toks: Vec<(usize, usize, usize, usize)>,
}

impl TokenBuf {
    fn clear(&mut self) {
        self.text.clear();
        self.toks.clear();
    }
    fn push_static(&mut self, text: &str, start: usize, end: usize) {
        let from = self.text.len();
        self.text.push_str(text);
        self.toks.push((from, self.text.len(), start, end));
    }
    /// Number of tokens.
    pub(crate) fn len(&self) -> usize {
        self.toks.len()
    }
    /// Normalised text of token `i`.
    pub(crate) fn text(&self, i: usize) -> &str {
        let t = self.toks[i];
        &self.text[t.0..t.1]
    }
    /// Byte span of token `i` in the paragraph.
    pub(crate) fn span(&self, i: usize) -> (usize, usize) {
        let t = self.toks[i];
        (t.2, t.3)
    }
    /// Memory held, in bytes (to drop buffers a huge paragraph left behind).
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.text.capacity()
            + self.toks.capacity() * std::mem::size_of::<(usize, usize, usize, usize)>()
    }
}

/// Spelling variants (normalised, one word) and the form they are folded to. Only transliterations
/// and synonyms that say nothing by themselves about the writer's side; loaded names ("Artemovsk"
/// for Bakhmut, "Novorossiya") stay as they are.
pub const ALIASES: &[(&str, &str)] = &[
    ("kyiv", "kiev"),
    ("kyjiw", "kiev"),
    ("kiew", "kiev"),
    ("kharkiv", "kharkov"),
    ("luhansk", "lugansk"),
    ("louhansk", "lugansk"),
    ("odesa", "odessa"),
    ("donbas", "donbass"),
    ("mykolaiv", "nikolaev"),
    ("mykolaïv", "nikolaev"),
    ("mykolayiv", "nikolaev"),
    ("mikolaïv", "nikolaev"),
    ("zaporizhzhia", "zaporijia"),
    ("zaporizhia", "zaporijia"),
    ("zaporozhye", "zaporijia"),
    ("zaporijjia", "zaporijia"),
    ("chernihiv", "tchernihiv"),
    ("tchernigov", "tchernihiv"),
    ("chernigov", "tchernihiv"),
    ("daesh", "daech"),
    ("isis", "daech"),
    ("isil", "daech"),
];

/// The first bytes of the [`ALIASES`] variants: most tokens are ruled out without a comparison.
const ALIAS_FIRST_BYTES: [bool; 256] = {
    let mut first = [false; 256];
    let mut i = 0;
    while i < ALIASES.len() {
        first[ALIASES[i].0.as_bytes()[0] as usize] = true;
        i += 1;
    }
    first
};

/// The token a punctuation segment stands for, if it is one the featurizer keeps: every double
/// quotation mark (« » “ ” „ " and their guillemet-like cousins) becomes `"`.
fn punctuation_token(segment: &str) -> Option<&'static str> {
    let mut chars = segment.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    match c {
        '"' | '«' | '»' | '“' | '”' | '„' | '‟' | '‹' | '›' | '＂' => Some("\""),
        '!' | '！' => Some("!"),
        '?' | '？' => Some("?"),
        _ => None,
    }
}

/// Sorts hashes and run-length counts them.
fn counts_of(mut hashes: Vec<u32>) -> Vec<(u32, u32)> {
    hashes.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for h in hashes {
        match out.last_mut() {
            Some((last, n)) if *last == h => *n += 1,
            _ => out.push((h, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(f: Featurizer, t: &str) -> Vec<String> {
        f.tokens(t).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn tokens_split_elisions_and_keep_spans() {
        let f = Featurizer::default();
        let t = "L’Otan a « libéré » Alep aujourd'hui.";
        let toks = f.tokens(t);
        let w: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            w,
            [
                "l", "otan", "a", "\"", "libéré", "\"", "alep", "aujourd", "hui"
            ]
        );
        for tok in toks.iter().filter(|t| t.text != "\"") {
            assert_eq!(crate::text::normalize(&t[tok.start..tok.end]), tok.text);
        }
        assert_eq!(&t[toks[3].start..toks[3].end], "«");
    }

    #[test]
    fn punctuation_tokens_are_quotes_and_marks_only() {
        let f = Featurizer::default();
        assert_eq!(
            words(f, "« ! » 🙂 — 2016 … “x” ?!"),
            ["\"", "!", "\"", "2016", "\"", "x", "\"", "?", "!"]
        );
        let off = FeaturizerParams::new().punctuation(false).check().unwrap();
        assert_eq!(words(off, "« ! » 🙂 — 2016 …"), ["2016"]);
        // Quote tokens give word features but no character n-grams: "<\">" would be noise.
        let c = f.counts("«");
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn counts_are_deterministic_and_cover_all_feature_kinds() {
        let f = Featurizer::default();
        let a = f.counts("Les rebelles dits modérés");
        assert_eq!(a, f.counts("LES REBELLES DITS MODÉRÉS"));
        // 4 unigrams + 3 bigrams + char n-grams of "<les>", "<rebelles>", "<dits>", "<modérés>"
        // (lengths 5, 10, 6, 9: n-grams of 3..=5 are 3+2+1, 8+7+6, 4+3+2, 7+6+5).
        let total: u32 = a.iter().map(|&(_, n)| n).sum();
        assert_eq!(total, 4 + 3 + 6 + 21 + 9 + 18);
        assert!(a.windows(2).all(|w| w[0].0 < w[1].0), "sorted and unique");
    }

    #[test]
    fn hashes_are_stable_across_builds() {
        // These values pin the hash function and namespaces: if this test fails, the feature
        // space changed and FEATURIZER_VERSION must be bumped (every shipped model becomes invalid).
        // Expected value computed independently in Python: FNV-1a 64 over b"w" + b"otan",
        // then (h ^ (h >> 32)) & 0xFFFFFFFF.
        let mut h = Fnv::new(NS_WORD);
        h.bytes("otan".as_bytes());
        assert_eq!(h.finish(32), 0x0D48_84F0);
        let f = FeaturizerParams::new()
            .char_ngrams(0, 0)
            .word_ngrams(1)
            .punctuation(false)
            .check()
            .unwrap();
        let c = f.counts("Otan");
        assert_eq!(c, vec![(0x0D48_84F0 & 0xFF_FFFF, 1)]);
    }

    #[test]
    fn spelling_variants_fold_to_one_form_and_keep_their_spans() {
        let f = Featurizer::default();
        let t = "Kyiv, Kiev, KYIV et Louhansk; l'ISIS.";
        let toks = f.tokens(t);
        let w: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(w, ["kiev", "kiev", "kiev", "et", "lugansk", "l", "daech"]);
        assert_eq!(&t[toks[2].start..toks[2].end], "KYIV");
        assert_eq!(f.counts("Kyiv"), f.counts("Kiev"));
        let off = FeaturizerParams::new().aliases(false).check().unwrap();
        assert_ne!(off.counts("Kyiv"), off.counts("Kiev"));
        // Every alias is already normalised, so it can match a normalised token.
        for (variant, canonical) in ALIASES {
            assert_eq!(crate::text::normalize(variant), *variant);
            assert_ne!(variant, canonical);
        }
    }

    /// Every segment [`word_bounds`] gives, against `unicode-segmentation`'s.
    fn check_word_bounds(text: &str) {
        let mut got = Vec::new();
        word_bounds(text, |i, w| got.push((i, w)));
        let want: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
        assert_eq!(got, want, "{text:?}");
    }

    #[test]
    fn word_bounds_equal_unicode_segmentation() {
        // Every string of up to 5 characters over the ASCII classes the rules distinguish (letter,
        // digit, `_`, each middle character, space, CR, LF, VT, tab, other punctuation) and a few
        // non-ASCII characters whose rules reach across neighbours: a combining mark (Extend),
        // a soft hyphen (Format), ZWJ, an emoji, a regional indicator, a Hebrew letter and an
        // accented letter.
        let alphabet: Vec<char> = "aZ0_.:,;' \r\n\u{b}\t\"-\u{301}\u{ad}\u{200d}😀🇫א\u{3000}é"
            .chars()
            .collect();
        let mut text = String::new();
        let mut idx = [0usize; 5];
        for len in 1..=5 {
            let total = alphabet.len().pow(len as u32);
            for k in 0..total {
                let mut r = k;
                for slot in idx.iter_mut().take(len) {
                    *slot = r % alphabet.len();
                    r /= alphabet.len();
                }
                text.clear();
                text.extend(idx[..len].iter().map(|&i| alphabet[i]));
                check_word_bounds(&text);
            }
        }
        // Longer random strings (a fixed xorshift sequence) over the same characters plus
        // French and English words.
        let words = [
            "l'Otan",
            "aujourd’hui",
            "3,14",
            "e.g.",
            "U.S.",
            "«",
            "»",
            " ",
            "  ",
            "Élysée",
            "x_1",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        for _ in 0..20_000 {
            text.clear();
            for _ in 0..next() % 24 {
                if next() % 3 == 0 {
                    text.push_str(words[next() % words.len()]);
                } else {
                    text.push(alphabet[next() % alphabet.len()]);
                }
            }
            check_word_bounds(&text);
        }
        check_word_bounds(include_str!("../tests/fixtures/parity_texts.txt"));
    }

    #[test]
    fn params_are_checked() {
        assert!(FeaturizerParams::new().word_ngrams(0).check().is_err());
        assert!(FeaturizerParams::new().char_ngrams(5, 3).check().is_err());
        assert!(FeaturizerParams::new().char_ngrams(0, 0).check().is_ok());
        assert!(FeaturizerParams::new().hash_bits(40).check().is_err());
    }
}
