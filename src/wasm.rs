//! The WebAssembly face: the only `#[wasm_bindgen]` code in the crate. It converts types and
//! errors and does nothing else; all behaviour lives in the core, so native and browser agree.

use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::classifier::{Classifier as Core, EMBEDDED_MODEL, SummaryBuilder};

/// Routes Rust panics to the browser console with their message. With `panic = "abort"` a panic
/// still traps, and the JS side sees a `RuntimeError`; the console line says why.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "stance: internal error: {info}"
            )));
        }));
    });
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // Plain objects, not Maps, so JS reads `result.paragraphs[0].probabilities.neutral`.
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&ser)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// A stance classifier running in the browser.
#[wasm_bindgen]
pub struct Classifier {
    inner: Rc<Core>,
}

#[wasm_bindgen]
impl Classifier {
    /// The classifier with the model embedded in the module.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Classifier, JsError> {
        install_panic_hook();
        Ok(Classifier {
            inner: Rc::new(Core::from_bytes(EMBEDDED_MODEL)?),
        })
    }

    /// A classifier over another model file's bytes.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, JsError> {
        install_panic_hook();
        Ok(Classifier {
            inner: Rc::new(Core::from_bytes(bytes)?),
        })
    }

    /// Splits `text` into paragraphs and classifies each:
    /// `{paragraphs: [{start, end, label, confidence, probabilities, reasons}], summary}`.
    pub fn classify(&self, text: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.classify(text)?)
    }

    /// Classifies `text` as a single block (no splitting at line breaks).
    #[wasm_bindgen(js_name = classifyBlock)]
    pub fn classify_block(&self, text: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.classify_one(text)?)
    }

    /// Starts a document classified in chunks (see [`Session`]): the way to classify megabytes
    /// without blocking, a chunk per worker turn, with progress in between.
    #[must_use]
    pub fn session(&self) -> Session {
        Session {
            classifier: Rc::clone(&self.inner),
            summary: self.inner.summary_builder(),
        }
    }

    /// Training metadata of the loaded model (JSON text).
    #[wasm_bindgen(js_name = modelInfo)]
    #[must_use]
    pub fn model_info(&self) -> String {
        self.inner.model().info().to_string()
    }
}

/// A long text classified chunk by chunk. Split the text anywhere between lines, then call
/// `classifyChunk(chunk, offset)` for each piece in order (`offset`: UTF-16 index of the chunk in
/// the whole text); `summary()` gives the summary of everything so far.
#[wasm_bindgen]
pub struct Session {
    classifier: Rc<Core>,
    summary: SummaryBuilder,
}

#[wasm_bindgen]
impl Session {
    /// Classifies one chunk; returns its paragraphs with offsets in the whole text.
    #[wasm_bindgen(js_name = classifyChunk)]
    pub fn classify_chunk(&mut self, chunk: &str, offset: usize) -> Result<JsValue, JsError> {
        let paragraphs = self.classifier.classify_chunk(chunk, offset)?;
        for p in &paragraphs {
            self.summary.add(p);
        }
        to_js(&paragraphs)
    }

    /// The summary of the chunks classified so far.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.summary.finish())
    }
}

/// The crate version, for the page's footer and bug reports.
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
