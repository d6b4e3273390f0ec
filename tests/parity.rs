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
