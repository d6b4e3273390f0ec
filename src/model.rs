//! The linear model the browser runs: vocabulary (hash → column), weights, biases, calibration,
//! prediction, per-term explanations and the versioned binary file format.
//!
//! No linfa here: training lives in `train.rs` behind the `train` feature, so the WASM module only
//! carries this small predictor.
//!
//! # File format (version 2, little-endian)
//! ```text
//! "STLM"                      magic
//! u16 format version, u16 featurizer version, u32 total file length
//! u8 word_ngrams, u8 char_min, u8 char_max, u8 hash_bits, u8 flags (1 sublinear tf, 2 idf, 4 punctuation, 8 aliases), 3 x u8 zero
//! u8 n_classes, then per class: u8 name length, name bytes
//! u32 n_features, u32 info length, info bytes (UTF-8 JSON, training metadata)
//! f32 temperature, f32 context weight, f32 x n_classes biases
//! u8 weight encoding (0: f32, 1: i8 with one f32 scale per class)
//! n_features LEB128 varints: vocabulary hashes, each as the gap from the previous one
//! if idf: u32 training documents, n_features LEB128 varints: document frequencies
//! weights, feature-major: f32 x n_features x n_classes, or f32 x n_classes scales then
//!   i8 x n_features x n_classes
//! u32 CRC-32 of everything above
//! ```
//! Gaps, document frequencies and int8 weights keep the shipped model small (the browser downloads
//! it inside the WASM module); the f32 encoding exists for exact comparisons with linfa.

#[cfg(test)]
use std::collections::HashMap;

use serde::Serialize;

use crate::error::{Error, Result};
#[cfg(test)]
use crate::features::Source;
use crate::features::{FEATURIZER_VERSION, Featurizer, FeaturizerParams};

/// The three stances, in the fixed order used for weights, probabilities and files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// Takes the side of the Russian state and its allies.
    ProMoscow,
    /// Takes the side of the US, NATO, the EU, Ukraine's government and Western-backed forces.
    ProWashington,
    /// Neither: balanced, factual, off-topic, or page furniture.
    Neutral,
}

impl Label {
    /// All labels in index order.
    pub const ALL: [Label; 3] = [Label::ProMoscow, Label::ProWashington, Label::Neutral];

    /// Position of the label in weight rows and probability arrays.
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The label's name as used in files and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Label::ProMoscow => "pro_moscow",
            Label::ProWashington => "pro_washington",
            Label::Neutral => "neutral",
        }
    }

    /// Parses a label name.
    pub fn parse(name: &str) -> Result<Label> {
        Label::ALL
            .into_iter()
            .find(|l| l.as_str() == name)
            .ok_or_else(|| {
                Error::InvalidParams(format!(
                    "unknown label {name:?}: expected pro_moscow, pro_washington or neutral"
                ))
            })
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Number of classes.
pub const N_CLASSES: usize = 3;

/// One value per label: probabilities, counts, shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct PerLabel<T> {
    /// For `pro_moscow`.
    pub pro_moscow: T,
    /// For `pro_washington`.
    pub pro_washington: T,
    /// For neutral.
    pub neutral: T,
}

impl<T> PerLabel<T> {
    /// The value of one label.
    pub fn get_mut(&mut self, l: Label) -> &mut T {
        match l {
            Label::ProMoscow => &mut self.pro_moscow,
            Label::ProWashington => &mut self.pro_washington,
            Label::Neutral => &mut self.neutral,
        }
    }
}

/// Probabilities of the three labels; they sum to 1.
pub type Probabilities = PerLabel<f64>;

impl PerLabel<f64> {
    /// From an array in [`Label`] index order.
    #[must_use]
    pub fn from_array(p: [f64; N_CLASSES]) -> Self {
        Probabilities {
            pro_moscow: p[0],
            pro_washington: p[1],
            neutral: p[2],
        }
    }

    /// As an array in [`Label`] index order.
    #[must_use]
    pub fn to_array(self) -> [f64; N_CLASSES] {
        [self.pro_moscow, self.pro_washington, self.neutral]
    }

    /// The most probable label. Neutral wins a tie, since a tie is no evidence of a side; between
    /// the two sides the earlier in [`Label::ALL`] wins.
    #[must_use]
    pub fn label(self) -> Label {
        let p = self.to_array();
        let mut best = Label::Neutral;
        for l in Label::ALL {
            if p[l.index()] > p[best.index()] {
                best = l;
            }
        }
        best
    }

    /// The top probability: the model's confidence in its label.
    #[must_use]
    pub fn confidence(self) -> f64 {
        self.to_array().into_iter().fold(0.0, f64::max)
    }
}

/// Softmax of `logits / temperature`, computed in f64 so probabilities sum to 1 within 1e-12.
#[must_use]
pub fn softmax(logits: [f64; N_CLASSES], temperature: f64) -> [f64; N_CLASSES] {
    let scaled = logits.map(|z| z / temperature);
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = scaled.map(|z| (z - max).exp());
    let sum: f64 = e.iter().sum();
    e.map(|v| v / sum)
}

/// Document frequencies of the vocabulary's columns in the training set, from which idf is
/// derived. Stored instead of idf itself: small integers compress to a byte or two each, and the
/// idf computed from them at load is bit-for-bit what training used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFreq {
    /// Documents each column occurred in.
    pub df: Vec<u32>,
    /// Training documents.
    pub docs: u32,
}

