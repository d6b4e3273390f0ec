//! The model file format: round trip, and every kind of damaged or foreign file refused with the
//! error that names it.

use stance::Error;
use stance::features::{Featurizer, FeaturizerParams};
use stance::model::{DocFreq, FORMAT_VERSION, Model, Vocabulary, WeightEncoding};

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
    Model::new(
        f,
        vocab,
        weights,
        [0.1, -0.2, 0.3],
        1.5,
        r#"{"test":true}"#.into(),
    )
    .unwrap()
}

#[test]
fn round_trip_is_exact() {
    let m = tiny_model();
    let bytes = m.to_bytes();
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back, m);
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
    // Each weight moves by at most half a quantization step.
    let WeightEncoding::I8 { scales } = q.encoding() else {
        unreachable!()
    };
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
