//! WASM tests (wasm-bindgen-test, run in Node by `./build.sh test`): the exported `Classifier`
//! gives the native probabilities (fixtures written by tests/parity.rs: chosen texts, and seeded
//! random ones with odd scripts and characters) to within 1e-6; lone UTF-16 surrogates coming from
//! JS neither trap nor shift offsets; and bad input or a bad model comes back as a JS error with
//! the core's message.
#![cfg(target_arch = "wasm32")]

use stance::wasm::Classifier;
use wasm_bindgen::JsValue;
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

const RANDOM_FIXTURE: &str = include_str!("fixtures/random_parity.json");

#[wasm_bindgen_test]
fn wasm_agrees_with_native_on_seeded_random_texts() {
    // tests/parity.rs writes the texts (seeded RNG: emoji, RTL, Cyrillic, CJK, NUL, controls,
    // odd line breaks, random code points) and their native results.
    let c = Classifier::new().unwrap();
    let fixture: Vec<serde_json::Value> = serde_json::from_str(RANDOM_FIXTURE).unwrap();
    assert!(fixture.len() >= 100);
    for f in &fixture {
        let text = f["text"].as_str().unwrap();
        let r = c.classify(text);
        if let Some(native_error) = f["error"].as_str() {
            let e = JsValue::from(r.expect_err(text));
            let message = js_sys::Reflect::get(&e, &"message".into()).unwrap();
            assert_eq!(
                message.as_string().as_deref(),
                Some(native_error),
                "{text:?}"
            );
            continue;
        }
        let r = to_json(r.unwrap());
        let (wasm, native) = (
            r["paragraphs"].as_array().unwrap(),
            f["paragraphs"].as_array().unwrap(),
        );
        assert_eq!(wasm.len(), native.len(), "{text:?}");
        for (w, n) in wasm.iter().zip(native) {
            assert_eq!(
                (&w["start"], &w["end"]),
                (&n["start"], &n["end"]),
                "{text:?}"
            );
            let keys = ["pro_moscow", "pro_washington", "neutral"];
            let p: Vec<f64> = keys
                .iter()
                .map(|k| w["probabilities"][k].as_f64().unwrap())
                .collect();
            let q: Vec<f64> = (0..3)
                .map(|k| n["probabilities"][k].as_f64().unwrap())
                .collect();
            for k in 0..3 {
                assert!((p[k] - q[k]).abs() < 1e-6, "{text:?}: {p:?} vs {q:?}");
            }
            assert_eq!(w["label"], n["label"], "{text:?}");
        }
    }
}

/// Calls a method of an exported object the way page code does, through the generated JS glue,
/// so string arguments take the real JS → Rust conversion.
fn call_js(obj: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: js_sys::Function = js_sys::Reflect::get(obj, &method.into())?.into();
    f.apply(obj, &args.iter().collect::<js_sys::Array>())
}

#[wasm_bindgen_test]
fn lone_surrogates_from_js_keep_offsets_on_the_js_string() {
    // "Moscou \uD800 dénonce.\n\uDC00Washington répond 😀 fin\uDBFF" built from UTF-16 code
    // units, as a JS string can be (lone surrogates are legal there, not in Rust). wasm-bindgen
    // passes them in as U+FFFD, one UTF-16 unit like the surrogate it replaces, so offsets still
    // index the JS string.
    let mut units: Vec<u16> = "Moscou ".encode_utf16().collect();
    units.push(0xD800);
    units.extend(" dénonce.\n".encode_utf16());
    units.push(0xDC00);
    units.extend("Washington répond 😀 fin".encode_utf16());
    units.push(0xDBFF);
    let js_text = js_sys::JsString::from_char_code(&units);
    assert_eq!(js_text.length() as usize, units.len());
    assert!(
        !js_text.is_valid_utf16(),
        "the string really has lone surrogates"
    );

    let c = JsValue::from(Classifier::new().unwrap());
    let r = to_json(call_js(&c, "classify", &[js_text.clone().into()]).unwrap());
    let ps = r["paragraphs"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    let slice = |p: &serde_json::Value| -> Vec<u16> {
        let (a, b) = (
            p["start"].as_u64().unwrap() as usize,
            p["end"].as_u64().unwrap() as usize,
        );
        units[a..b].to_vec()
    };
    // Each paragraph's offsets cut exactly its line out of the JS string, surrogates included.
    let line1: Vec<u16> =
        units[..units.iter().position(|&u| u == u16::from(b'\n')).unwrap()].to_vec();
    assert_eq!(slice(&ps[0]), line1);
    let second = slice(&ps[1]);
    assert_eq!(second.first(), Some(&0xDC00));
    assert_eq!(second.last(), Some(&0xDBFF));
    assert_eq!(ps[1]["end"].as_u64(), Some(units.len() as u64));
    for p in ps {
        let sum: f64 = ["pro_moscow", "pro_washington", "neutral"]
            .iter()
            .map(|k| p["probabilities"][k].as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-6);
        for reason in p["reasons"].as_array().unwrap() {
            for s in reason["spans"].as_array().unwrap() {
                let (a, b) = (
                    s[0].as_u64().unwrap() as usize,
                    s[1].as_u64().unwrap() as usize,
                );
                // A span never splits a surrogate pair and always shows a word.
                let shown = String::from_utf16(&units[a..b]).unwrap();
                assert!(shown.chars().any(char::is_alphanumeric), "{shown:?}");
            }
        }
    }
    // The same as classifying the text with U+FFFD in place of each surrogate.
    let replaced = String::from_utf16_lossy(&units);
    let direct = to_json(Classifier::new().unwrap().classify(&replaced).unwrap());
    assert_eq!(direct["paragraphs"], r["paragraphs"]);

    // Chunked, through the JS glue too: a session fed the two lines finds the same paragraphs.
    let session = call_js(&c, "session", &[]).unwrap();
    let cut = line1.len() as u32 + 1;
    let a = to_json(
        call_js(
            &session,
            "classifyChunk",
            &[js_text.substring(0, cut).into(), 0u32.into()],
        )
        .unwrap(),
    );
    let b = to_json(
        call_js(
            &session,
            "classifyChunk",
            &[js_text.substring(cut, js_text.length()).into(), cut.into()],
        )
        .unwrap(),
    );
    // (Offsets only: each chunk is its own document for the model's document context.)
    let spans = |v: &serde_json::Value| -> Vec<(u64, u64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p["start"].as_u64().unwrap(), p["end"].as_u64().unwrap()))
            .collect()
    };
    let mut chunked = spans(&a);
    chunked.extend(spans(&b));
    assert_eq!(chunked, spans(&r["paragraphs"]));

    // A string of nothing but lone surrogates is refused with a message, not a trap.
    // (Low then high: the other order would be a valid pair.)
    let only = js_sys::JsString::from_char_code(&[0xDFFF, 0xD800]);
    let err = call_js(&c, "classify", &[only.into()]).unwrap_err();
    let message = js_sys::Reflect::get(&err, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(message.contains("binary input"), "{message}");
}