impl DocFreq {
    /// Smoothed idf `ln((1 + n) / (1 + df)) + 1` (scikit-learn's `smooth_idf`).
    #[must_use]
    pub fn idf(&self) -> Vec<f32> {
        let n = self.docs as f32;
        // `ln` is the costliest step of loading a model, and frequencies repeat (training stores
        // them on a grid of a few dozen values): compute it once per distinct frequency, through
        // a small direct-mapped cache. The same input gives the same bits, so nothing changes.
        let mut cache = [None::<(u32, f32)>; 256];
        self.df
            .iter()
            .map(|&d| {
                let slot = &mut cache[d as usize % 256];
                match *slot {
                    Some((k, v)) if k == d => v,
                    _ => {
                        let v = ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0;
                        *slot = Some((d, v));
                        v
                    }
                }
            })
            .collect()
    }
}

/// The selected vocabulary: which hashed features the model has a column for, and how to weigh them.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    hashes: Vec<u32>,
    doc_freq: Option<DocFreq>,
    idf: Option<Vec<f32>>,
    sublinear_tf: bool,
    /// Open-addressing index over `hashes`: `(hash, column + 1)` per slot, `(0, 0)` empty, a
    /// power-of-two size at most half full. The inference path looks up every feature occurrence
    /// (a thousand per paragraph); a binary search over 20,000 columns was a fifth of its time.
    index: Vec<(u32, u32)>,
    /// `64 - log2(index.len())`: the shift [`index_slot`] takes, computed once.
    index_shift: u32,
    /// `1 + ln(n)` (or `n`) for the small counts nearly every feature has, computed by the very
    /// expression [`Vocabulary::weigh`] uses otherwise, so the values are the same bits; saves a
    /// logarithm per column of every paragraph.
    tf_table: [f32; TF_TABLE],
}

/// Counts below this have their term frequency weight in [`Vocabulary::tf_table`].
const TF_TABLE: usize = 16;

/// The term frequency weight of a feature occurring `n` times: `1 + ln(n)` (sub-linear) or `n`.
fn tf_weight(n: u32, sublinear_tf: bool) -> f32 {
    if sublinear_tf {
        1.0 + (n as f32).ln()
    } else {
        n as f32
    }
}

/// The index slot a hash starts probing at (Fibonacci hashing: the top bits of a multiply).
fn index_slot(hash: u32, shift: u32) -> usize {
    (u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

/// Builds [`Vocabulary::index`].
fn build_index(hashes: &[u32]) -> Vec<(u32, u32)> {
    let size = (hashes.len() * 2).next_power_of_two().max(16);
    let shift = 64 - size.trailing_zeros();
    let mut index = vec![(0u32, 0u32); size];
    for (col, &h) in hashes.iter().enumerate() {
        let mut i = index_slot(h, shift);
        while index[i].1 != 0 {
            i = (i + 1) & (size - 1);
        }
        index[i] = (h, col as u32 + 1);
    }
    index
}

impl Vocabulary {
    /// A vocabulary over `hashes` (strictly increasing), with document frequencies when idf
    /// weighting is on.
    pub fn new(hashes: Vec<u32>, doc_freq: Option<DocFreq>, sublinear_tf: bool) -> Result<Self> {
        if !hashes.windows(2).all(|w| w[0] < w[1]) {
            return Err(Error::ModelCorrupt(
                "vocabulary hashes are not strictly increasing".into(),
            ));
        }
        if let Some(d) = &doc_freq {
            if d.df.len() != hashes.len() {
                return Err(Error::ModelCorrupt(format!(
                    "{} document frequencies for {} vocabulary entries",
                    d.df.len(),
                    hashes.len()
                )));
            }
            if d.df.iter().any(|&v| v == 0 || v > d.docs) {
                return Err(Error::ModelCorrupt(format!(
                    "document frequencies must be 1 to {} (the training documents)",
                    d.docs
                )));
            }
        }
        let idf = doc_freq.as_ref().map(DocFreq::idf);
        let index = build_index(&hashes);
        let index_shift = 64 - index.len().trailing_zeros();
        // black_box: the compiler must not fold these logarithms at build time (with the build
        // machine's libm, whose last bit may differ from the target's `ln` every other count gets).
        let tf_table =
            std::array::from_fn(|n| tf_weight(std::hint::black_box(n as u32), sublinear_tf));
        Ok(Vocabulary {
            hashes,
            doc_freq,
            idf,
            sublinear_tf,
            index,
            index_shift,
            tf_table,
        })
    }

    /// Number of columns.
    #[must_use]
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when the vocabulary has no column.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The column of a hashed feature, if selected.
    #[must_use]
    pub fn column(&self, hash: u32) -> Option<usize> {
        let mask = self.index.len() - 1;
        let mut i = index_slot(hash, self.index_shift);
        loop {
            let (h, col) = self.index[i];
            if col == 0 {
                return None;
            }
            if h == hash {
                return Some(col as usize - 1);
            }
            i = (i + 1) & mask;
        }
    }

    /// The selected hashes, in column order.
    #[must_use]
    pub fn hashes(&self) -> &[u32] {
        &self.hashes
    }

    /// The document frequencies idf is derived from, when idf weighting is on.
    #[must_use]
    pub fn doc_freq(&self) -> Option<&DocFreq> {
        self.doc_freq.as_ref()
    }

    /// Sparse, L2-normalised feature vector `(column, value)` of sorted `(hash, count)` pairs:
    /// weighted by `1 + ln(tf)` (or tf) and idf, features outside the vocabulary dropped.
    /// Training builds its matrix with this same function, so train and inference agree exactly.
    #[must_use]
    pub fn vectorize(&self, counts: &[(u32, u32)]) -> Vec<(usize, f32)> {
        let mut out: Vec<(usize, f32)> = counts
            .iter()
            .filter_map(|&(h, n)| {
                let col = self.column(h)?;
                Some((col, self.weigh(col, n)))
            })
            .collect();
        normalize_l2(&mut out);
        out
    }

    /// The weight of column `col` occurring `n` times, before normalisation: `1 + ln(n)` (or `n`)
    /// times its idf.
    pub(crate) fn weigh(&self, col: usize, n: u32) -> f32 {
        let tf = match self.tf_table.get(n as usize) {
            Some(&tf) => tf,
            None => tf_weight(n, self.sublinear_tf),
        };
        let w = self.idf.as_ref().map_or(1.0, |idf| idf[col]);
        tf * w
    }
}

/// Divides a sparse vector by its L2 norm (unless it is zero).
pub(crate) fn normalize_l2(x: &mut [(usize, f32)]) {
    let norm = x.iter().map(|&(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, v) in x {
            *v /= norm;
        }
    }
}

/// [`Model::contextualize`] with an explicit context weight `beta`.
#[must_use]
pub fn contextualize(probs: &[Probabilities], beta: f32) -> Vec<Probabilities> {
    let beta = f64::from(beta);
    if beta == 0.0 || probs.len() < 2 {
        return probs.to_vec();
    }
    let mut total = [0f64; N_CLASSES];
    for p in probs {
        for (t, v) in total.iter_mut().zip(p.to_array()) {
            *t += v;
        }
    }
    let others = (probs.len() - 1) as f64;
    probs
        .iter()
        .map(|p| {
            let p = p.to_array();
            let mut q = [0f64; N_CLASSES];
            for k in 0..N_CLASSES {
                let mean = ((total[k] - p[k]) / others).max(1e-12);
                q[k] = p[k] * mean.powf(beta);
            }
            let sum: f64 = q.iter().sum();
            Probabilities::from_array(q.map(|v| v / sum))
        })
        .collect()
}

/// A term of the input and how much it pushed each label.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// The word or phrase, normalised (lower case).
    pub term: String,
    /// Its contribution, in logit units, toward `label` relative to the mean of the labels.
    pub weight: f32,
    /// The label it pushes toward most.
    pub label: Label,
    /// Where it occurs: `[start, end)` offsets in UTF-16 units, relative to the paragraph start
    /// (the classifier shifts them to the whole text), at most [`MAX_SPANS`].
    pub spans: Vec<[usize; 2]>,
}

/// Most spans kept per reason; a term repeated a thousand times needs no thousand highlights.
pub const MAX_SPANS: usize = 32;

/// Per-term contributions of one paragraph, for every label.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Terms with their centred contribution toward each label (logit units).
    pub terms: Vec<(String, [f32; N_CLASSES], Vec<[usize; 2]>)>,
}

