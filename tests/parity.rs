//! Native side of the native/WASM parity check. `tests/fixtures/parity.json` holds the native
//! probabilities of `tests/fixtures/parity_texts.txt` under the shipped model; this test proves the
//! fixture is current, and `tests/wasm.rs` proves the WASM build gives the same numbers.
//! Regenerate after retraining with `UPDATE_PARITY=1 cargo test --test parity` (build.sh model does).

use stance::Classifier;

const TEXTS: &str = include_str!("fixtures/parity_texts.txt");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/parity.json");

#[test]
fn parity_fixture_matches_native_probabilities() {
    let c = Classifier::embedded().unwrap();
    let native: Vec<serde_json::Value> = TEXTS
        .lines()
        .map(|t| {
            let p = c.classify_one(t).unwrap();
            serde_json::json!({"text": t, "label": p.label, "probabilities": p.probabilities.to_array()})
        })
        .collect();
    if std::env::var_os("UPDATE_PARITY").is_some() {
        std::fs::write(
            FIXTURE,
            serde_json::to_string_pretty(&native).unwrap() + "\n",
        )
        .unwrap();
    }
    let fixture: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    assert_eq!(
        fixture.len(),
        native.len(),
        "fixture is stale: run UPDATE_PARITY=1 cargo test --test parity"
    );
    for (f, n) in fixture.iter().zip(&native) {
        assert_eq!(f["text"], n["text"]);
        for k in 0..3 {
            let (a, b) = (
                f["probabilities"][k].as_f64().unwrap(),
                n["probabilities"][k].as_f64().unwrap(),
            );
            assert!(
                (a - b).abs() < 1e-9,
                "fixture is stale for {:?}: run UPDATE_PARITY=1 cargo test --test parity",
                f["text"]
            );
        }
    }
}

/// Native side of the random-text parity check: [`random_texts`] (a fixed seed, so the same texts
/// every run) classified natively into `tests/fixtures/random_parity.json`, which `tests/wasm.rs`
/// compares with the WASM build's results. Regenerated with the parity fixture above.
const RANDOM_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/random_parity.json"
);

/// xorshift64*: a few lines, no dependency, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Texts of the kinds real pages hold, and worse: French and English words, Cyrillic, Arabic,
/// CJK, emoji (surrogate pairs in JS), quotes and punctuation, every kind of line break, NUL and
/// control characters, zero-width and bidi marks, and random code points.
fn random_texts() -> Vec<String> {
    const PIECES: &[&str] = &[
        "Moscou",
        "Washington",
        "l’Otan",
        "régime",
        "terroristes",
        "sanctions",
        "Kyiv",
        "Kiev",
        "the",
        "so-called",
        "rebels",
        "annexion",
        "libération",
        "de",
        "la",
        "le",
        "aujourd'hui",
        "Кремль",
        "переговоры",
        "الحكومة",
        "北约",
        "😀",
        "🇫🇷",
        "👍🏽",
        "«",
        "»",
        "“",
        "”",
        "!",
        "?",
        "…",
        "—",
        ",",
        ".",
        " ",
        " ",
        " ",
        "\n",
        "\r\n",
        "\n\n",
        "\u{2028}",
        "\u{85}",
        "\t",
        "\0",
        "\u{1}",
        "\u{FEFF}",
        "\u{200B}",
        "\u{202E}",
        "\u{FFFD}",
        "ﬁ",
        "ＮＡＴＯ",
        "e\u{301}",
    ];
    let mut rng = Rng(0x5EED_57A9_CE00_0007);
    (0..120)
        .map(|_| {
            let n = rng.below(40);
            let mut t = String::new();
            for _ in 0..n {
                if rng.below(8) == 0 {
                    // Any scalar value: surrogates are not chars, so they are skipped.
                    if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                        t.push(c);
                    }
                } else {
                    t.push_str(PIECES[rng.below(PIECES.len())]);
                }
            }
            t
        })
        .collect()
}

#[test]
fn random_parity_fixture_matches_native_results() {
    let c = Classifier::embedded().unwrap();
    let native: Vec<serde_json::Value> = random_texts()
        .into_iter()
        .map(|t| match c.classify(&t) {
            Ok(r) => {
                let ps: Vec<serde_json::Value> = r
                    .paragraphs
                    .iter()
                    .map(|p| {
                        serde_json::json!({"start": p.start, "end": p.end, "label": p.label,
                            "probabilities": p.probabilities.to_array()})
                    })
                    .collect();
                serde_json::json!({"text": t, "paragraphs": ps})
            }
            Err(e) => serde_json::json!({"text": t, "error": e.to_string()}),
        })
        .collect();
    if std::env::var_os("UPDATE_PARITY").is_some() {
        std::fs::write(
            RANDOM_FIXTURE,
            serde_json::to_string_pretty(&native).unwrap() + "\n",
        )
        .unwrap();
    }
    let fixture: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(RANDOM_FIXTURE).unwrap()).unwrap();
    assert_eq!(
        fixture.len(),
        native.len(),
        "fixture is stale: run UPDATE_PARITY=1 cargo test --test parity"
    );
    for (f, n) in fixture.iter().zip(&native) {
        assert_eq!(f["text"], n["text"], "the seeded texts changed");
        assert_eq!(f["error"], n["error"], "{:?}", f["text"]);
        let (fp, np) = (&f["paragraphs"], &n["paragraphs"]);
        assert_eq!(
            fp.as_array().map(Vec::len),
            np.as_array().map(Vec::len),
            "fixture is stale for {:?}: run UPDATE_PARITY=1 cargo test --test parity",
            f["text"]
        );
        for (a, b) in fp
            .as_array()
            .into_iter()
            .flatten()
            .zip(np.as_array().into_iter().flatten())
        {
            assert_eq!((&a["start"], &a["end"]), (&b["start"], &b["end"]));
            for k in 0..3 {
                let (x, y) = (
                    a["probabilities"][k].as_f64().unwrap(),
                    b["probabilities"][k].as_f64().unwrap(),
                );
                assert!(
                    (x - y).abs() < 1e-9,
                    "fixture is stale for {:?}: run UPDATE_PARITY=1 cargo test --test parity",
                    f["text"]
                );
            }
        }
    }
}
