//! The model file format: round trip, and every kind of damaged or foreign file refused with the
//! error that names it.

use stance::Error;
use stance::features::{Featurizer, FeaturizerParams};
use stance::model::{DocFreq, FORMAT_VERSION, Model, Vocabulary, WEIGHT_LEVELS, WeightEncoding};

/// A small hand-made model: 6 features, weights chosen so each class has its own terms.
fn tiny_model() -> Model {
    let f = Featurizer::default();
    let mut hashes: Vec<u32> = [
        "régime",
        "terroristes",
        "match",
        "otan",
        "agression",
        "libération",
    ]
    .iter()
    .flat_map(|w| f.counts(w).into_iter().map(|(h, _)| h).take(3))
    .collect();
    hashes.sort_unstable();
    hashes.dedup();
    let n = hashes.len();
    let doc_freq = Some(DocFreq {
        df: (0..n).map(|i| 1 + (i as u32 * 37) % 90).collect(),
        docs: 100,
    });
    let vocab = Vocabulary::new(hashes, doc_freq, true).unwrap();
    let weights: Vec<f32> = (0..n * 3)
        .map(|i| ((i * 7919) % 13) as f32 / 6.5 - 1.0)
        .collect();
    Model::new(f, vocab, weights, [0.1, -0.2, 0.3], 1.5, String::new())
        .unwrap()
        .with_calibration(1.5, 0.75, r#"{"test":true}"#.into())
        .unwrap()
}

#[test]
fn round_trip_is_exact() {
    let m = tiny_model();
    let bytes = m.to_bytes();
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back, m);
    assert_eq!(back.context_weight().to_bits(), 0.75f32.to_bits());
    assert_eq!(back.to_bytes(), bytes);
    let text = "Le régime et les terroristes : l'Otan parle de libération.";
    assert_eq!(back.predict(text), m.predict(text));
}

#[test]
fn int8_weights_round_trip_and_stay_close() {
    let m = tiny_model();
    let q = m.clone().quantized();
    assert!(matches!(q.encoding(), WeightEncoding::I8 { .. }));
    let bytes = q.to_bytes();
    assert!(bytes.len() < m.to_bytes().len(), "int8 is smaller than f32");
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(
        back, q,
        "the quantized model is exactly what the file holds"
    );
    assert_eq!(back.to_bytes(), bytes);
    // Each weight moves by at most half a quantization step, onto one of 2 x WEIGHT_LEVELS + 1
    // values per class: the largest weight of each class is the outermost level.
    let WeightEncoding::I8 { scales } = q.encoding() else {
        unreachable!()
    };
    for (c, scale) in scales.iter().enumerate() {
        let steps: std::collections::BTreeSet<i32> = q
            .weights()
            .iter()
            .skip(c)
            .step_by(3)
            .map(|w| (w / scale).round() as i32)
            .collect();
        let top = i32::from(WEIGHT_LEVELS);
        assert!(steps.iter().all(|s| s.abs() <= top), "{steps:?}");
        assert!(steps.contains(&top) || steps.contains(&-top), "{steps:?}");
    }
    for (i, (a, b)) in m.weights().iter().zip(q.weights()).enumerate() {
        assert!(
            (a - b).abs() <= scales[i % 3] / 2.0 + 1e-7,
            "weight {i}: {a} vs {b}"
        );
    }
    let text = "Le régime et les terroristes : l'Otan parle de libération.";
    let (p, pq) = (m.predict(text).to_array(), back.predict(text).to_array());
    for k in 0..3 {
        assert!((p[k] - pq[k]).abs() < 0.02, "{p:?} vs {pq:?}");
    }
}

#[test]
fn shipped_model_loads() {
    let c = stance::Classifier::embedded().expect("model/stance.model is a valid model");
    assert!(
        c.model().vocabulary().len() > 1000,
        "the shipped model has a real vocabulary"
    );
}

#[test]
fn every_truncation_is_refused_as_truncated() {
    let bytes = tiny_model().to_bytes();
    for cut in [0, 3] {
        assert!(
            matches!(Model::from_bytes(&bytes[..cut]), Err(Error::ModelMagic)),
            "cut {cut}"
        );
    }
    for cut in [4, 5, 7, 11] {
        assert!(
            matches!(
                Model::from_bytes(&bytes[..cut]),
                Err(Error::ModelTruncated(_))
            ),
            "cut {cut}"
        );
    }
    for cut in [12, 20, bytes.len() / 2, bytes.len() - 1] {
        let err = Model::from_bytes(&bytes[..cut]).unwrap_err();
        assert!(matches!(err, Error::ModelTruncated(_)), "cut {cut}: {err}");
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}

#[test]
fn flipped_bits_are_caught_by_the_checksum() {
    let bytes = tiny_model().to_bytes();
    // Every byte after the header: flipping it must be detected.
    for i in 12..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        let err = Model::from_bytes(&b).unwrap_err();
        assert!(
            matches!(err, Error::ModelChecksum { .. }),
            "byte {i}: {err}"
        );
    }
}