impl Explanation {
    /// Terms ranked by their contribution toward `label`, strongest first, positive ones only.
    #[must_use]
    pub fn ranked(&self, label: Label) -> Vec<Reason> {
        let mut v: Vec<Reason> = self
            .terms
            .iter()
            .filter(|(_, c, _)| c[label.index()] > 0.0)
            .map(|(t, c, s)| Reason {
                term: t.clone(),
                weight: c[label.index()],
                label,
                spans: s.clone(),
            })
            .collect();
        v.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.term.cmp(&b.term))
        });
        v
    }

    /// The reasons for a decision: up to `n` terms that push toward `predicted`, then up to
    /// `n / 2` (at least one) counter-terms, each labelled with the label it pushes toward most.
    #[must_use]
    pub fn reasons(&self, predicted: Label, n: usize) -> Vec<Reason> {
        let strongest = |c: &[f32; N_CLASSES]| {
            Label::ALL
                .into_iter()
                .max_by(|a, b| c[a.index()].total_cmp(&c[b.index()]))
                .unwrap_or(Label::Neutral)
        };
        let mut pro = Vec::new();
        let mut contra = Vec::new();
        for (t, c, s) in &self.terms {
            let l = strongest(c);
            let r = Reason {
                term: t.clone(),
                weight: c[l.index()],
                label: l,
                spans: s.clone(),
            };
            if r.weight <= 0.0 {
                continue;
            }
            if l == predicted {
                pro.push(r);
            } else {
                contra.push(r);
            }
        }
        let by_weight = |a: &Reason, b: &Reason| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.term.cmp(&b.term))
        };
        pro.sort_by(by_weight);
        contra.sort_by(by_weight);
        pro.truncate(n);
        contra.truncate(if n == 0 { 0 } else { (n / 2).max(1) });
        pro.extend(contra);
        pro
    }
}

/// A term's summed contribution per class and its byte spans, while explaining.
#[cfg(test)]
type TermAcc = ([f32; N_CLASSES], Vec<(usize, usize)>);

/// Magic number at the start of every model file.
pub const MAGIC: [u8; 4] = *b"STLM";
/// The model file format version this build reads and writes.
pub const FORMAT_VERSION: u16 = 2;

const FLAG_SUBLINEAR: u8 = 1;
const FLAG_IDF: u8 = 2;
const FLAG_PUNCTUATION: u8 = 4;
const FLAG_ALIASES: u8 = 8;

/// CRC-32 (IEEE 802.3, the checksum of zip and PNG) that closes every model file.
///
/// Table-driven with one 256-entry table: a model is checked once per load, and the faster
/// 16-table variant's 16 KB of incompressible constants would be 5 % of the gzipped WASM module.
#[must_use]
pub fn crc32(bytes: &[u8]) -> u32 {
    const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
    CRC32.checksum(bytes)
}

/// Steps each side of zero that [`Model::quantized`] rounds weights to: 31 values in all.
///
/// The int8 encoding could hold 255, but the shipped model travels gzipped inside the WASM
/// module, where a weight costs about the entropy of its values: 255 levels took 84.7 KB of
/// the gzipped model, 31 levels take 41.1 KB, with the same accuracy on the seeds and the real
/// sets within their noise (BENCHMARKS.md, size).
pub const WEIGHT_LEVELS: u8 = 15;

