//! # Stance Lens
//!
//! Paragraph by paragraph, on the reader's own device, which side a text takes in the
//! Russia–West contest: `pro_moscow`, `pro_washington` or `neutral`.
//!
//! One core, three faces: the native CLI (`stance train | eval | classify`, feature `cli`), the
//! WebAssembly module the page and the browser extension load (`src/wasm.rs`), and this library.
//! Data flows one way: text → [`text::paragraphs`] → [`features::Featurizer`] → [`Model`] →
//! probabilities and [`Reason`]s.
//!
//! ```
//! let classifier = stance::Classifier::embedded()?;
//! let result = classifier.classify("Les frappes de la coalition ont visé Raqqa.\n\nLe match a fini 2-1.")?;
//! assert_eq!(result.paragraphs.len(), 2);
//! let p = result.paragraphs[0].probabilities;
//! assert!((p.pro_moscow + p.pro_washington + p.neutral - 1.0).abs() < 1e-9);
//! # Ok::<(), stance::Error>(())
//! ```

pub mod classifier;
pub mod error;
pub mod features;
mod infer;
pub mod metrics;
pub mod model;
pub mod text;
#[cfg(feature = "train")]
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use classifier::{
    Classification, Classifier, ClassifyParams, ParagraphResult, Summary, SummaryBuilder, TopTerm,
};
pub use error::{Error, Result};
pub use model::{Label, Model, PerLabel, Probabilities, Reason};
pub use text::Paragraph;
