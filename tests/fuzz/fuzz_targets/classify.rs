//! The whole classify path on the embedded model (or the one `STANCE_FUZZ_MODEL` names):
//! `Classifier::classify`, `classify_chunk` and `classify_one`, on any text.
//!
//! Beyond "no panic": refusals are only "empty" (exactly when the text is blank) or "binary";
//! every paragraph has three finite probabilities in [0, 1] summing to 1, its label is their
//! argmax and its confidence their maximum; offsets are the segmentation's, inside the text, on
//! UTF-16 boundaries, in order and disjoint; reason spans lie inside their paragraph on UTF-16
//! boundaries and point at the words they name; the summary counts what was classified; each
//! paragraph classified alone, then put in the document's context (`Model::contextualize`), gives
//! the same probabilities; a chunk after a line break classified at its offset gives what it gives
//! alone, shifted; and a second run gives the same result.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::features::ALIASES;
use stance::{Classification, Classifier, Error, Label, text};

/// The embedded model, or the model file named by `STANCE_FUZZ_MODEL` (to fuzz another model, or
/// a model of a format the embedded one does not match yet while a retraining is under way).
fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| match std::env::var_os("STANCE_FUZZ_MODEL") {
        Some(path) => {
            let bytes = std::fs::read(&path).expect("STANCE_FUZZ_MODEL names a readable file");
            Classifier::from_bytes(&bytes).expect("STANCE_FUZZ_MODEL names a valid model")
        }
        None => Classifier::embedded().expect("the embedded model loads"),
    })
}

/// Byte offset of each UTF-16 boundary of `t` (UTF-16 offsets inside a surrogate pair are absent).
fn utf16_to_byte(t: &str) -> HashMap<usize, usize> {
    let mut m = HashMap::with_capacity(t.len() + 1);
    let mut u = 0;
    for (i, c) in t.char_indices() {
        m.insert(u, i);
        u += c.len_utf16();
    }
    m.insert(u, t.len());
    m
}