/// Words for an out-of-range number in an error message, instead of the number: formatting a
/// float would pull 16 KB of float-printing code into the WASM module for two messages.
fn out_of_range(x: f32) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x == f32::INFINITY {
        "infinity"
    } else if x == f32::NEG_INFINITY {
        "minus infinity"
    } else if x < 0.0 {
        "a negative number"
    } else if x == 0.0 {
        "zero"
    } else {
        "a number above the limit"
    }
}

/// A calibration temperature divides the logits: it must be finite and positive. One check for
/// [`Model::new`] and [`Model::with_calibration`], so both refuse with the same words.
fn check_temperature(temperature: f32) -> Result<()> {
    if temperature.is_finite() && temperature > 0.0 {
        Ok(())
    } else {
        Err(Error::ModelCorrupt(format!(
            "temperature must be finite and positive, got {}",
            out_of_range(temperature)
        )))
    }
}

/// How weights are stored in the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightEncoding {
    /// 4 bytes a weight, exact.
    F32,
    /// 1 byte a weight: `w = q * scale[class]`, `|q| <= 127`; the writer uses
    /// `scale = max |w| / WEIGHT_LEVELS` per class.
    I8 {
        /// Per-class scale.
        scales: [f32; N_CLASSES],
    },
}

/// A trained stance model: featurizer settings, vocabulary, weights, biases and temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    featurizer: Featurizer,
    vocab: Vocabulary,
    /// Feature-major: `weights[col * N_CLASSES + class]`, so a sparse input reads contiguous rows.
    weights: Vec<f32>,
    bias: [f32; N_CLASSES],
    temperature: f32,
    /// How much the rest of the document pulls a paragraph's probabilities (see
    /// [`Model::contextualize`]); 0 classifies every paragraph alone.
    context_weight: f32,
    info: String,
    encoding: WeightEncoding,
}

impl Model {
    /// Assembles a model; `weights` is feature-major (`n_features × 3`).
    pub fn new(
        featurizer: Featurizer,
        vocab: Vocabulary,
        weights: Vec<f32>,
        bias: [f32; N_CLASSES],
        temperature: f32,
        info: String,
    ) -> Result<Self> {
        if weights.len() != vocab.len() * N_CLASSES {
            return Err(Error::ModelCorrupt(format!(
                "{} weights for {} features × {N_CLASSES} classes",
                weights.len(),
                vocab.len()
            )));
        }
        // Finite means the largest magnitude is below infinity's bits (NaN is above them): a
        // branch-free fold the compiler vectorises, for the 120,000 weights of every load.
        let finite =
            |ws: &[f32]| ws.iter().fold(0, |m, w| m.max(w.to_bits() & 0x7FFF_FFFF)) < 0x7F80_0000;
        if !finite(&weights) || !finite(&bias) {
            return Err(Error::ModelCorrupt(
                "weights and biases must be finite".into(),
            ));
        }
        check_temperature(temperature)?;
        if featurizer.config().idf != vocab.doc_freq.is_some()
            || featurizer.config().sublinear_tf != vocab.sublinear_tf
        {
            return Err(Error::ModelCorrupt(
                "vocabulary weighting differs from the featurizer settings".into(),
            ));
        }
        Ok(Model {
            featurizer,
            vocab,
            weights,
            bias,
            temperature,
            context_weight: 0.0,
            info,
            encoding: WeightEncoding::F32,
        })
    }

    /// The featurizer the model was trained with.
    #[must_use]
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The vocabulary.
    #[must_use]
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// Weights, feature-major (`weights[col * 3 + class]`).
    #[must_use]
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Biases per class.
    #[must_use]
    pub fn bias(&self) -> [f32; N_CLASSES] {
        self.bias
    }

    /// How the weights are stored when written.
    #[must_use]
    pub fn encoding(&self) -> WeightEncoding {
        self.encoding
    }

    /// The model with its weights rounded to [`WEIGHT_LEVELS`] steps each side of zero (per-class
    /// scale), as the int8 encoding will store them: predictions of the returned model are
    /// exactly those of the written-and-reloaded file.
    #[must_use]
    pub fn quantized(mut self) -> Self {
        let mut scales = [0f32; N_CLASSES];
        for (c, s) in scales.iter_mut().enumerate() {
            let max = self
                .weights
                .iter()
                .skip(c)
                .step_by(N_CLASSES)
                .fold(0f32, |m, w| m.max(w.abs()));
            *s = if max > 0.0 {
                max / f32::from(WEIGHT_LEVELS)
            } else {
                1.0
            };
        }
        for (i, w) in self.weights.iter_mut().enumerate() {
            let s = scales[i % N_CLASSES];
            *w = (*w / s).round().clamp(-127.0, 127.0) * s;
        }
        self.encoding = WeightEncoding::I8 { scales };
        self
    }

    /// The same model with a calibration temperature, a document-context weight and training
    /// metadata.
    pub fn with_calibration(
        mut self,
        temperature: f32,
        context_weight: f32,
        info: String,
    ) -> Result<Self> {
        check_temperature(temperature)?;
        if !(context_weight.is_finite() && (0.0..=4.0).contains(&context_weight)) {
            return Err(Error::ModelCorrupt(format!(
                "context weight must be between 0 and 4, got {}",
                out_of_range(context_weight)
            )));
        }
        self.temperature = temperature;
        self.context_weight = context_weight;
        self.info = info;
        Ok(self)
    }

    /// Document-context weight β (see [`Model::contextualize`]).
    #[must_use]
    pub fn context_weight(&self) -> f32 {
        self.context_weight
    }

