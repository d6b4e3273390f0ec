//! Property tests (proptest): whatever the text, classification returns well-formed results, and
//! whatever the bytes, model loading returns a model or a named error, never a panic.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::OnceLock;

use proptest::prelude::*;
use stance::{Classifier, Error, Model};

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::embedded().unwrap())
}

/// The shipped model with another document-context weight.
fn with_context_weight(beta: f32) -> Classifier {
    let m = classifier().model().clone();
    let (t, info) = (m.temperature(), m.info().to_string());
    Classifier::new(m.with_calibration(t, beta, info).unwrap())
}

/// The shipped model with its document-context weight set to 0: every paragraph alone.
fn no_context() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| with_context_weight(0.0))
}

/// The shipped model with document context on whatever model is shipped: its own context weight,
/// or 1 if it has none (so the context code is tested even with a model trained without it).
fn in_context() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| match classifier().model().context_weight() {
        0.0 => with_context_weight(1.0),
        _ => classifier().clone(),
    })
}

/// Text drawn from what real pages hold: letters with accents, Cyrillic, Arabic, CJK, emoji,
/// punctuation, quotes, line breaks of every kind, control characters and NUL.
fn messy_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        "[a-zA-Zéèàçœ ]{1,30}",
        "[а-яА-Я ]{1,10}",
        "[ا-ي ]{1,10}",
        "[一-龥]{1,5}",
        Just("😀🇫🇷👍🏽".to_string()),
        Just("« » “ ” ' ’ — … ! ?".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\n\n".to_string()),
        Just("\u{2028}\u{2029}\u{85}\u{0B}\u{0C}".to_string()),
        Just("\0".to_string()),
        Just("\u{FEFF}\u{200B}\u{202E}".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn utf16_boundaries(text: &str) -> Vec<bool> {
    // boundary[i] is true when UTF-16 index i does not split a surrogate pair.
    let mut b = vec![false; text.encode_utf16().count() + 1];
    let mut i = 0;
    for c in text.chars() {
        b[i] = true;
        i += c.len_utf16();
    }
    b[i] = true;
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn classification_is_well_formed(text in messy_text()) {
        for c in [no_context(), in_context()] {
        match c.classify(&text) {
            Err(Error::EmptyInput | Error::BinaryInput { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(r) => {
                let bounds = utf16_boundaries(&text);
                let len = bounds.len() - 1;
                let mut last_end = 0;
                for p in &r.paragraphs {
                    let pr = p.probabilities.to_array();
                    for v in pr {
                        prop_assert!(v.is_finite() && (0.0..=1.0).contains(&v), "{pr:?}");
                    }
                    prop_assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-6);
                    prop_assert!(p.start < p.end && p.end <= len);
                    prop_assert!(bounds[p.start] && bounds[p.end], "offsets split a surrogate pair");
                    prop_assert!(p.start >= last_end, "paragraphs overlap or are out of order");
                    last_end = p.end;
                    for reason in &p.reasons {
                        for s in &reason.spans {
                            prop_assert!(p.start <= s[0] && s[0] < s[1] && s[1] <= p.end);
                            prop_assert!(bounds[s[0]] && bounds[s[1]]);
                        }
                    }
                }
                prop_assert_eq!(r.summary.paragraphs, r.paragraphs.len());
            }
        }
        }
    }

    #[test]
    fn classification_is_deterministic(text in messy_text()) {
        let a = classifier().classify(&text).ok();
        let b = classifier().classify(&text).ok();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn chunks_split_at_line_breaks_give_the_whole_text_paragraphs(text in messy_text(), cut in 0usize..1000) {
        let Ok(whole) = in_context().classify(&text) else { return Ok(()) };
        // Cut after the first '\n' at or after `cut` bytes, as the page's worker does.
        let at = text.char_indices().map(|(i, _)| i).find(|&i| i >= cut.min(text.len()) && text[..i].ends_with('\n')).unwrap_or(text.len());
        let (a, b) = text.split_at(at);
        // Without document context, chunked and whole classification are identical...
        let alone = no_context();
        let whole_alone = alone.classify(&text).unwrap();
        let mut parts = alone.classify_chunk(a, 0).unwrap();
        parts.extend(alone.classify_chunk(b, a.encode_utf16().count()).unwrap());
        prop_assert_eq!(&parts, &whole_alone.paragraphs);
        prop_assert_eq!(alone.summarize(&parts), whole_alone.summary);
        // ...and with it, the paragraphs and offsets still are (only the context differs).
        let c = in_context();
        let mut parts = c.classify_chunk(a, 0).unwrap();
        parts.extend(c.classify_chunk(b, a.encode_utf16().count()).unwrap());
        let spans = |v: &[stance::ParagraphResult]| v.iter().map(|p| (p.start, p.end)).collect::<Vec<_>>();
        prop_assert_eq!(spans(&parts), spans(&whole.paragraphs));
    }

    #[test]
    fn context_keeps_probabilities_well_formed_and_lone_paragraphs_unchanged(text in messy_text()) {
        let Ok(r) = in_context().classify(&text) else { return Ok(()) };
        let alone = no_context().classify(&text).unwrap();
        if r.paragraphs.len() == 1 {
            prop_assert_eq!(&r.paragraphs, &alone.paragraphs);
        }
        // In context, each paragraph's probabilities are exactly its own ones put in the context
        // of the others, and its label and reasons follow them.
        let own: Vec<_> = alone.paragraphs.iter().map(|p| p.probabilities).collect();
        let expected = in_context().model().contextualize(&own);
        prop_assert_eq!(r.paragraphs.len(), expected.len());
        let segments = stance::text::paragraphs(&text);
        for (((p, e), a), s) in r.paragraphs.iter().zip(&expected).zip(&alone.paragraphs).zip(&segments) {
            prop_assert_eq!(&p.probabilities, e);
            prop_assert_eq!(p.label, p.probabilities.label());
            prop_assert!((p.confidence - p.probabilities.confidence()).abs() < 1e-12);
            prop_assert_eq!((p.start, p.end), (a.start, a.end));
            // The reasons are the paragraph's own terms for the label it ends with, also when the
            // context changed that label.
            let mut reasons = in_context().model().explain(s.text(&text)).1.reasons(p.label, 5);
            for r in &mut reasons {
                for sp in &mut r.spans {
                    sp[0] += s.start;
                    sp[1] += s.start;
                }
            }
            prop_assert_eq!(&p.reasons, &reasons);
        }
    }

    #[test]
    fn arbitrary_bytes_never_load_as_a_model_and_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(Model::from_bytes(&bytes).is_err());
    }

    #[test]
    fn damaged_model_files_are_refused(cut in 0usize..10_000, flip in 0usize..1_000_000, bit in 0u8..8) {
        let good = stance::classifier::EMBEDDED_MODEL;
        let cut = cut.min(good.len() - 1);
        prop_assert!(Model::from_bytes(&good[..cut]).is_err());
        let mut bad = good.to_vec();
        let i = flip % bad.len();
        bad[i] ^= 1 << bit;
        prop_assert!(Model::from_bytes(&bad).is_err());
    }
}
