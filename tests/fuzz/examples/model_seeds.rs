//! Writes the seed corpus of the `model_bytes` target (small hand-made models, nothing trained):
//! `cargo +nightly run --manifest-path tests/fuzz/Cargo.toml --example model_seeds`.

use stance::features::{Featurizer, FeaturizerParams};
use stance::model::{DocFreq, Model, Vocabulary};

fn model(f: Featurizer, words: &[&str], idf: bool) -> Model {
    let mut hashes: Vec<u32> = words
        .iter()
        .flat_map(|w| f.counts(w).into_iter().map(|(h, _)| h).take(2))
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    let n = hashes.len();
    let df = idf.then(|| DocFreq {
        df: (0..n).map(|i| 1 + i as u32 % 5).collect(),
        docs: 10,
    });
    let vocab = Vocabulary::new(hashes, df, f.config().sublinear_tf).unwrap();
    let weights = (0..n * 3).map(|i| (i % 7) as f32 / 3.0 - 1.0).collect();
    Model::new(f, vocab, weights, [0.1, -0.2, 0.3], 1.5, "{}".into()).unwrap()
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/model_bytes");
    std::fs::create_dir_all(&dir).unwrap();
    let small = FeaturizerParams::new()
        .word_ngrams(1)
        .char_ngrams(0, 0)
        .hash_bits(16)
        .idf(false)
        .check()
        .unwrap();
    let models = [
        (
            "default_f32",
            model(Featurizer::default(), &["régime", "otan", "kiev"], true),
        ),
        (
            "default_i8",
            model(Featurizer::default(), &["régime", "otan", "kiev"], true).quantized(),
        ),
        ("small_f32", model(small, &["match", "sanctions"], false)),
        ("empty_vocab", model(small, &[], false)),
    ];
    for (name, m) in models {
        let file = m.to_bytes();
        // Mode 0: a whole file; mode 1: the body between the 12-byte header and the CRC.
        let mut whole = vec![0u8];
        whole.extend_from_slice(&file);
        std::fs::write(dir.join(format!("file_{name}")), whole).unwrap();
        let mut body = vec![1u8];
        body.extend_from_slice(&file[12..file.len() - 4]);
        std::fs::write(dir.join(format!("body_{name}")), body).unwrap();
    }
    // Mode 2: edits (u16 position, u8 xor) to a valid file; mode 3: cut points.
    std::fs::write(
        dir.join("edits_header"),
        [2u8, 0, 0, 1, 5, 0, 1, 9, 0, 0x80],
    )
    .unwrap();
    std::fs::write(dir.join("edits_body"), [6u8, 40, 0, 0x10, 41, 0, 0x10]).unwrap();
    std::fs::write(dir.join("edits_none"), [2u8, 50, 0, 7, 50, 0, 7]).unwrap();
    std::fs::write(dir.join("cut_early"), [3u8, 2]).unwrap();
    std::fs::write(dir.join("cut_late"), [7u8, 1, 0]).unwrap();
}
