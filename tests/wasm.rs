//! WASM tests (wasm-bindgen-test, run in Node by `./build.sh test`): the exported `Classifier`
//! gives the native probabilities (fixture written by tests/parity.rs) to within 1e-6, and bad
//! input or a bad model comes back as a JS error with the core's message.
#![cfg(target_arch = "wasm32")]

use stance::wasm::Classifier;
use wasm_bindgen_test::wasm_bindgen_test;

const FIXTURE: &str = include_str!("fixtures/parity.json");

fn to_json(v: wasm_bindgen::JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(v).unwrap()
}

#[wasm_bindgen_test]
fn wasm_probabilities_equal_native_ones() {
    let c = Classifier::new().unwrap();
    let fixture: Vec<serde_json::Value> = serde_json::from_str(FIXTURE).unwrap();
    assert!(fixture.len() >= 10);
    for f in &fixture {
        let text = f["text"].as_str().unwrap();
        let r = to_json(c.classify_block(text).unwrap());
        let keys = ["pro_moscow", "pro_washington", "neutral"];
        for (k, key) in keys.iter().enumerate() {
            let wasm = r["probabilities"][key].as_f64().unwrap();
            let native = f["probabilities"][k].as_f64().unwrap();
            assert!(
                (wasm - native).abs() < 1e-6,
                "{text}: {key} wasm {wasm} native {native}"
            );
        }
        assert_eq!(r["label"], f["label"]);
    }
}

#[wasm_bindgen_test]
fn classify_returns_plain_objects_with_offsets_and_summary() {
    let c = Classifier::new().unwrap();
    // "Titre 😀" is 8 UTF-16 units (the emoji is a surrogate pair), then two line breaks; the
    // second paragraph is 33 units long.
    let text = "Titre 😀\n\nLa trêve a été annoncée à Genève.";
    let r = to_json(c.classify(text).unwrap());
    let ps = r["paragraphs"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(
        (ps[1]["start"].as_u64(), ps[1]["end"].as_u64()),
        (Some(10), Some(43))
    );
    assert_eq!(r["summary"]["paragraphs"], 2);
    assert!(ps[1]["reasons"].is_array());
}

#[wasm_bindgen_test]
fn errors_carry_the_core_message() {
    let c = Classifier::new().unwrap();
    assert!(c.classify("   ").is_err());
    assert!(Classifier::from_bytes(b"not a model").is_err());
    let good = stance::classifier::EMBEDDED_MODEL;
    assert!(Classifier::from_bytes(&good[..good.len() - 10]).is_err());
    assert!(Classifier::from_bytes(good).is_ok());
}