#[test]
fn foreign_and_future_files_are_named() {
    let bytes = tiny_model().to_bytes();
    assert!(matches!(
        Model::from_bytes(b"\x89PNG\r\n\x1a\n...."),
        Err(Error::ModelMagic)
    ));
    let mut v = bytes.clone();
    v[4..6].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    match Model::from_bytes(&v) {
        Err(Error::ModelVersion { found, supported }) => {
            assert_eq!((found, supported), (FORMAT_VERSION + 1, FORMAT_VERSION));
        }
        other => panic!("expected ModelVersion, got {other:?}"),
    }
    let mut f = bytes.clone();
    f[6..8].copy_from_slice(&99u16.to_le_bytes());
    let err = Model::from_bytes(&f).unwrap_err();
    assert!(matches!(err, Error::ModelFeaturizer(_)), "{err}");
    assert!(err.to_string().contains("featurizer version 99"), "{err}");
    let mut t = bytes.clone();
    t.extend_from_slice(b"junk");
    assert!(matches!(Model::from_bytes(&t), Err(Error::ModelCorrupt(_))));
}

#[test]
fn a_consistent_file_with_bad_settings_is_refused() {
    // Rewrite the featurizer settings (hash_bits = 40) and fix up the checksum, as a buggy writer
    // would: the reader must still refuse it, naming the featurizer.
    let mut b = tiny_model().to_bytes();
    b[15] = 40;
    let n = b.len();
    let crc = crc32(&b[..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_le_bytes());
    let err = Model::from_bytes(&b).unwrap_err();
    assert!(matches!(err, Error::ModelFeaturizer(_)), "{err}");
}

#[test]
fn out_of_range_calibration_is_refused_in_words() {
    let say = |t: f32, beta: f32| {
        tiny_model()
            .with_calibration(t, beta, String::new())
            .unwrap_err()
            .to_string()
    };
    assert!(say(f32::NAN, 1.0).ends_with("temperature must be finite and positive, got NaN"));
    assert!(say(-2.0, 1.0).ends_with("got a negative number"));
    assert!(say(0.0, 1.0).ends_with("got zero"));
    assert!(say(f32::INFINITY, 1.0).ends_with("got infinity"));
    assert!(
        say(1.0, 9.0)
            .ends_with("context weight must be between 0 and 4, got a number above the limit")
    );
    assert!(say(1.0, f32::NEG_INFINITY).ends_with("got minus infinity"));
    assert!(
        tiny_model()
            .with_calibration(0.5, 4.0, String::new())
            .is_ok()
    );
}

/// CRC-32 (IEEE), bitwise, so the test does not trust the code under test for it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_file_checksum_is_standard_crc32() {
    // The check value every CRC-32 (IEEE) implementation gives for "123456789".
    assert_eq!(stance::model::crc32(b"123456789"), 0xCBF4_3926);
    let bytes = tiny_model().to_bytes();
    for cut in [0, 1, 17, bytes.len() / 2, bytes.len()] {
        assert_eq!(stance::model::crc32(&bytes[..cut]), crc32(&bytes[..cut]));
    }
}

#[test]
fn featurizer_settings_survive_the_file() {
    let f = FeaturizerParams::new()
        .word_ngrams(3)
        .char_ngrams(2, 4)
        .hash_bits(20)
        .idf(false)
        .check()
        .unwrap();
    let c = f.config();
    let hashes: Vec<u32> = f
        .counts("une phrase de test")
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    let n = hashes.len();
    let m = Model::new(
        f,
        Vocabulary::new(hashes, None, c.sublinear_tf).unwrap(),
        vec![0.5; n * 3],
        [0.0; 3],
        1.0,
        String::new(),
    )
    .unwrap();
    let back = Model::from_bytes(&m.to_bytes()).unwrap();
    assert_eq!(back.featurizer().config(), c);
}

/// The header (magic, versions, length) and CRC around a file body, as a writer would put them.
fn wrap(body: &[u8]) -> Vec<u8> {
    let mut b = b"STLM".to_vec();
    b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    b.extend_from_slice(&stance::features::FEATURIZER_VERSION.to_le_bytes());
    b.extend_from_slice(&((body.len() + 16) as u32).to_le_bytes());
    b.extend_from_slice(body);
    let crc = crc32(&b);
    b.extend_from_slice(&crc.to_le_bytes());
    b
}