    /// Probabilities of the paragraphs of one document, each pulled toward the rest of the
    /// document: `p'_i ∝ p_i · m_i^β`, where `m_i` is the mean probability vector of the *other*
    /// paragraphs and β the model's context weight. A paragraph that relays an expert ("Selon lui,
    /// …") takes its side from the article it stands in, as a human reader would; a paragraph with
    /// strong evidence of its own keeps its label. β is chosen by cross-validation over whole
    /// articles (`stance train`); with β = 0 or a single paragraph nothing changes.
    #[must_use]
    pub fn contextualize(&self, probs: &[Probabilities]) -> Vec<Probabilities> {
        contextualize(probs, self.context_weight)
    }

    /// Calibration temperature applied to the logits.
    #[must_use]
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Training metadata (JSON text written by `stance train`).
    #[must_use]
    pub fn info(&self) -> &str {
        &self.info
    }

    /// Logits (before temperature) of a sparse feature vector.
    #[must_use]
    pub fn logits(&self, x: &[(usize, f32)]) -> [f64; N_CLASSES] {
        let mut z = self.bias.map(f64::from);
        for &(col, v) in x {
            // Fixed-size, so the loop below unrolls.
            let row: &[f32; N_CLASSES] = self.weights[col * N_CLASSES..(col + 1) * N_CLASSES]
                .try_into()
                .expect("a weight row has one weight per class");
            for (zc, &w) in z.iter_mut().zip(row) {
                *zc += f64::from(v) * f64::from(w);
            }
        }
        z
    }

    /// Calibrated probabilities of a sparse feature vector.
    #[must_use]
    pub fn predict_vector(&self, x: &[(usize, f32)]) -> Probabilities {
        Probabilities::from_array(softmax(self.logits(x), f64::from(self.temperature)))
    }

    /// Calibrated probabilities of one paragraph: by definition
    /// `predict_vector(&vocabulary().vectorize(&featurizer().counts(paragraph)))`, computed by the
    /// faster path in `infer.rs` with the same result, bit for bit.
    #[must_use]
    pub fn predict(&self, paragraph: &str) -> Probabilities {
        crate::infer::predict(self, paragraph)
    }

    /// Probabilities and per-term contributions of one paragraph. Each feature's contribution
    /// `x_j · (w_cj − mean_k w_kj) / T` is shared among its occurrences and credited to the word
    /// (unigram and character n-grams) or phrase (word n-gram) that produced it, occurrence by
    /// occurrence in [`Featurizer::visit`] order; spans are UTF-16 offsets within the paragraph.
    #[must_use]
    pub fn explain(&self, paragraph: &str) -> (Probabilities, Explanation) {
        crate::infer::explain(self, paragraph)
    }

    /// Probabilities and the reasons for the most probable label: the same as
    /// `explain(paragraph)` then [`Explanation::reasons`] with `probabilities.label()`, without
    /// building the strings and spans of the terms left out.
    #[must_use]
    pub fn explain_reasons(&self, paragraph: &str, n: usize) -> (Probabilities, Vec<Reason>) {
        crate::infer::reasons(self, paragraph, n)
    }

    /// The definition [`Model::explain`] is checked against: the straightforward implementation.
    #[cfg(test)]
    pub(crate) fn explain_reference(&self, paragraph: &str) -> (Probabilities, Explanation) {
        let tokens = self.featurizer.tokens(paragraph);
        // Two passes over the features (count, then credit) rather than a stored list of every
        // occurrence with its source: a 10 MB paragraph has tens of millions of occurrences, and
        // 4 bytes each instead of 24 keeps it to a few hundred MB at most (see tests/limits.rs).
        let mut hashes: Vec<u32> = Vec::with_capacity(tokens.len() * 12);
        self.featurizer.visit(&tokens, |h, _| hashes.push(h));
        hashes.sort_unstable();
        let mut counts: Vec<(u32, u32)> = Vec::new();
        for h in hashes {
            match counts.last_mut() {
                Some((last, n)) if *last == h => *n += 1,
                _ => counts.push((h, 1)),
            }
        }
        let x = self.vocab.vectorize(&counts);
        let probs = self.predict_vector(&x);

        // Per-feature centred contribution per occurrence, sorted by hash (x is in column order,
        // and columns are in hash order).
        let t = self.temperature;
        let per_hash: Vec<(u32, [f32; N_CLASSES])> = x
            .iter()
            .map(|&(col, v)| {
                let h = self.vocab.hashes[col];
                let n = counts[counts.binary_search_by_key(&h, |&(h, _)| h).unwrap_or(0)].1 as f32;
                let row = &self.weights[col * N_CLASSES..(col + 1) * N_CLASSES];
                let mean = row.iter().sum::<f32>() / N_CLASSES as f32;
                (h, [0, 1, 2].map(|c| v * (row[c] - mean) / t / n))
            })
            .collect();

        // Credit each occurrence to its word or phrase, in the order they occur. A word's
        // character n-grams come in a row, so the term is looked up (and its key built) only
        // when the source changes, not for every occurrence.
        let mut slots: HashMap<String, usize> = HashMap::new();
        let mut accs: Vec<TermAcc> = Vec::new();
        let mut key = String::new();
        let mut current: Option<((usize, usize), usize)> = None;
        self.featurizer.visit(&tokens, |h, src| {
            let Ok(i) = per_hash.binary_search_by_key(&h, |&(h, _)| h) else {
                return;
            };
            let c = &per_hash[i].1;
            let (first, n) = match src {
                Source::Word(i) => (i, 1),
                Source::Phrase(i, n) => (i, n),
            };
            let slot = match current {
                Some((source, slot)) if source == (first, n) => slot,
                _ => {
                    key.clear();
                    for (k, tok) in tokens[first..first + n].iter().enumerate() {
                        if k > 0 {
                            key.push(' ');
                        }
                        key.push_str(&tok.text);
                    }
                    let slot = if let Some(&slot) = slots.get(key.as_str()) {
                        slot
                    } else {
                        slots.insert(key.clone(), accs.len());
                        accs.push(([0.0; N_CLASSES], Vec::new()));
                        accs.len() - 1
                    };
                    current = Some(((first, n), slot));
                    slot
                }
            };
            let span = (tokens[first].start, tokens[first + n - 1].end);
            let entry = &mut accs[slot];
            for (acc, v) in entry.0.iter_mut().zip(c) {
                *acc += v;
            }
            if entry.1.last() != Some(&span) && entry.1.len() < MAX_SPANS {
                entry.1.push(span);
            }
        });
        let mut terms: Vec<(String, [f32; N_CLASSES], Vec<[usize; 2]>)> = slots
            .into_iter()
            // A lone quotation mark or "!" is evidence, but no reader would call it a reason.
            .filter(|(t, _)| t.chars().any(char::is_alphanumeric))
            .map(|(t, slot)| {
                let (c, spans) = std::mem::take(&mut accs[slot]);
                let spans = utf16_spans(paragraph, &spans);
                (t, c, spans)
            })
            .collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        (probs, Explanation { terms })
    }

