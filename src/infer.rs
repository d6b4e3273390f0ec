//! The per-paragraph inference path every face runs: tokens, hashed features looked up in the
//! vocabulary, the sparse vector, probabilities and, for explanations, each term's contribution.
//!
//! Written for speed (the browser classifies megabytes with it): per-thread buffers reused from
//! paragraph to paragraph, one vocabulary lookup per feature occurrence instead of a sort of
//! every hash, terms interned once per paragraph instead of a `String` key per occurrence, and
//! strings and spans built only for the reasons returned. The arithmetic is that of the
//! definitions in `model.rs` ([`Vocabulary::vectorize`], [`Model::logits`], the contributions
//! documented on [`Model::explain`]) in the same order, so results are bit-identical to them
//! (`tests` below compare the two on the corpus and odd text).

use std::cell::RefCell;

use crate::features::{Source, TokenBuf};
use crate::model::{
    Explanation, Label, MAX_SPANS, Model, N_CLASSES, Probabilities, Reason, normalize_l2,
};

/// No term: an empty interner slot or a token whose term is not known yet.
const NONE: u32 = u32::MAX;

/// A word or phrase of the paragraph with the contributions credited to it so far.
#[derive(Debug, Clone, Copy)]
struct Term {
    /// Its text: `keys[key.0..key.1]`.
    key: (usize, usize),
    hash: u64,
    acc: [f32; N_CLASSES],
    /// Spans recorded (at most [`MAX_SPANS`]) and the last one, as token ranges.
    spans: usize,
    last: (u32, u32),
}

/// Buffers of one paragraph's analysis, kept per thread between paragraphs.
#[derive(Debug, Default)]
struct Scratch {
    tokens: TokenBuf,
    /// The column of each occurrence of a vocabulary feature, in visit order.
    occ: Vec<u32>,
    /// Runs of consecutive occurrences with the same source: `(source, first occurrence)`, the
    /// source coded `first token << 2 | (words - 1)`. A word's character n-grams come in a row,
    /// so explaining resolves the term once per run instead of once per occurrence.
    runs: Vec<(u32, u32)>,
    /// Per vocabulary column: occurrences in this paragraph (all zero between calls).
    count: Vec<u32>,
    /// Per vocabulary column present: its index in `x`.
    xpos: Vec<u32>,
    /// Columns present, then sorted.
    touched: Vec<u32>,
    /// One bit per vocabulary column, to sort `touched` by scanning (all zero between calls).
    bitmap: Vec<u64>,
    x: Vec<(usize, f32)>,
    /// Per entry of `x`: its centred contribution per occurrence.
    contrib: Vec<[f32; N_CLASSES]>,
    /// Interned terms: their texts, the terms, an open-addressing table of term indices.
    keys: String,
    terms: Vec<Term>,
    slots: Vec<u32>,
    /// Term of each token's word, and of each phrase `(token, words)`.
    word_term: Vec<u32>,
    phrase_term: Vec<u32>,
    /// `(term, first token, last token)` of each span recorded, in occurrence order.
    events: Vec<(u32, u32, u32)>,
    /// UTF-16 offset of each token's start and end.
    utf16: Vec<(usize, usize)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch buffers (fresh ones if they are in use), then drops any
/// buffer a huge paragraph grew past a few megabytes.
fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| {
        let Ok(mut s) = cell.try_borrow_mut() else {
            return f(&mut Scratch::default());
        };
        let out = f(&mut s);
        if s.occ.capacity() > 1 << 20 || s.tokens.capacity_bytes() > 8 << 20 {
            // The per-column buffers are sized to the vocabulary together (and all zero between
            // calls): keep all three, or the next paragraph indexes an empty bitmap.
            let count = std::mem::take(&mut s.count);
            let xpos = std::mem::take(&mut s.xpos);
            let bitmap = std::mem::take(&mut s.bitmap);
            *s = Scratch {
                count,
                xpos,
                bitmap,
                ..Scratch::default()
            };
        }
        out
    })
}

fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Scratch {
    /// Tokens, vocabulary occurrences and the normalised vector `x`; with `occurrences`, also
    /// the list of occurrences and their sources (explanations need them).
    fn analyze(&mut self, model: &Model, paragraph: &str, occurrences: bool) {
        let vocab = model.vocabulary();
        let featurizer = model.featurizer();
        featurizer.tokenize(paragraph, &mut self.tokens);
        if self.count.len() < vocab.len() {
            self.count.resize(vocab.len(), 0);
            self.xpos.resize(vocab.len(), 0);
            self.bitmap.resize(vocab.len().div_ceil(64), 0);
        }
        let Scratch {
            tokens,
            occ,
            runs,
            count,
            touched,
            ..
        } = self;
        occ.clear();
        runs.clear();
        touched.clear();
        let mut last_code = u32::MAX;
        featurizer.visit_buf(tokens, |h, src| {
            let Some(col) = vocab.column(h) else { return };
            let n = &mut count[col];
            if *n == 0 {
                touched.push(col as u32);
            }
            *n += 1;
            if occurrences {
                let code = match src {
                    Source::Word(i) => (i as u32) << 2,
                    Source::Phrase(i, n) => (i as u32) << 2 | (n as u32 - 1),
                };
                if code != last_code {
                    last_code = code;
                    runs.push((code, occ.len() as u32));
                }
                occ.push(col as u32);
            }
        });
        // Column order is hash order: the order Vocabulary::vectorize gives. A paragraph has
        // hundreds of distinct columns: reading them off a bitmap beats sorting them.
        let words = vocab.len().div_ceil(64);
        if touched.len() * 16 < words {
            touched.sort_unstable();
        } else {
            let bitmap = &mut self.bitmap;
            for &col in touched.iter() {
                bitmap[col as usize / 64] |= 1 << (col % 64);
            }
            touched.clear();
            for (w, bits) in bitmap[..words].iter_mut().enumerate() {
                let mut b = std::mem::take(bits);
                while b != 0 {
                    touched.push((w * 64) as u32 + b.trailing_zeros());
                    b &= b - 1;
                }
            }
        }
        self.x.clear();
        for (k, &col) in self.touched.iter().enumerate() {
            let col = col as usize;
            self.x.push((col, vocab.weigh(col, self.count[col])));
            self.xpos[col] = k as u32;
        }
        normalize_l2(&mut self.x);
    }

    /// Resets the per-column counts the last [`Scratch::analyze`] set.
    fn release(&mut self) {
        for &col in &self.touched {
            self.count[col as usize] = 0;
        }
    }

    /// Credits every occurrence to its word or phrase (see [`Model::explain`]).
    fn credit(&mut self, model: &Model) {
        let t = model.temperature();
        let weights = model.weights();
        self.contrib.clear();
        for &(col, v) in &self.x {
            let n = self.count[col] as f32;
            // A fixed-size row: the compiler unrolls the sum instead of looping over a slice.
            let row: &[f32; N_CLASSES] = weights[col * N_CLASSES..(col + 1) * N_CLASSES]
                .try_into()
                .expect("a weight row has one weight per class");
            let mean = row.iter().sum::<f32>() / N_CLASSES as f32;
            self.contrib.push(row.map(|w| v * (w - mean) / t / n));
        }
        let n_tokens = self.tokens.len();
        let max_words = usize::from(model.featurizer().config().word_ngrams);
        self.keys.clear();
        self.terms.clear();
        self.events.clear();
        self.slots.clear();
        self.slots.resize(64, NONE);
        self.word_term.clear();
        self.word_term.resize(n_tokens, NONE);
        self.phrase_term.clear();
        self.phrase_term
            .resize(n_tokens * max_words.saturating_sub(1), NONE);
        for r in 0..self.runs.len() {
            let (code, from) = self.runs[r];
            let to = self
                .runs
                .get(r + 1)
                .map_or(self.occ.len(), |next| next.1 as usize);
            let first = (code >> 2) as usize;
            let words = (code & 3) as usize + 1;
            let cached = if words == 1 {
                self.word_term[first]
            } else {
                self.phrase_term[first * (max_words - 1) + words - 2]
            };
            let term = if cached == NONE {
                let term = self.intern(first, words);
                if words == 1 {
                    self.word_term[first] = term;
                } else {
                    self.phrase_term[first * (max_words - 1) + words - 2] = term;
                }
                term
            } else {
                cached
            };
            let span = (first as u32, (first + words - 1) as u32);
            let entry = &mut self.terms[term as usize];
            // One addition per occurrence, in occurrence order: the same sums, bit for bit, as
            // crediting the occurrences one by one.
            let mut acc = entry.acc;
            for &col in &self.occ[from as usize..to] {
                let c = &self.contrib[self.xpos[col as usize] as usize];
                for (acc, v) in acc.iter_mut().zip(c) {
                    *acc += v;
                }
            }
            entry.acc = acc;
            // Tokens are disjoint and non-empty, so equal token ranges are equal byte spans; the
            // occurrences of a run share one span, so it is recorded at most once per run.
            if (entry.spans == 0 || entry.last != span) && entry.spans < MAX_SPANS {
                entry.spans += 1;
                entry.last = span;
                self.events.push((term, span.0, span.1));
            }
        }
    }

    /// The term of the words `first..first + words` joined by spaces, interned by its text (two
    /// sources with the same text are one term, as a `String` key made them).
    fn intern(&mut self, first: usize, words: usize) -> u32 {
        let start = self.keys.len();
        for k in 0..words {
            if k > 0 {
                self.keys.push(' ');
            }
            self.keys.push_str(self.tokens.text(first + k));
        }
        let hash = fnv64(&self.keys.as_bytes()[start..]);
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let slot = self.slots[i];
            if slot == NONE {
                break;
            }
            let other = self.terms[slot as usize];
            if other.hash == hash && self.keys[other.key.0..other.key.1] == self.keys[start..] {
                self.keys.truncate(start);
                return slot;
            }
            i = (i + 1) & mask;
        }
        let id = self.terms.len() as u32;
        self.slots[i] = id;
        self.terms.push(Term {
            key: (start, self.keys.len()),
            hash,
            acc: [0.0; N_CLASSES],
            spans: 0,
            last: (0, 0),
        });
        if self.terms.len() * 2 > self.slots.len() {
            let size = self.slots.len() * 2;
            self.slots.clear();
            self.slots.resize(size, NONE);
            for (id, term) in self.terms.iter().enumerate() {
                let mut i = (term.hash as usize) & (size - 1);
                while self.slots[i] != NONE {
                    i = (i + 1) & (size - 1);
                }
                self.slots[i] = id as u32;
            }
        }
        id
    }

    fn key(&self, term: usize) -> &str {
        let (a, b) = self.terms[term].key;
        &self.keys[a..b]
    }

    /// UTF-16 offsets of every token's start and end, in one walk over the paragraph (tokens
    /// are disjoint and in order, so their starts and ends interleave in increasing order).
    fn utf16_offsets(&mut self, paragraph: &str) {
        self.utf16.clear();
        if paragraph.is_ascii() {
            self.utf16
                .extend((0..self.tokens.len()).map(|i| self.tokens.span(i)));
            return;
        }
        let (mut byte, mut unit) = (0usize, 0usize);
        let mut to_unit = |off: usize| {
            unit += crate::text::utf16_len(&paragraph[byte..off]);
            byte = off;
            unit
        };
        for i in 0..self.tokens.len() {
            let (a, b) = self.tokens.span(i);
            let ua = to_unit(a);
            let ub = to_unit(b);
            self.utf16.push((ua, ub));
        }
    }

    /// The UTF-16 spans recorded for `term`, in order.
    fn spans(&self, term: u32) -> Vec<[usize; 2]> {
        let mut out = Vec::with_capacity(self.terms[term as usize].spans);
        for &(t, a, b) in &self.events {
            if t == term {
                out.push([self.utf16[a as usize].0, self.utf16[b as usize].1]);
            }
        }
        out
    }

    /// Whether a term is shown at all: a lone quotation mark or "!" is evidence, but no reader
    /// would call it a reason.
    fn shown(&self, term: usize) -> bool {
        self.key(term).chars().any(char::is_alphanumeric)
    }
}