fn check(t: &str, r: &Classification) {
    let at = utf16_to_byte(t);
    let segments = text::paragraphs(t);
    let aliases = classifier().model().featurizer().config().aliases;
    assert_eq!(
        r.paragraphs.len(),
        segments.len(),
        "one result per paragraph"
    );
    let mut last_end = 0;
    for (p, s) in r.paragraphs.iter().zip(&segments) {
        assert_eq!(
            (p.start, p.end),
            (s.start, s.end),
            "offsets are the segmentation's"
        );
        assert!(p.start < p.end && p.start >= last_end, "order, overlap");
        last_end = p.end;
        assert!(
            at.contains_key(&p.start) && at.contains_key(&p.end),
            "UTF-16 boundaries"
        );
        let pr = p.probabilities.to_array();
        assert!(
            pr.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
            "{pr:?}"
        );
        assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{pr:?}");
        assert_eq!(p.label, p.probabilities.label());
        assert_eq!(p.confidence, p.probabilities.confidence());
        assert!(
            p.reasons.len() <= 5 + 2,
            "at most max_reasons + max_reasons / 2 reasons"
        );
        for reason in &p.reasons {
            assert!(
                reason.weight.is_finite() && reason.weight > 0.0,
                "{reason:?}"
            );
            assert!(reason.term.chars().any(char::is_alphanumeric), "{reason:?}");
            assert!(!reason.spans.is_empty() && reason.spans.len() <= stance::model::MAX_SPANS);
            for s in &reason.spans {
                assert!(
                    p.start <= s[0] && s[0] < s[1] && s[1] <= p.end,
                    "span {s:?} in {p:?}"
                );
                let (Some(&a), Some(&b)) = (at.get(&s[0]), at.get(&s[1])) else {
                    panic!("span {s:?} splits a surrogate pair");
                };
                let mut spanned = text::normalize(&t[a..b]);
                if aliases {
                    if let Some(&(_, canonical)) = ALIASES.iter().find(|(v, _)| *v == spanned) {
                        spanned = canonical.to_string();
                    }
                }
                // One-word terms are their span, normalised and alias-folded (NFKC can put a space inside one
                // token, e.g. U+FDFA, so only space-free terms are compared).
                if !reason.term.contains(' ') && !spanned.contains(' ') {
                    assert_eq!(spanned, reason.term, "span {s:?} does not show its term");
                }
            }
        }
    }
    // Each paragraph alone (no document context), then the document's context applied to them
    // all, gives exactly the probabilities the whole text got (unless a paragraph, alone, looks
    // binary and is refused).
    let alone: Result<Vec<_>, _> = segments
        .iter()
        .map(|s| classifier().classify_one(&t[s.byte_start..s.byte_end]))
        .map(|r| r.map(|one| one.probabilities))
        .collect();
    match alone {
        Ok(own) => {
            let expected = classifier().model().contextualize(&own);
            for (p, e) in r.paragraphs.iter().zip(&expected) {
                assert_eq!(&p.probabilities, e, "context differs from contextualize()");
            }
        }
        Err(Error::BinaryInput { .. }) => {}
        Err(e) => panic!("a paragraph alone refused with {e}"),
    }
    let sm = &r.summary;
    assert_eq!(sm.paragraphs, r.paragraphs.len());
    assert_eq!(
        sm.counts.pro_moscow + sm.counts.pro_washington + sm.counts.neutral,
        sm.paragraphs
    );
    let shares = sm.shares.to_array();
    if sm.paragraphs > 0 {
        assert!(
            (shares.iter().sum::<f64>() - 1.0).abs() < 1e-9,
            "{shares:?}"
        );
    }
    assert!(sm.top_terms.len() <= 10);
    assert!(
        sm.top_terms
            .iter()
            .all(|x| x.label != Label::Neutral && x.weight.is_finite())
    );
}

fuzz_target!(|data: &[u8]| {
    let owned;
    let t = match std::str::from_utf8(data) {
        Ok(s) => s,
        Err(_) => {
            owned = String::from_utf8_lossy(data).into_owned();
            owned.as_str()
        }
    };
    let c = classifier();
    let r = match c.classify(t) {
        Err(Error::EmptyInput) => {
            assert!(t.chars().all(|c| c.is_whitespace() || c.is_control()));
            return;
        }
        Err(Error::BinaryInput { .. }) => return,
        Err(e) => panic!("unexpected error {e}"),
        Ok(r) => r,
    };
    check(t, &r);
    assert_eq!(c.classify(t).ok().as_ref(), Some(&r), "deterministic");

    // A chunk after a line break, as the CLI and the page's worker cut them: classified at its
    // offset in the whole, it gives what it gives as a text of its own (the chunk is its
    // paragraphs' document), every offset shifted by the text before it.
    let cut = data.first().map_or(0, |&b| usize::from(b) * t.len() / 255);
    if let Some(i) = t
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| i >= cut && t[..i].ends_with('\n'))
    {
        let (a, b) = t.split_at(i);
        let shift = text::utf16_len(a);
        let chunk = c
            .classify_chunk(b, shift)
            .expect("a small chunk is accepted");
        let own = match c.classify(b) {
            Ok(r) => r.paragraphs,
            Err(Error::EmptyInput) => Vec::new(),
            Err(_) => return, // alone, the chunk looks binary: nothing to compare
        };
        assert_eq!(chunk.len(), own.len());
        for (x, mut y) in chunk.into_iter().zip(own) {
            y.start += shift;
            y.end += shift;
            for reason in &mut y.reasons {
                for s in &mut reason.spans {
                    s[0] += shift;
                    s[1] += shift;
                }
            }
            assert_eq!(
                x, y,
                "a chunk's offsets are not shifted by the text before it"
            );
        }
    }
});