/// Replays an input the `model_bytes` fuzz target (tests/fuzz) crashed on: mode byte 1, then a
/// file body, wrapped in a correct header and CRC. Whatever loads must write back as the same
/// model (the property the target checks), whichever format version the body was written in.
fn replay_model_bytes_crash(input: &[u8]) -> Option<Model> {
    assert_eq!(input[0], 1, "a mode-1 input of the model_bytes target");
    let m = Model::from_bytes(&wrap(&input[1..])).ok()?;
    assert_eq!(Model::from_bytes(&m.to_bytes()).unwrap(), m);
    Some(m)
}

#[test]
fn every_featurizer_flag_survives_the_file() {
    // Regression (fuzz target `model_bytes`, tests/fixtures/fuzz/model_bytes-aliases-flag): the
    // writer left the aliases flag out, so a model trained with aliases read back without them
    // and featurized text differently.
    replay_model_bytes_crash(include_bytes!("fixtures/fuzz/model_bytes-aliases-flag"));
    for flags in 0u8..16 {
        let f = FeaturizerParams::new()
            .sublinear_tf(flags & 1 != 0)
            .idf(flags & 2 != 0)
            .punctuation(flags & 4 != 0)
            .aliases(flags & 8 != 0)
            .check()
            .unwrap();
        let hashes: Vec<u32> = f.counts("Kyiv").into_iter().map(|(h, _)| h).collect();
        let n = hashes.len();
        let df = (flags & 2 != 0).then(|| DocFreq {
            df: vec![1; n],
            docs: 3,
        });
        let vocab = Vocabulary::new(hashes, df, flags & 1 != 0).unwrap();
        let m = Model::new(f, vocab, vec![0.25; n * 3], [0.0; 3], 1.0, String::new()).unwrap();
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.featurizer().config(), f.config(), "flags {flags:#06b}");
        assert_eq!(back, m, "flags {flags:#06b}");
    }
}

#[test]
fn an_int8_weight_the_writer_never_writes_is_refused() {
    // Regression (fuzz target `model_bytes`, tests/fixtures/fuzz/model_bytes-int8-minus-128): an
    // int8 weight of -128 loaded, but the writer's range is -127..=127, so the model wrote back
    // different weights than it had read.
    replay_model_bytes_crash(include_bytes!("fixtures/fuzz/model_bytes-int8-minus-128"));
    // The same damage to a current file: int8 weights are the last bytes before the CRC.
    let mut b = tiny_model().quantized().to_bytes();
    let n = b.len();
    b[n - 5] = 0x80;
    let crc = crc32(&b[..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_le_bytes());
    let err = Model::from_bytes(&b).unwrap_err();
    assert!(matches!(err, Error::ModelCorrupt(_)), "{err}");
    assert!(err.to_string().contains("-128"), "{err}");
}

#[test]
fn each_refusal_says_in_words_which_problem_it_is() {
    // These sentences are what the CLI prints and the page and the extension show.
    let bytes = tiny_model().to_bytes();
    let say = |b: &[u8]| Model::from_bytes(b).unwrap_err().to_string();
    assert!(say(b"GIF89a...").starts_with("not a Stance Lens model"));
    assert!(say(&bytes[..bytes.len() - 7]).starts_with("truncated model"));
    let mut v = bytes.clone();
    v[4..6].copy_from_slice(&7u16.to_le_bytes());
    let msg = say(&v);
    assert!(
        msg.starts_with("unsupported model format version 7"),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("reads version {FORMAT_VERSION}")),
        "{msg}"
    );
    let mut f = bytes.clone();
    f[6..8].copy_from_slice(&42u16.to_le_bytes());
    assert!(say(&f).starts_with("model/featurizer mismatch"));
    let mut c = bytes.clone();
    let mid = c.len() / 2;
    c[mid] ^= 1;
    assert!(say(&c).starts_with("corrupt model: checksum"));
    // Unknown featurizer flags in an otherwise intact file.
    let mut flags = bytes.clone();
    flags[16] |= 0x40;
    let n = flags.len();
    let crc = crc32(&flags[..n - 4]);
    flags[n - 4..].copy_from_slice(&crc.to_le_bytes());
    assert!(say(&flags).contains("unknown featurizer flags 0x4"));
}

#[test]
fn the_shipped_model_cut_or_damaged_anywhere_is_refused() {
    let good = stance::classifier::EMBEDDED_MODEL;
    // Cuts at every 97th byte and the last few, and one flipped bit every 89 bytes.
    for cut in (0..good.len())
        .step_by(97)
        .chain(good.len() - 5..good.len())
    {
        let err = Model::from_bytes(&good[..cut]).unwrap_err();
        assert!(
            matches!(err, Error::ModelMagic | Error::ModelTruncated(_)),
            "cut {cut}: {err}"
        );
    }
    for i in (12..good.len()).step_by(89) {
        let mut bad = good.to_vec();
        bad[i] ^= 0x04;
        assert!(
            matches!(Model::from_bytes(&bad), Err(Error::ModelChecksum { .. })),
            "byte {i}"
        );
    }
}
