//! Featurizing (`Featurizer::tokens`, `visit`, `counts`) under every featurizer setting.
//!
//! The first input byte picks the settings (word n-grams 1–3, character n-grams off / 3–5 / 1–8 /
//! 2–4, punctuation tokens on or off, 24 or 12–17 hash bits, name aliases on or off); the rest is
//! the paragraph. Beyond "no panic": tokens are in order, disjoint, on char boundaries, and each
//! word token is exactly the normalised (and alias-folded) text of its span; every feature names a token that exists; hashes fit the hash
//! space; `counts` is sorted, unique, deterministic, and holds exactly as many occurrences as the
//! settings imply for those tokens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stance::features::{ALIASES, Featurizer, FeaturizerParams, Source, Token};
use stance::text;

fn featurizer(b: u8) -> Featurizer {
    let (cmin, cmax) = [(0, 0), (3, 5), (1, 8), (2, 4)][usize::from(b / 3 % 4)];
    let bits = if (b / 24).is_multiple_of(2) {
        24
    } else {
        12 + b / 48
    };
    FeaturizerParams::new()
        .word_ngrams(1 + b % 3)
        .char_ngrams(cmin, cmax)
        .punctuation((b / 12).is_multiple_of(2))
        .hash_bits(bits)
        .aliases((b / 96).is_multiple_of(2))
        .check()
        .expect("every setting this target picks is valid")
}

fn check_tokens(f: &Featurizer, p: &str, tokens: &[Token]) {
    let mut last = 0;
    for t in tokens {
        assert!(t.start < t.end && t.end <= p.len(), "token span {t:?}");
        assert!(t.start >= last, "tokens out of order or overlapping");
        last = t.end;
        assert!(p.is_char_boundary(t.start) && p.is_char_boundary(t.end));
        let span = &p[t.start..t.end];
        if span.chars().any(char::is_alphanumeric) {
            assert!(
                !span.chars().any(text::is_apostrophe),
                "apostrophes split words"
            );
            let mut expected = text::normalize(span);
            if f.config().aliases
                && let Some(&(_, canonical)) = ALIASES.iter().find(|(v, _)| *v == expected)
            {
                expected = canonical.to_string();
            }
            assert_eq!(
                t.text, expected,
                "token is its span, normalised (and alias-folded)"
            );
            assert!(!t.text.is_empty());
        } else {
            assert!(
                f.config().punctuation,
                "punctuation token while they are off"
            );
            assert!(["\"", "!", "?"].contains(&t.text.as_str()), "{t:?}");
            assert_eq!(span.chars().count(), 1, "one punctuation mark per token");
        }
    }
}

/// Occurrences the settings imply: one unigram per token, the phrases that fit, and the character
/// n-grams of `<token>` for tokens with a letter or digit.
fn expected_occurrences(f: &Featurizer, tokens: &[Token]) -> usize {
    let c = f.config();
    let mut total = 0;
    for (i, t) in tokens.iter().enumerate() {
        total += 1;
        total += (2..=usize::from(c.word_ngrams))
            .filter(|n| i + n <= tokens.len())
            .count();
        if c.char_min > 0 && t.text.chars().any(char::is_alphanumeric) {
            let len = t.text.chars().count() + 2;
            total += (usize::from(c.char_min)..=usize::from(c.char_max))
                .filter(|&n| n <= len)
                .map(|n| len - n + 1)
                .sum::<usize>();
        }
    }
    total
}

fuzz_target!(|data: &[u8]| {
    let Some((&setting, rest)) = data.split_first() else {
        return;
    };
    let f = featurizer(setting);
    // Borrowed when the bytes are UTF-8; invalid sequences become U+FFFD otherwise.
    let lossy = String::from_utf8_lossy(rest);
    let p: &str = &lossy;
    let tokens = f.tokens(p);
    check_tokens(&f, p, &tokens);

    let c = f.config();
    let mut seen = Vec::new();
    f.visit(&tokens, |h, src| {
        if c.hash_bits < 32 {
            assert_eq!(h >> c.hash_bits, 0, "hash outside the hash space");
        }
        match src {
            Source::Word(i) => assert!(i < tokens.len()),
            Source::Phrase(i, n) => {
                assert!((2..=usize::from(c.word_ngrams)).contains(&n) && i + n <= tokens.len());
            }
        }
        seen.push(h);
    });
    assert_eq!(seen.len(), expected_occurrences(&f, &tokens));

    let counts = f.counts(p);
    assert!(counts.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique");
    assert!(counts.iter().all(|&(_, n)| n > 0));
    let total: usize = counts.iter().map(|&(_, n)| n as usize).sum();
    assert_eq!(total, seen.len(), "counts hold every occurrence");
    seen.sort_unstable();
    seen.dedup();
    assert!(
        counts.iter().map(|&(h, _)| h).eq(seen),
        "counts are the visited hashes"
    );
    assert_eq!(counts, f.counts(p), "deterministic");
});