/// The label a term pushes toward most (the last of equals, as `Iterator::max_by` picks).
fn strongest(c: &[f32; N_CLASSES]) -> Label {
    Label::ALL
        .into_iter()
        .max_by(|a, b| c[a.index()].total_cmp(&c[b.index()]))
        .unwrap_or(Label::Neutral)
}

/// Calibrated probabilities of one paragraph ([`Model::predict`]).
pub(crate) fn predict(model: &Model, paragraph: &str) -> Probabilities {
    with_scratch(|s| {
        s.analyze(model, paragraph, false);
        let p = model.predict_vector(&s.x);
        s.release();
        p
    })
}

/// Probabilities and every term's contributions ([`Model::explain`]).
pub(crate) fn explain(model: &Model, paragraph: &str) -> (Probabilities, Explanation) {
    with_scratch(|s| {
        s.analyze(model, paragraph, true);
        let probs = model.predict_vector(&s.x);
        s.credit(model);
        s.release();
        s.utf16_offsets(paragraph);
        let mut terms: Vec<(String, [f32; N_CLASSES], Vec<[usize; 2]>)> = (0..s.terms.len())
            .filter(|&t| s.shown(t))
            .map(|t| (s.key(t).to_string(), s.terms[t].acc, s.spans(t as u32)))
            .collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        (probs, Explanation { terms })
    })
}

