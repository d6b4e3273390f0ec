//! Model loading (`Model::from_bytes`) from arbitrary bytes.
//!
//! The first input byte picks a mode:
//! - 0: the rest as a whole file. Whatever loads must be a usable model (see `check_model`).
//! - 1: the rest as the checksummed body after the header: the target writes a correct magic,
//!   versions, length and CRC around it, as a buggy writer would, so the fuzzer reaches the body
//!   parser. Refusals must name the body (truncated / corrupt / featurizer), and whatever loads
//!   must be a usable model that survives `to_bytes` → `from_bytes` unchanged.
//! - 2: the rest as edits `(u16 position, u8 xor)` to the body of a valid model, CRC left as it
//!   was: the file must be refused whenever its bytes changed, with the error of the first field
//!   the change reaches (magic, format version, featurizer version, length, checksum).
//! - 3: the rest as a cut point: every proper prefix of a valid model is refused as truncated
//!   (or, shorter than the magic, as not a model).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::features::{FEATURIZER_VERSION, Featurizer};
use stance::model::{DocFreq, FORMAT_VERSION, MAGIC, Model, Vocabulary};
use stance::{Error, Label};

/// Two small valid model files: f32 weights and int8 weights, idf on.
fn valid_files() -> &'static [Vec<u8>; 2] {
    static FILES: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
    FILES.get_or_init(|| {
        let f = Featurizer::default();
        let mut hashes: Vec<u32> = ["régime", "otan", "match", "kiev"]
            .iter()
            .flat_map(|w| f.counts(w).into_iter().map(|(h, _)| h).take(2))
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        let n = hashes.len();
        let df = DocFreq {
            df: (0..n).map(|i| 1 + i as u32 % 5).collect(),
            docs: 10,
        };
        let vocab = Vocabulary::new(hashes, Some(df), true).unwrap();
        let weights = (0..n * 3).map(|i| (i % 7) as f32 / 3.0 - 1.0).collect();
        let m = Model::new(f, vocab, weights, [0.1, -0.2, 0.3], 1.5, "{}".into()).unwrap();
        [m.to_bytes(), m.quantized().to_bytes()]
    })
}

const TEXTS: [&str; 3] = [
    "Le régime de Kiev et l'Otan : « match » nul !",
    "",
    "😀 \u{0} кремль ?",
];

/// A loaded model must be usable: finite parameters, probabilities that are probabilities, and a
/// file that reads back as the same model.
fn check_model(m: &Model) {
    assert!(m.weights().iter().all(|w| w.is_finite()));
    assert!(m.bias().iter().all(|b| b.is_finite()));
    assert!(m.temperature().is_finite() && m.temperature() > 0.0);
    assert_eq!(m.weights().len(), m.vocabulary().len() * 3);
    for t in TEXTS {
        let p = m.predict(t).to_array();
        assert!(
            p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
            "{p:?}"
        );
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{p:?}");
        assert!(Label::ALL.contains(&m.predict(t).label()));
    }
    let again = Model::from_bytes(&m.to_bytes()).expect("a loaded model writes a loadable file");
    assert_eq!(&again, m, "to_bytes -> from_bytes changes the model");
}

/// The header (magic, versions, length) and CRC around `body`.
fn wrap(body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(body.len() + 16);
    b.extend_from_slice(&MAGIC);
    b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    b.extend_from_slice(&FEATURIZER_VERSION.to_le_bytes());
    b.extend_from_slice(&((body.len() + 16) as u32).to_le_bytes());
    b.extend_from_slice(body);
    let crc = crc32fast::hash(&b);
    b.extend_from_slice(&crc.to_le_bytes());
    b
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => {
            if let Ok(m) = Model::from_bytes(rest) {
                check_model(&m);
            }
        }
        1 => match Model::from_bytes(&wrap(rest)) {
            Ok(m) => check_model(&m),
            Err(Error::ModelTruncated(_) | Error::ModelCorrupt(_) | Error::ModelFeaturizer(_)) => {}
            Err(e) => panic!("a well-formed envelope refused with {e}"),
        },
        2 => {
            let good = &valid_files()[usize::from(mode / 4 % 2)];
            let body_len = good.len() - 4;
            let mut bad = good.clone();
            for e in rest.chunks_exact(3) {
                let pos = usize::from(u16::from_le_bytes([e[0], e[1]])) % body_len;
                bad[pos] ^= e[2];
            }
            let changed: Vec<usize> = (0..body_len).filter(|&i| bad[i] != good[i]).collect();
            let Some(&first) = changed.first() else {
                check_model(&Model::from_bytes(&bad).expect("an unchanged file loads"));
                return;
            };
            let err = Model::from_bytes(&bad).expect_err("a changed body must not load");
            let in_field = |a: usize, b: usize| changed.iter().any(|&i| (a..b).contains(&i));
            let named = if in_field(0, 4) {
                matches!(err, Error::ModelMagic)
            } else if in_field(4, 6) {
                matches!(err, Error::ModelVersion { .. })
            } else if in_field(6, 8) {
                matches!(err, Error::ModelFeaturizer(_))
            } else if in_field(8, 12) {
                matches!(err, Error::ModelTruncated(_) | Error::ModelCorrupt(_))
            } else {
                first >= 12 && matches!(err, Error::ModelChecksum { .. })
            };
            assert!(
                named,
                "edits at {changed:?} refused with the wrong error: {err}"
            );
        }
        _ => {
            let good = &valid_files()[usize::from(mode / 4 % 2)];
            let at = rest.iter().fold(0usize, |a, &b| {
                a.wrapping_mul(256).wrapping_add(usize::from(b))
            }) % good.len();
            match Model::from_bytes(&good[..at]) {
                Err(Error::ModelMagic) => assert!(at < 4),
                Err(Error::ModelTruncated(_)) => assert!(at >= 4),
                other => panic!("a file cut at {at} gave {other:?}"),
            }
        }
    }
});