    /// Serialises the model in the current file format.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let c = self.featurizer.config();
        let mut b = Vec::with_capacity(64 + self.vocab.len() * (4 + 4 + 4 * N_CLASSES));
        b.extend_from_slice(&MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&FEATURIZER_VERSION.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes()); // total length, patched below
        let flags = (if c.sublinear_tf { FLAG_SUBLINEAR } else { 0 })
            | (if c.idf { FLAG_IDF } else { 0 })
            | (if c.punctuation { FLAG_PUNCTUATION } else { 0 })
            | (if c.aliases { FLAG_ALIASES } else { 0 });
        b.extend_from_slice(&[
            c.word_ngrams,
            c.char_min,
            c.char_max,
            c.hash_bits,
            flags,
            0,
            0,
            0,
        ]);
        b.push(N_CLASSES as u8);
        for l in Label::ALL {
            b.push(l.as_str().len() as u8);
            b.extend_from_slice(l.as_str().as_bytes());
        }
        b.extend_from_slice(&(self.vocab.len() as u32).to_le_bytes());
        b.extend_from_slice(&(self.info.len() as u32).to_le_bytes());
        b.extend_from_slice(self.info.as_bytes());
        b.extend_from_slice(&self.temperature.to_le_bytes());
        b.extend_from_slice(&self.context_weight.to_le_bytes());
        for v in self.bias {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.push(match self.encoding {
            WeightEncoding::F32 => 0,
            WeightEncoding::I8 { .. } => 1,
        });
        let mut prev = 0u32;
        for &h in &self.vocab.hashes {
            write_varint(&mut b, h - prev);
            prev = h;
        }
        if let Some(d) = &self.vocab.doc_freq {
            b.extend_from_slice(&d.docs.to_le_bytes());
            for &v in &d.df {
                write_varint(&mut b, v);
            }
        }
        match self.encoding {
            WeightEncoding::F32 => {
                for v in &self.weights {
                    b.extend_from_slice(&v.to_le_bytes());
                }
            }
            WeightEncoding::I8 { scales } => {
                for s in scales {
                    b.extend_from_slice(&s.to_le_bytes());
                }
                for (i, v) in self.weights.iter().enumerate() {
                    let q = (v / scales[i % N_CLASSES]).round().clamp(-127.0, 127.0) as i8;
                    b.push(q.to_le_bytes()[0]);
                }
            }
        }
        let total = (b.len() + 4) as u32;
        b[8..12].copy_from_slice(&total.to_le_bytes());
        let crc = crc32(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        b
    }

    /// Reads a model file, refusing with a named error anything that is not a complete, intact
    /// model of this format and featurizer version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (body, pos) = Self::check_envelope(bytes)?;
        Self::parse_body(body, pos)
    }