/// Probabilities and the reasons for the most probable label: exactly
/// `explain(p).1.reasons(probabilities.label(), n)`, with strings and spans built only for the
/// reasons returned.
pub(crate) fn reasons(model: &Model, paragraph: &str, n: usize) -> (Probabilities, Vec<Reason>) {
    with_scratch(|s| {
        s.analyze(model, paragraph, true);
        let probs = model.predict_vector(&s.x);
        s.credit(model);
        s.release();
        let predicted = probs.label();
        let mut pro: Vec<(f32, Label, u32)> = Vec::new();
        let mut contra: Vec<(f32, Label, u32)> = Vec::new();
        for (t, term) in s.terms.iter().enumerate() {
            let l = strongest(&term.acc);
            let weight = term.acc[l.index()];
            if weight <= 0.0 || !s.shown(t) {
                continue;
            }
            if l == predicted {
                pro.push((weight, l, t as u32));
            } else {
                contra.push((weight, l, t as u32));
            }
        }
        let by_weight = |a: &(f32, Label, u32), b: &(f32, Label, u32)| {
            b.0.total_cmp(&a.0)
                .then_with(|| s.key(a.2 as usize).cmp(s.key(b.2 as usize)))
        };
        // The order is total (terms are unique), so sorting the top k after selecting them is
        // sorting all and keeping k.
        let top = |v: &mut Vec<(f32, Label, u32)>, k: usize| {
            if k < v.len() {
                if k > 0 {
                    v.select_nth_unstable_by(k - 1, by_weight);
                }
                v.truncate(k);
            }
            v.sort_by(by_weight);
        };
        top(&mut pro, n);
        top(&mut contra, if n == 0 { 0 } else { (n / 2).max(1) });
        pro.extend(contra);
        if pro.is_empty() {
            return (probs, Vec::new());
        }
        s.utf16_offsets(paragraph);
        let reasons = pro
            .into_iter()
            .map(|(weight, label, t)| Reason {
                term: s.key(t as usize).to_string(),
                weight,
                label,
                spans: s.spans(t),
            })
            .collect();
        (probs, reasons)
    })
}

#[cfg(test)]
mod tests {
    use crate::Classifier;
    use crate::features::{FeaturizerConfig, FeaturizerParams, Source, Token};

    /// Paragraphs to compare on: the parity texts, plus odd ones (elisions, aliases, quotes,
    /// repeated words past `MAX_SPANS`, NFKC expansions with spaces, emoji, RTL, combining marks).
    fn texts() -> Vec<String> {
        let mut v: Vec<String> = include_str!("../tests/fixtures/parity_texts.txt")
            .lines()
            .map(str::to_string)
            .collect();
        v.extend(
            [
                "L’Otan a « libéré » Alep aujourd'hui ! Kyiv, Kiev, KYIV et Louhansk; l'ISIS.",
                "ＮＡＴＯ ﬁnance ﬂotte Ⅻ ①② Straße ǅemal İstanbul ΣΊΣΥΦΟΣ",
                "\u{FDFA} \u{FDFA} صلى الله عليه وسلم — ﷺ ﷺ",
                "Z\u{336}\u{334}a\u{337}l\u{335}g\u{338}o e\u{301}\u{301}\u{301} 😀🇫🇷 \u{202E}Moscou\u{202C}",
                "Кремль заявил, что переговоры в Женеве продолжатся. Le Kremlin said 会谈.",
                "!!! ??? « » “ ” ! ? a",
                "x",
            ]
            .map(str::to_string),
        );
        v.push("Moscou Moscou Moscou régime de Kiev ".repeat(40));
        v
    }

