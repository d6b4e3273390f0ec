//! The crate's one error type. Every message says what was wrong and what to do about it, because
//! the same text reaches a CLI user's terminal and a reader's page (through `JsError`).

use thiserror::Error;

/// Everything that can go wrong in Stance Lens, native or in the browser.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The input holds no paragraph to classify.
    #[error(
        "empty input: the text is empty or only whitespace; paste or pipe some text to classify"
    )]
    EmptyInput,

    /// The input is larger than one call may take.
    #[error(
        "input too large: {bytes} bytes in one call, the limit is {limit}; split the text (the page and `stance classify --jsonl` do this for you)"
    )]
    InputTooLarge {
        /// Size of the rejected input in bytes.
        bytes: usize,
        /// The largest input accepted in one call.
        limit: usize,
    },

    /// The input looks like binary data rather than text.
    #[error(
        "binary input: {control} of {total} characters are control characters or NUL; this looks like a binary file, not text"
    )]
    BinaryInput {
        /// Control characters found.
        control: usize,
        /// Characters inspected.
        total: usize,
    },

    /// Bytes that are not valid UTF-8 (native input only; JS strings are always valid).
    #[error(
        "invalid UTF-8 at byte {offset}: the input must be UTF-8 text (convert it first, e.g. with iconv)"
    )]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },

    /// The model file does not start with the Stance Lens magic number.
    #[error("not a Stance Lens model: the file does not start with the magic bytes \"STLM\"")]
    ModelMagic,

    /// The model file was written by another version of the format.
    #[error(
        "unsupported model format version {found}: this build reads version {supported}; retrain the model with this version of `stance train`"
    )]
    ModelVersion {
        /// Version found in the file.
        found: u16,
        /// Version this build reads.
        supported: u16,
    },

    /// The model was trained with a featurizer this build does not implement.
    #[error(
        "model/featurizer mismatch: {0}; retrain the model with this version of `stance train`"
    )]
    ModelFeaturizer(String),

    /// The model file ends early.
    #[error("truncated model: {0}; the file was cut short (re-download or re-copy it)")]
    ModelTruncated(String),

    /// The model's checksum does not match its contents.
    #[error(
        "corrupt model: checksum {found:#010x} does not match the contents ({expected:#010x}); the file was damaged (re-download or re-copy it)"
    )]
    ModelChecksum {
        /// Checksum stored in the file.
        found: u32,
        /// Checksum of the bytes read.
        expected: u32,
    },

    /// The model's contents are inconsistent.
    #[error("corrupt model: {0}")]
    ModelCorrupt(String),

    /// A parameter failed its `check()`.
    #[error("invalid parameter: {0}")]
    InvalidParams(String),

    /// A labelled data file could not be read.
    #[error("bad data at {path}:{line}: {message}")]
    Data {
        /// File that holds the bad record.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong with it.
        message: String,
    },

    /// Training failed inside linfa.
    #[cfg(feature = "train")]
    #[error("training failed: {0}")]
    Training(#[from] linfa_logistic::error::Error),

    /// An I/O error, with the path involved.
    #[cfg(not(target_arch = "wasm32"))]
    #[error("{path}: {source}")]
    Io {
        /// File or stream involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Shorthand for results with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(not(target_arch = "wasm32"))]
impl Error {
    /// Wraps an I/O error with the path it concerns, so the message says which file failed.
    pub fn io(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_string(),
            source,
        }
    }
}