    /// Checks magic, versions, length and checksum; returns the checksummed body and the offset
    /// where the featurizer settings start.
    fn check_envelope(bytes: &[u8]) -> Result<(&[u8], usize)> {
        if bytes.len() < 4 || bytes[..4] != MAGIC {
            return Err(Error::ModelMagic);
        }
        let mut r = Reader { bytes, pos: 4 };
        let version = r.u16("format version")?;
        if version != FORMAT_VERSION {
            return Err(Error::ModelVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let feat_version = r.u16("featurizer version")?;
        if feat_version != FEATURIZER_VERSION {
            return Err(Error::ModelFeaturizer(format!(
                "the model was trained with featurizer version {feat_version}, this build implements version {FEATURIZER_VERSION}"
            )));
        }
        let total = r.u32("file length")? as usize;
        if bytes.len() < total {
            return Err(Error::ModelTruncated(format!(
                "{} of {total} bytes present",
                bytes.len()
            )));
        }
        if bytes.len() > total {
            return Err(Error::ModelCorrupt(format!(
                "{} bytes after the end of the model",
                bytes.len() - total
            )));
        }
        if total < r.pos + 4 {
            return Err(Error::ModelCorrupt(format!(
                "declared length {total} is too small"
            )));
        }
        let body = &bytes[..total - 4];
        let found = u32::from_le_bytes(bytes[total - 4..total].try_into().unwrap_or_default());
        let expected = crc32(body);
        if found != expected {
            return Err(Error::ModelChecksum { found, expected });
        }
        Ok((body, r.pos))
    }

    /// Parses the checksummed body from `pos` on.
    fn parse_body(body: &[u8], pos: usize) -> Result<Self> {
        let mut r = Reader { bytes: body, pos };
        let cfg = r.take(8, "featurizer settings")?;
        let (flags, reserved) = (cfg[4], &cfg[5..8]);
        if flags & !(FLAG_SUBLINEAR | FLAG_IDF | FLAG_PUNCTUATION | FLAG_ALIASES) != 0
            || reserved != [0, 0, 0]
        {
            return Err(Error::ModelFeaturizer(format!(
                "unknown featurizer flags {flags:#04x}"
            )));
        }
        let featurizer = FeaturizerParams::new()
            .word_ngrams(cfg[0])
            .char_ngrams(cfg[1], cfg[2])
            .hash_bits(cfg[3])
            .sublinear_tf(flags & FLAG_SUBLINEAR != 0)
            .idf(flags & FLAG_IDF != 0)
            .punctuation(flags & FLAG_PUNCTUATION != 0)
            .aliases(flags & FLAG_ALIASES != 0)
            .check()
            .map_err(|e| Error::ModelFeaturizer(e.to_string()))?;
        let n_classes = usize::from(r.take(1, "class count")?[0]);
        let mut names = Vec::with_capacity(n_classes);
        for _ in 0..n_classes {
            let len = usize::from(r.take(1, "class name")?[0]);
            names.push(String::from_utf8_lossy(r.take(len, "class name")?).into_owned());
        }
        let expected_names: Vec<&str> = Label::ALL.iter().map(|l| l.as_str()).collect();
        if names != expected_names {
            return Err(Error::ModelCorrupt(format!(
                "the model's classes {names:?} are not {expected_names:?}"
            )));
        }
        let n = r.u32("feature count")? as usize;
        let info_len = r.u32("info length")? as usize;
        let info = String::from_utf8(r.take(info_len, "info")?.to_vec())
            .map_err(|_| Error::ModelCorrupt("training info is not UTF-8".into()))?;
        let temperature = r.f32("temperature")?;
        let context_weight = r.f32("context weight")?;
        let mut bias = [0f32; N_CLASSES];
        for b in &mut bias {
            *b = r.f32("bias")?;
        }
        let encoding_byte = r.take(1, "weight encoding")?[0];
        // Every table has at least a byte per feature: a corrupt count must not allocate gigabytes.
        if n > body.len() - r.pos {
            return Err(Error::ModelCorrupt(format!(
                "{n} features cannot fit in the {} bytes left",
                body.len() - r.pos
            )));
        }
        let c = featurizer.config();
        let (hashes, doc_freq) = read_vocabulary(&mut r, n, c.idf)?;
        let (weights, encoding) = read_weights(&mut r, n, encoding_byte)?;
        if r.pos != body.len() {
            return Err(Error::ModelCorrupt(format!(
                "{} unexplained bytes after the weights",
                body.len() - r.pos
            )));
        }
        let vocab = Vocabulary::new(hashes, doc_freq, c.sublinear_tf)?;
        if c.hash_bits < 32 && vocab.hashes.last().is_some_and(|&h| h >> c.hash_bits != 0) {
            return Err(Error::ModelCorrupt(
                "vocabulary hashes exceed the hash space".into(),
            ));
        }
        let mut model = Model::new(featurizer, vocab, weights, bias, temperature, String::new())?
            .with_calibration(temperature, context_weight, info)?;
        model.encoding = encoding;
        Ok(model)
    }
}

/// Converts byte spans within `text` to UTF-16 spans, walking the text once (spans are in order
/// of first occurrence, not necessarily sorted, so sort a copy of the offsets first).
#[cfg(test)]
fn utf16_spans(text: &str, spans: &[(usize, usize)]) -> Vec<[usize; 2]> {
    let mut offsets: Vec<usize> = spans.iter().flat_map(|&(a, b)| [a, b]).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut map = HashMap::with_capacity(offsets.len());
    let (mut byte, mut unit) = (0usize, 0usize);
    let mut chars = text.char_indices().peekable();
    for off in offsets {
        while let Some(&(i, c)) = chars.peek() {
            if i >= off {
                break;
            }
            unit += c.len_utf16();
            byte = i + c.len_utf8();
            chars.next();
        }
        debug_assert!(byte <= off);
        map.insert(off, unit);
    }
    spans.iter().map(|&(a, b)| [map[&a], map[&b]]).collect()
}

/// Reads `n` gap-encoded vocabulary hashes and, with idf, the document frequencies.
fn read_vocabulary(r: &mut Reader<'_>, n: usize, idf: bool) -> Result<(Vec<u32>, Option<DocFreq>)> {
    let mut hashes = r.varints(n, "vocabulary")?;
    let mut prev = 0u32;
    for (i, h) in hashes.iter_mut().enumerate() {
        let gap = *h;
        if i > 0 && gap == 0 {
            return Err(Error::ModelCorrupt("repeated vocabulary hash".into()));
        }
        prev = prev
            .checked_add(gap)
            .ok_or_else(|| Error::ModelCorrupt("vocabulary hash overflows 32 bits".into()))?;
        *h = prev;
    }
    let doc_freq = if idf {
        let docs = r.u32("training document count")?;
        let df = r.varints(n, "document frequencies")?;
        Some(DocFreq { df, docs })
    } else {
        None
    };
    Ok((hashes, doc_freq))
}

/// Reads `n × classes` weights in the given encoding.
fn read_weights(
    r: &mut Reader<'_>,
    n: usize,
    encoding_byte: u8,
) -> Result<(Vec<f32>, WeightEncoding)> {
    match encoding_byte {
        0 => {
            let w = (0..n * N_CLASSES)
                .map(|_| r.f32("weights"))
                .collect::<Result<Vec<_>>>()?;
            Ok((w, WeightEncoding::F32))
        }
        1 => {
            let mut scales = [0f32; N_CLASSES];
            for s in &mut scales {
                *s = r.f32("weight scales")?;
            }
            if scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
                return Err(Error::ModelCorrupt(
                    "weight scales must be finite and positive".into(),
                ));
            }
            let q = r.take(n * N_CLASSES, "weights")?;
            // The writer's range is symmetric (`|q| <= WEIGHT_LEVELS <= 127`), so -128 never
            // comes out of it; accepting it would load a model that writes back different weights.
            if q.contains(&0x80) {
                return Err(Error::ModelCorrupt(
                    "an int8 weight is -128, outside the format's range -127 to 127".into(),
                ));
            }
            // A row of classes at a time: no index arithmetic per weight (120,000 of them).
            let w = q
                .chunks_exact(N_CLASSES)
                .flat_map(|row| {
                    std::array::from_fn::<f32, N_CLASSES, _>(|k| {
                        f32::from(i8::from_le_bytes([row[k]])) * scales[k]
                    })
                })
                .collect();
            Ok((w, WeightEncoding::I8 { scales }))
        }
        other => Err(Error::ModelCorrupt(format!(
            "unknown weight encoding {other}"
        ))),
    }
}

/// Appends `v` as an LEB128 unsigned varint.
fn write_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7F) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Bounds-checked little-endian reader; running out of bytes is a truncation, named by field.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| Error::ModelTruncated(format!("the file ends inside the {what}")))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(
            self.take(2, what)?.try_into().unwrap_or_default(),
        ))
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().unwrap_or_default(),
        ))
    }
    /// `n` varints ([`Reader::varint`]). The shipped model's vocabulary is 80,000 of them, read
    /// at every page load: while five bytes remain (all but the file's last few) each is decoded
    /// in this loop without a bounds check or an error path per byte; the last go through
    /// [`Reader::varint`], which says what went wrong if anything does.
    fn varints(&mut self, n: usize, what: &str) -> Result<Vec<u32>> {
        let mut out = Vec::with_capacity(n);
        let bytes = self.bytes;
        while out.len() < n && self.pos + 5 <= bytes.len() {
            let (mut v, mut k) = (0u64, 0);
            loop {
                let b = bytes[self.pos + k];
                v |= u64::from(b & 0x7F) << (7 * k);
                k += 1;
                if b & 0x80 == 0 {
                    break;
                }
                if k == 5 {
                    return Err(Error::ModelCorrupt(format!(
                        "{what}: varint longer than 5 bytes"
                    )));
                }
            }
            self.pos += k;
            out.push(
                u32::try_from(v)
                    .map_err(|_| Error::ModelCorrupt(format!("{what}: value over 32 bits")))?,
            );
        }
        while out.len() < n {
            out.push(self.varint(what)?);
        }
        Ok(out)
    }
    /// LEB128 unsigned varint, at most 5 bytes for a u32.
    fn varint(&mut self, what: &str) -> Result<u32> {
        let mut v = 0u64;
        for shift in (0..35).step_by(7) {
            let b = self.take(1, what)?[0];
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return u32::try_from(v)
                    .map_err(|_| Error::ModelCorrupt(format!("{what}: value over 32 bits")));
            }
        }
        Err(Error::ModelCorrupt(format!(
            "{what}: varint longer than 5 bytes"
        )))
    }
    fn f32(&mut self, what: &str) -> Result<f32> {
        Ok(f32::from_le_bytes(
            self.take(4, what)?.try_into().unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_idf_equals_the_formula_bit_for_bit() {
        // Repeats, values sharing a cache slot (d, d + 256, d + 512) in alternation, and extremes.
        let mut df: Vec<u32> = (1..2000).map(|i| 1 + (i * 7919) % 1500).collect();
        df.extend([3, 259, 3, 515, 259, 1, u32::MAX, 1, 4000, 4000]);
        let d = DocFreq { df, docs: 4000 };
        let n = d.docs as f32;
        for (got, &f) in d.idf().iter().zip(&d.df) {
            let want = ((1.0 + n) / (1.0 + f as f32)).ln() + 1.0;
            assert_eq!(got.to_bits(), want.to_bits(), "df {f}");
        }
    }

    /// [`Reader::varints`]'s fast loop must read exactly what [`Reader::varint`] one at a time
    /// reads: the same values, the same end position, the same error, on any bytes.
    #[test]
    fn batched_varints_equal_one_at_a_time() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..20_000 {
            let len = (next() % 24) as usize;
            // Mostly short varints (high bit clear), with runs of continuation bytes and the
            // 5-byte limits (0x0F / 0x10 in the fifth byte) hit often.
            let bytes: Vec<u8> = (0..len)
                .map(|_| match next() % 8 {
                    0..=3 => (next() % 0x80) as u8,
                    4 | 5 => 0x80 | (next() % 0x80) as u8,
                    6 => [0x0F, 0x10, 0xFF, 0x00][(next() % 4) as usize],
                    _ => next() as u8,
                })
                .collect();
            let n = (next() % 8) as usize;
            let mut batch = Reader {
                bytes: &bytes,
                pos: 0,
            };
            let mut single = Reader {
                bytes: &bytes,
                pos: 0,
            };
            let got = batch.varints(n, "field");
            let want = (0..n)
                .map(|_| single.varint("field"))
                .collect::<Result<Vec<u32>>>();
            match (got, want) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "case {case}: {bytes:02x?}");
                    assert_eq!(batch.pos, single.pos, "case {case}: {bytes:02x?}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "case {case}"),
                (a, b) => panic!("case {case}: {bytes:02x?}: {a:?} against {b:?}"),
            }
        }
    }
}