    #[test]
    fn fast_paths_equal_the_reference_definitions_bit_for_bit() {
        let c = Classifier::embedded().unwrap();
        let m = c.model();
        for t in texts() {
            let reference = m.predict_vector(&m.vocabulary().vectorize(&m.featurizer().counts(&t)));
            assert_eq!(m.predict(&t), reference, "{t:?}");
            let (p, e) = m.explain(&t);
            let (rp, re) = m.explain_reference(&t);
            assert_eq!(p, rp, "{t:?}");
            assert_eq!(e.terms.len(), re.terms.len(), "{t:?}");
            for (a, b) in e.terms.iter().zip(&re.terms) {
                assert_eq!(a.0, b.0);
                assert_eq!(
                    a.1.map(f32::to_bits),
                    b.1.map(f32::to_bits),
                    "{t:?} {}",
                    a.0
                );
                assert_eq!(a.2, b.2, "{t:?} {}", a.0);
            }
            for n in [0, 1, 5, 50] {
                let (fp, fr) = super::reasons(m, &t, n);
                assert_eq!(fp, p);
                assert_eq!(fr, re.reasons(rp.label(), n), "{t:?} n={n}");
            }
        }
    }

    /// The feature enumeration as first written (each window hashed from scratch over a
    /// `Vec<char>`), to pin the faster one's hashes and order under every kind of setting.
    fn reference_visit(c: FeaturizerConfig, tokens: &[Token]) -> Vec<(u32, Source)> {
        let fnv = |ns: u8, bytes: &mut dyn Iterator<Item = u8>| {
            let mut h = 0xcbf2_9ce4_8422_2325u64;
            for b in std::iter::once(ns).chain(bytes) {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            let folded = (h ^ (h >> 32)) as u32;
            if c.hash_bits >= 32 {
                folded
            } else {
                folded & ((1u32 << c.hash_bits) - 1)
            }
        };
        let mut out = Vec::new();
        for (i, tok) in tokens.iter().enumerate() {
            out.push((fnv(b'w', &mut tok.text.bytes()), Source::Word(i)));
            for n in 2..=usize::from(c.word_ngrams) {
                if i + n > tokens.len() {
                    break;
                }
                let joined: Vec<u8> = tokens[i..i + n]
                    .iter()
                    .map(|t| t.text.as_bytes().to_vec())
                    .collect::<Vec<_>>()
                    .join(&0xFF);
                out.push((fnv(b'w', &mut joined.into_iter()), Source::Phrase(i, n)));
            }
            if c.char_min == 0 || !tok.text.chars().any(char::is_alphanumeric) {
                continue;
            }
            let chars: Vec<char> = std::iter::once('<')
                .chain(tok.text.chars())
                .chain(std::iter::once('>'))
                .collect();
            for n in usize::from(c.char_min)..=usize::from(c.char_max) {
                if n > chars.len() {
                    break;
                }
                for w in chars.windows(n) {
                    let s: String = w.iter().collect();
                    out.push((fnv(b'c', &mut s.bytes()), Source::Word(i)));
                }
            }
        }
        out
    }

    #[test]
    fn feature_enumeration_equals_the_reference_under_every_setting() {
        let settings = [
            FeaturizerParams::new(),
            FeaturizerParams::new().word_ngrams(1),
            FeaturizerParams::new().word_ngrams(3).char_ngrams(0, 0),
            FeaturizerParams::new().char_ngrams(1, 8).hash_bits(32),
            FeaturizerParams::new().char_ngrams(2, 4).hash_bits(12),
            FeaturizerParams::new().char_ngrams(5, 5).punctuation(false),
        ];
        for params in settings {
            let f = params.check().unwrap();
            for t in texts() {
                let tokens = f.tokens(&t);
                let mut got = Vec::new();
                f.visit(&tokens, |h, src| got.push((h, src)));
                assert_eq!(got, reference_visit(f.config(), &tokens), "{t:?}");
                let mut hashes: Vec<u32> = got.iter().map(|&(h, _)| h).collect();
                hashes.sort_unstable();
                let counts = f.counts(&t);
                assert_eq!(
                    counts.iter().map(|&(_, n)| n as usize).sum::<usize>(),
                    hashes.len()
                );
            }
        }
    }
}
