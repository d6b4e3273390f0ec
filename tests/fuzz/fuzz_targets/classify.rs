//! The whole classify path on the embedded model (or the one `STANCE_FUZZ_MODEL` names):
//! `Classifier::classify`, `classify_chunk` and `classify_one`, on any text.
//!
//! Beyond "no panic": refusals are only "empty" (exactly when the text is blank) or "binary";
//! every paragraph has three finite probabilities in [0, 1] summing to 1, its label is their
//! argmax and its confidence their maximum; offsets are the segmentation's, inside the text, on
//! UTF-16 boundaries, in order and disjoint; reason spans lie inside their paragraph on UTF-16
//! boundaries and point at the words they name; the summary counts what was classified.
//!
//! Document context (`Model::contextualize`): each paragraph's probabilities are exactly its own
//! (`Model::explain` of the paragraph alone) put in the context of the others, and its reasons
//! are exactly `Explanation::reasons` for the label it ends with — also when the context changed
//! that label; `classify_one` is the paragraph alone, without context. A chunk after a line break
//! classified at its offset gives what it gives as a text of its own (it is its paragraphs'
//! document), shifted; and a second run gives the same result.
//!
//! The model's context weight decides whether the context code runs at all, so the target does
//! not rely on the model it is given: inputs of even length run on the model as it is, inputs of
//! odd length on the same model with the other case of context weight (1 when the model's is 0,
//! 0 when it is not).
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::features::ALIASES;
use stance::{Classification, Classifier, Error, Label, Model, Probabilities, Reason, text};

/// Reasons per paragraph the classifier gives by default (`ClassifyParams::max_reasons`).
const MAX_REASONS: usize = 5;

/// The embedded model, or the model file named by `STANCE_FUZZ_MODEL` (to fuzz another model, or
/// a model of a format the embedded one does not match yet while a retraining is under way).
fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| match std::env::var_os("STANCE_FUZZ_MODEL") {
        Some(path) => {
            let bytes = std::fs::read(&path).expect("STANCE_FUZZ_MODEL names a readable file");
            Model::from_bytes(&bytes).expect("STANCE_FUZZ_MODEL names a valid model")
        }
        None => Classifier::embedded()
            .expect("the embedded model loads")
            .model()
            .clone(),
    })
}

/// The classifiers: `[model as it is, model with the other case of context weight]`.
fn classifiers() -> &'static [Classifier; 2] {
    static C: OnceLock<[Classifier; 2]> = OnceLock::new();
    C.get_or_init(|| {
        let m = model().clone();
        let flipped = if m.context_weight() > 0.0 { 0.0 } else { 1.0 };
        let (t, info) = (m.temperature(), m.info().to_string());
        let other = m
            .clone()
            .with_calibration(t, flipped, info)
            .expect("a context weight of 0 or 1 is valid");
        [Classifier::new(m), Classifier::new(other)]
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

/// `reasons` with every span shifted by `by` UTF-16 units.
fn shifted(mut reasons: Vec<Reason>, by: usize) -> Vec<Reason> {
    for r in &mut reasons {
        for s in &mut r.spans {
            s[0] += by;
            s[1] += by;
        }
    }
    reasons
}

fn check(c: &Classifier, t: &str, r: &Classification) {
    let at = utf16_to_byte(t);
    let segments = text::paragraphs(t);
    let aliases = c.model().featurizer().config().aliases;
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
        // Up to max_reasons terms for the label, then up to max_reasons / 2 counter-terms.
        let pro = p.reasons.iter().take_while(|x| x.label == p.label).count();
        assert!(pro <= MAX_REASONS, "{pro} reasons for the label");
        assert!(
            p.reasons[pro..].iter().all(|x| x.label != p.label),
            "reasons for the label come first: {:?}",
            p.reasons
        );
        assert!(p.reasons.len() - pro <= MAX_REASONS / 2, "counter-terms");
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
                if aliases
                    && let Some(&(_, canonical)) = ALIASES.iter().find(|(v, _)| *v == spanned)
                {
                    spanned = canonical.to_string();
                }
                // One-word terms are their span, normalised and alias-folded (NFKC can put a space inside one
                // token, e.g. U+FDFA, so only space-free terms are compared).
                if !reason.term.contains(' ') && !spanned.contains(' ') {
                    assert_eq!(spanned, reason.term, "span {s:?} does not show its term");
                }
            }
        }
    }

    // Document context. Each paragraph read alone (`Model::explain`, no context), then the
    // document's context applied to them all, gives exactly the probabilities the whole text got,
    // and the reasons are those of the paragraph alone for the label it ended with.
    let alone: Vec<(Probabilities, stance::model::Explanation)> = segments
        .iter()
        .map(|s| c.model().explain(s.text(t)))
        .collect();
    let own: Vec<Probabilities> = alone.iter().map(|(p, _)| *p).collect();
    let in_context = c.model().contextualize(&own);
    if c.model().context_weight() == 0.0 || own.len() < 2 {
        assert_eq!(in_context, own, "no context, no change");
    }
    for (((p, s), e), (_, explanation)) in r
        .paragraphs
        .iter()
        .zip(&segments)
        .zip(&in_context)
        .zip(&alone)
    {
        assert_eq!(&p.probabilities, e, "context differs from contextualize()");
        assert_eq!(
            p.reasons,
            shifted(explanation.reasons(p.label, MAX_REASONS), s.start),
            "reasons are not those of the paragraph for its label in context"
        );
    }
    // `classify_one` is a paragraph alone: its own probabilities and reasons, no context (unless,
    // alone, the paragraph looks binary and is refused).
    if let (Some(s), Some((own0, explanation))) = (segments.first(), alone.first()) {
        match c.classify_one(s.text(t)) {
            Ok(one) => {
                assert_eq!(
                    &one.probabilities, own0,
                    "classify_one is not the paragraph alone"
                );
                assert_eq!(one.reasons, explanation.reasons(one.label, MAX_REASONS));
                assert_eq!((one.start, one.end), (0, s.end - s.start));
            }
            Err(Error::BinaryInput { .. }) => {}
            Err(e) => panic!("a paragraph alone refused with {e}"),
        }
    }

    let sm = &r.summary;
    assert_eq!(sm.paragraphs, r.paragraphs.len());
    assert_eq!(
        sm.counts.pro_moscow + sm.counts.pro_washington + sm.counts.neutral,
        sm.paragraphs
    );
    let mut counts = sm.counts;
    for p in &r.paragraphs {
        *counts.get_mut(p.label) -= 1;
    }
    assert_eq!(
        counts,
        Default::default(),
        "counts are the paragraphs' labels"
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
    // Borrowed when the bytes are UTF-8; invalid sequences become U+FFFD otherwise.
    let lossy = String::from_utf8_lossy(data);
    let t: &str = &lossy;
    let c = &classifiers()[data.len() % 2];
    let r = match c.classify(t) {
        Err(Error::EmptyInput) => {
            assert!(t.chars().all(|c| c.is_whitespace() || c.is_control()));
            return;
        }
        Err(Error::BinaryInput { .. }) => return,
        Err(e) => panic!("unexpected error {e}"),
        Ok(r) => r,
    };
    check(c, t, &r);
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
        let own = c.classify_chunk(b, 0).expect("a small chunk is accepted");
        match c.classify(b) {
            Ok(r) => assert_eq!(own, r.paragraphs, "classify is classify_chunk at 0"),
            Err(Error::EmptyInput) => assert!(own.is_empty()),
            Err(Error::BinaryInput { .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
        assert_eq!(chunk.len(), own.len());
        for (x, mut y) in chunk.into_iter().zip(own) {
            y.start += shift;
            y.end += shift;
            y.reasons = shifted(y.reasons, shift);
            assert_eq!(
                x, y,
                "a chunk's offsets are not shifted by the text before it"
            );
        }
    }
});
