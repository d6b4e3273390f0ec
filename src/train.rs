//! Training (feature `train`, native only): reading labelled data, vocabulary selection,
//! the linfa-logistic fit, stratified k-fold cross-validation of the L2 strength, temperature
//! calibration. Deterministic: the same records and parameters give a byte-identical model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::{MultiFittedLogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::features::{Featurizer, FeaturizerParams};
use crate::metrics::expected_calibration_error;
use crate::model::{
    DocFreq, Label, Model, N_CLASSES, Probabilities, Vocabulary, contextualize, softmax,
};

/// One labelled paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The paragraph.
    pub text: String,
    /// Its label.
    pub label: Label,
    /// Language code (`fr`, `en`), when known.
    pub lang: Option<String>,
    /// Topic tag, when known.
    pub topic: Option<String>,
    /// Genre tag, when known.
    pub genre: Option<String>,
    /// Article the paragraph belongs to, when it was written as part of one: cross-validation
    /// keeps an article's paragraphs in one fold, so names shared inside an article cannot leak.
    pub doc: Option<String>,
}

#[derive(Deserialize)]
struct RawRecord {
    text: String,
    label: String,
    lang: Option<String>,
    topic: Option<String>,
    genre: Option<String>,
    doc: Option<String>,
}

/// Reads one JSONL file of `{"text", "label", "lang"?, "topic"?, "genre"?, "doc"?}` objects; blank lines
/// are skipped, anything else that is not a valid record is an error naming the line.
pub fn read_jsonl(path: &Path) -> Result<Vec<Record>> {
    let data = std::fs::read_to_string(path).map_err(|e| Error::io(path.display(), e))?;
    let mut out = Vec::new();
    for (i, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| Error::Data {
            path: path.display().to_string(),
            line: i + 1,
            message,
        };
        let raw: RawRecord = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let label = Label::parse(&raw.label).map_err(|e| bad(e.to_string()))?;
        if raw.text.trim().is_empty() {
            return Err(bad("empty text".into()));
        }
        out.push(Record {
            text: raw.text,
            label,
            lang: raw.lang,
            topic: raw.topic,
            genre: raw.genre,
            doc: raw.doc,
        });
    }
    Ok(out)
}

/// Reads the seed articles' hand labels: `labels.tsv` (`file`, `line`, `label`, `confidence`)
/// with the article files beside it. The seeds are French.
pub fn read_seeds(labels_tsv: &Path) -> Result<Vec<Record>> {
    let dir = labels_tsv.parent().unwrap_or(Path::new("."));
    let data =
        std::fs::read_to_string(labels_tsv).map_err(|e| Error::io(labels_tsv.display(), e))?;
    let mut files: HashMap<String, Vec<String>> = HashMap::new();
    let mut out = Vec::new();
    for (i, line) in data.lines().enumerate().skip(1) {
        let bad = |message: String| Error::Data {
            path: labels_tsv.display().to_string(),
            line: i + 1,
            message,
        };
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            if line.trim().is_empty() {
                continue;
            }
            return Err(bad("expected file, line, label columns".into()));
        }
        let lineno: usize = cols[1]
            .parse()
            .map_err(|_| bad(format!("bad line number {:?}", cols[1])))?;
        let label = Label::parse(cols[2]).map_err(|e| bad(e.to_string()))?;
        if !files.contains_key(cols[0]) {
            let p = dir.join(cols[0]);
            let text = std::fs::read_to_string(&p).map_err(|e| Error::io(p.display(), e))?;
            files.insert(
                cols[0].to_string(),
                text.lines().map(str::to_string).collect(),
            );
        }
        let text = files[cols[0]]
            .get(lineno.wrapping_sub(1))
            .ok_or_else(|| bad(format!("{} has no line {lineno}", cols[0])))?;
        out.push(Record {
            text: text.clone(),
            label,
            lang: Some("fr".into()),
            topic: None,
            genre: None,
            doc: Some(cols[0].to_string()),
        });
    }
    Ok(out)
}

/// The data files a path stands for: a directory's `*.jsonl` files in name order, or the path.
pub fn data_files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::io(path.display(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads labelled data from a path: a directory (every `*.jsonl` in it, in name order), a
/// `labels.tsv` of seed articles, or one JSONL file.
pub fn read_data(path: &Path) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    for f in data_files(path)? {
        if f.extension().is_some_and(|x| x == "tsv") {
            out.extend(read_seeds(&f)?);
        } else {
            out.extend(read_jsonl(&f)?);
        }
    }
    Ok(out)
}

/// Unchecked training settings, linfa-style; [`TrainParams::check`] validates them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    featurizer: FeaturizerParams,
    vocab_size: usize,
    min_df: u32,
    alphas: Vec<f32>,
    folds: usize,
    max_iterations: u64,
    gradient_tolerance: f32,
    calibrate: bool,
    progress: bool,
}

/// Checked training settings.
#[derive(Debug, Clone)]
pub struct ValidTrainParams {
    params: TrainParams,
    featurizer: Featurizer,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self::new()
    }
}

impl TrainParams {
    /// The defaults below.
    #[must_use]
    pub fn new() -> Self {
        TrainParams {
            featurizer: FeaturizerParams::new(),
            vocab_size: 20_000,
            min_df: 2,
            alphas: vec![0.1, 0.3, 1.0, 3.0],
            folds: 5,
            max_iterations: 200,
            gradient_tolerance: 1e-4,
            calibrate: true,
            progress: false,
        }
    }

    /// Featurizer settings. Default [`FeaturizerParams::new`].
    #[must_use]
    pub fn featurizer(mut self, f: FeaturizerParams) -> Self {
        self.featurizer = f;
        self
    }

    /// Most vocabulary columns, chosen by document frequency. Default 20,000: linfa fits a dense
    /// matrix, so columns cost memory (`n × columns × 4` bytes) and model size.
    #[must_use]
    pub fn vocab_size(mut self, n: usize) -> Self {
        self.vocab_size = n;
        self
    }

    /// Fewest documents a feature must occur in to be kept. Default 2: a feature seen once cannot
    /// generalise and mostly memorises its paragraph.
    #[must_use]
    pub fn min_df(mut self, n: u32) -> Self {
        self.min_df = n;
        self
    }

    /// L2 strengths tried by cross-validation (linfa's `alpha`, on the summed loss). Default
    /// 0.1, 0.3, 1, 3. One value skips the search.
    #[must_use]
    pub fn alphas(mut self, a: Vec<f32>) -> Self {
        self.alphas = a;
        self
    }

    /// Folds of stratified cross-validation, 2 to 20. Default 5.
    #[must_use]
    pub fn folds(mut self, k: usize) -> Self {
        self.folds = k;
        self
    }

    /// L-BFGS iteration cap per fit. Default 200: enough to converge on text features.
    #[must_use]
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }

    /// L-BFGS gradient tolerance. Default 1e-4 (linfa's default).
    #[must_use]
    pub fn gradient_tolerance(mut self, t: f32) -> Self {
        self.gradient_tolerance = t;
        self
    }

    /// Fit a temperature on out-of-fold predictions so probabilities mean what they say.
    /// Default true.
    #[must_use]
    pub fn calibrate(mut self, on: bool) -> Self {
        self.calibrate = on;
        self
    }

    /// Show progress bars on stderr. Default false (the CLI turns them on).
    #[must_use]
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// Validates the settings.
    pub fn check(self) -> Result<ValidTrainParams> {
        let featurizer = self.featurizer.check()?;
        if self.vocab_size == 0 || self.vocab_size > 1_000_000 {
            return Err(Error::InvalidParams(format!(
                "vocab_size must be 1 to 1,000,000, got {}",
                self.vocab_size
            )));
        }
        if self.min_df == 0 {
            return Err(Error::InvalidParams("min_df must be at least 1".into()));
        }
        if self.alphas.is_empty() || self.alphas.iter().any(|a| !a.is_finite() || *a < 0.0) {
            return Err(Error::InvalidParams(format!(
                "alphas must be a non-empty list of finite values >= 0, got {:?}",
                self.alphas
            )));
        }
        if !(2..=20).contains(&self.folds) {
            return Err(Error::InvalidParams(format!(
                "folds must be 2 to 20, got {}",
                self.folds
            )));
        }
        if self.max_iterations == 0 {
            return Err(Error::InvalidParams(
                "max_iterations must be at least 1".into(),
            ));
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(Error::InvalidParams(format!(
                "gradient_tolerance must be finite and > 0, got {}",
                self.gradient_tolerance
            )));
        }
        Ok(ValidTrainParams {
            params: self,
            featurizer,
        })
    }
}

impl ValidTrainParams {
    /// The checked featurizer.
    #[must_use]
    pub fn featurizer(&self) -> Featurizer {
        self.featurizer
    }
    /// The L2 strengths searched.
    #[must_use]
    pub fn alphas(&self) -> &[f32] {
        &self.params.alphas
    }
    /// Number of folds.
    #[must_use]
    pub fn folds(&self) -> usize {
        self.params.folds
    }
    /// Vocabulary cap.
    #[must_use]
    pub fn vocab_size(&self) -> usize {
        self.params.vocab_size
    }
    /// Minimum document frequency.
    #[must_use]
    pub fn min_df(&self) -> u32 {
        self.params.min_df
    }
}

/// Featurized training documents: sorted `(hash, count)` pairs and labels.
#[derive(Debug, Clone)]
pub struct Docs {
    /// Feature counts per document.
    pub counts: Vec<Vec<(u32, u32)>>,
    /// Label per document.
    pub labels: Vec<Label>,
    /// Article of each paragraph, if any (see [`stratified_folds`]).
    pub groups: Vec<Option<String>>,
}

impl Docs {
    /// Featurizes records.
    #[must_use]
    pub fn new(records: &[Record], featurizer: &Featurizer) -> Self {
        Docs {
            counts: records.iter().map(|r| featurizer.counts(&r.text)).collect(),
            labels: records.iter().map(|r| r.label).collect(),
            groups: records.iter().map(|r| r.doc.clone()).collect(),
        }
    }
}

/// Picks the vocabulary from the documents `idx`: features in at least `min_df` of them, the
/// `vocab_size` most frequent (ties by hash, for determinism), with their document frequencies
/// (for idf) when the featurizer asks for it.
#[must_use]
pub fn select_vocabulary(docs: &Docs, idx: &[usize], params: &ValidTrainParams) -> Vocabulary {
    let mut df: HashMap<u32, u32> = HashMap::new();
    for &i in idx {
        for &(h, _) in &docs.counts[i] {
            *df.entry(h).or_default() += 1;
        }
    }
    let mut kept: Vec<(u32, u32)> = df
        .into_iter()
        .filter(|&(_, d)| d >= params.min_df())
        .collect();
    kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(params.vocab_size());
    kept.sort_unstable_by_key(|&(h, _)| h);
    let config = params.featurizer.config();
    let doc_freq = config.idf.then(|| DocFreq {
        df: kept
            .iter()
            .map(|&(_, d)| coarse_df(d, idx.len() as u32))
            .collect(),
        docs: idx.len() as u32,
    });
    Vocabulary::new(
        kept.into_iter().map(|(h, _)| h).collect(),
        doc_freq,
        config.sublinear_tf,
    )
    .expect("hashes are sorted and unique, idf positive")
}

/// Width of the grid [`coarse_df`] rounds `ln(1 + df)` to.
pub const DF_LOG_STEP: f64 = 0.1;

/// A document frequency rounded to the nearest point of a logarithmic grid (`ln(1 + df)` in
/// steps of [`DF_LOG_STEP`]), kept within `1..=docs`.
///
/// The model file stores document frequencies and gzip stores them at about their entropy:
/// exact ones (thousands of distinct values) took 42.7 KB of the gzipped model, grid values (79
/// possible between 1 and 10,616 documents) take 31.5 KB. The idf derived from a rounded
/// frequency is within 5 % of the exact one (half a step, on the log term only), and training
/// uses the rounded values too, so the model is fitted to exactly the weighting the browser
/// applies.
#[must_use]
pub fn coarse_df(df: u32, docs: u32) -> u32 {
    let k = ((1.0 + f64::from(df)).ln() / DF_LOG_STEP).round();
    let d = ((k * DF_LOG_STEP).exp() - 1.0).round();
    // `d` is finite and at least 0 (k >= 0); the clamp keeps it a valid frequency.
    (d as u32).clamp(1, docs.max(1))
}

/// The dense matrix linfa trains on: one row per document of `idx`, built with
/// [`Vocabulary::vectorize`], the function inference uses.
#[must_use]
pub fn dense_matrix(docs: &Docs, idx: &[usize], vocab: &Vocabulary) -> Array2<f32> {
    let mut x = Array2::<f32>::zeros((idx.len(), vocab.len()));
    for (row, &i) in idx.iter().enumerate() {
        for (col, v) in vocab.vectorize(&docs.counts[i]) {
            x[[row, col]] = v;
        }
    }
    x
}

/// One linfa fit on the documents `idx`; returns the shipped-format model (temperature 1),
/// linfa's own fitted model and the training matrix, so tests can compare the two predictors.
pub fn fit_with_linfa(
    docs: &Docs,
    idx: &[usize],
    alpha: f32,
    params: &ValidTrainParams,
) -> Result<(
    Model,
    MultiFittedLogisticRegression<f32, usize>,
    Array2<f32>,
)> {
    let vocab = select_vocabulary(docs, idx, params);
    if vocab.is_empty() {
        return Err(Error::InvalidParams(
            "no feature occurs in min_df documents: the training data is too small".into(),
        ));
    }
    let x = dense_matrix(docs, idx, &vocab);
    let y: Array1<usize> = idx.iter().map(|&i| docs.labels[i].index()).collect();
    for l in Label::ALL {
        if !y.iter().any(|&v| v == l.index()) {
            return Err(Error::InvalidParams(format!(
                "the training data has no {l} paragraph; every label needs examples"
            )));
        }
    }
    let dataset = DatasetBase::new(x, y);
    let fitted = MultiLogisticRegression::<f32>::default()
        .alpha(alpha)
        .max_iterations(params.params.max_iterations)
        .gradient_tolerance(params.params.gradient_tolerance)
        .fit(&dataset)?;
    // linfa sorts the classes it saw; all three are present, so class k is Label::ALL[k].
    debug_assert_eq!(fitted.classes(), &[0, 1, 2]);
    let w = fitted.params(); // n_features × n_classes
    let weights: Vec<f32> = w.iter().copied().collect();
    let b = fitted.intercept();
    let bias = [b[0], b[1], b[2]];
    let model = Model::new(params.featurizer, vocab, weights, bias, 1.0, String::new())?;
    Ok((model, fitted, dataset.records))
}

/// Stratified, grouped fold of every paragraph. Paragraphs of one article (same `group`) share a
/// fold, and articles take folds 0, 1, …, k−1 in turn in order of first appearance; stand-alone
/// paragraphs take folds in turn within their label. Each fold gets about the label mix of the
/// whole, and no article is split between training and test.
#[must_use]
pub fn stratified_folds(labels: &[Label], groups: &[Option<String>], k: usize) -> Vec<usize> {
    let mut seen = [0usize; N_CLASSES];
    let mut group_fold: HashMap<&str, usize> = HashMap::new();
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if let Some(Some(g)) = groups.get(i) {
                let next = group_fold.len() % k;
                return *group_fold.entry(g.as_str()).or_insert(next);
            }
            let f = seen[l.index()] % k;
            seen[l.index()] += 1;
            f
        })
        .collect()
}

/// Out-of-fold probabilities (temperature 1) of every document for one `alpha`. Folds are fitted
/// on all cores at once, independently (their matrix products may also share matrixmultiply's
/// pool, which pays for the single final fit); the result does not depend on the number of
/// threads.
pub fn cross_validate(
    docs: &Docs,
    alpha: f32,
    params: &ValidTrainParams,
    bar: &ProgressBar,
) -> Result<Vec<Probabilities>> {
    let k = params.folds();
    let folds = stratified_folds(&docs.labels, &docs.groups, k);
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(k);
    let fit_fold = |f: usize| -> Result<Vec<(usize, Probabilities)>> {
        let train: Vec<usize> = (0..folds.len()).filter(|&i| folds[i] != f).collect();
        let (model, _, _) = fit_with_linfa(docs, &train, alpha, params)?;
        bar.inc(1);
        Ok((0..folds.len())
            .filter(|&i| folds[i] == f)
            .map(|i| {
                (
                    i,
                    model.predict_vector(&model.vocabulary().vectorize(&docs.counts[i])),
                )
            })
            .collect())
    };
    let per_thread: Vec<Result<Vec<(usize, Probabilities)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for f in (t..k).step_by(threads) {
                        out.extend(fit_fold(f)?);
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::InvalidParams("a training thread panicked".into()))
                })
            })
            .collect()
    });
    let mut out = vec![Probabilities::default(); docs.labels.len()];
    for part in per_thread {
        for (i, p) in part? {
            out[i] = p;
        }
    }
    Ok(out)
}

/// The temperature minimising the negative log-likelihood of out-of-fold predictions
/// (golden-section search over ln T in [ln 0.05, ln 20]).
#[must_use]
pub fn fit_temperature(items: &[(Probabilities, Label)]) -> f32 {
    let logits: Vec<([f64; N_CLASSES], usize)> = items
        .iter()
        .map(|(p, l)| (p.to_array().map(|v| v.max(1e-12).ln()), l.index()))
        .collect();
    let nll = |log_t: f64| -> f64 {
        let t = log_t.exp();
        logits
            .iter()
            .map(|(z, y)| -softmax(*z, t)[*y].max(1e-300).ln())
            .sum()
    };
    let (mut a, mut b) = (0.05f64.ln(), 20f64.ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    for _ in 0..60 {
        if nll(c) < nll(d) {
            b = d;
        } else {
            a = c;
        }
        c = b - g * (b - a);
        d = a + g * (b - a);
    }
    f64::midpoint(a, b).exp() as f32
}

/// What cross-validation found.
#[derive(Debug, Clone)]
pub struct CvOutcome {
    /// Macro-F1 of out-of-fold predictions per alpha tried.
    pub alpha_scores: Vec<(f32, f64)>,
    /// The alpha kept.
    pub best_alpha: f32,
    /// Calibration temperature (1 when not calibrated).
    pub temperature: f32,
    /// ECE of out-of-fold predictions before calibration.
    pub ece_before: f64,
    /// ECE after calibration.
    pub ece_after: f64,
    /// Calibrated out-of-fold probabilities, in record order (each paragraph alone).
    pub oof: Vec<Probabilities>,
    /// Macro-F1 of the out-of-fold predictions of paragraphs that belong to an article, per
    /// context weight tried.
    pub context_scores: Vec<(f32, f64)>,
    /// The context weight kept.
    pub context_weight: f32,
    /// `oof` with each article's paragraphs contextualised with the kept weight.
    pub oof_in_context: Vec<Probabilities>,
}

/// Context weights tried; the smallest within [`CONTEXT_TIE`] of the best is kept.
const CONTEXT_WEIGHTS: [f32; 6] = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5];
/// Macro-F1 gains this small do not justify a stronger pull from the document.
const CONTEXT_TIE: f64 = 0.005;

/// `probs` with the paragraphs of each article (same group, two paragraphs or more)
/// contextualised with weight `beta`; stand-alone paragraphs unchanged.
#[must_use]
pub fn contextualize_groups(
    probs: &[Probabilities],
    groups: &[Option<String>],
    beta: f32,
) -> Vec<Probabilities> {
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate().take(probs.len()) {
        if let Some(g) = g {
            members.entry(g.as_str()).or_default().push(i);
        }
    }
    let mut out = probs.to_vec();
    for idx in members.values() {
        let ps: Vec<Probabilities> = idx.iter().map(|&i| probs[i]).collect();
        for (&i, p) in idx.iter().zip(contextualize(&ps, beta)) {
            out[i] = p;
        }
    }
    out
}

/// The context weight that maximises the macro-F1 of the article paragraphs' out-of-fold
/// predictions (the smallest within 0.005 of the best), with the score of each weight.
/// No article in the data: weight 0.
#[must_use]
pub fn fit_context_weight(
    probs: &[Probabilities],
    labels: &[Label],
    groups: &[Option<String>],
) -> (f32, Vec<(f32, f64)>) {
    let in_article: Vec<usize> = (0..labels.len())
        .filter(|&i| groups.get(i).is_some_and(Option::is_some))
        .collect();
    // Without out-of-fold predictions (no cross-validation) there is nothing to fit on.
    if in_article.is_empty() || probs.len() != labels.len() {
        return (0.0, Vec::new());
    }
    let scores: Vec<(f32, f64)> = CONTEXT_WEIGHTS
        .iter()
        .map(|&beta| {
            let c = contextualize_groups(probs, groups, beta);
            let items: Vec<(Probabilities, Label)> =
                in_article.iter().map(|&i| (c[i], labels[i])).collect();
            (beta, crate::metrics::Report::new(&items).macro_f1)
        })
        .collect();
    let best = scores.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    let beta = scores
        .iter()
        .find(|s| s.1 >= best - CONTEXT_TIE)
        .map_or(0.0, |s| s.0);
    (beta, scores)
}

/// Macro-F1 differences this small are noise between folds; the stronger L2 then wins, since a
/// smoother model carries better to real text than one tuned to the corpus.
const ALPHA_TIE: f64 = 0.002;

/// Cross-validates every alpha, keeps the best (by macro-F1; near-ties to the stronger L2), fits the
/// temperature on its out-of-fold predictions, then fits the final model on all documents.
pub fn train(
    records: &[Record],
    params: &ValidTrainParams,
    info: &str,
) -> Result<(Model, CvOutcome)> {
    let docs = Docs::new(records, &params.featurizer);
    let total = (params.alphas().len() * params.folds() + 1) as u64;
    let bar = if params.params.progress {
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template(
                "{msg:>14} [{bar:30}] {pos}/{len} fits, {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let mut alpha_scores = Vec::new();
    let mut best: Option<(f32, f64, Vec<Probabilities>)> = None;
    for &alpha in params.alphas() {
        bar.set_message(format!("alpha {alpha}"));
        let oof = if params.alphas().len() > 1 || params.params.calibrate {
            cross_validate(&docs, alpha, params, &bar)?
        } else {
            Vec::new()
        };
        let items: Vec<(Probabilities, Label)> = oof
            .iter()
            .copied()
            .zip(docs.labels.iter().copied())
            .collect();
        let f1 = crate::metrics::Report::new(&items).macro_f1;
        alpha_scores.push((alpha, f1));
        if best
            .as_ref()
            .is_none_or(|b| f1 > b.1 + ALPHA_TIE || ((f1 - b.1).abs() <= ALPHA_TIE && alpha > b.0))
        {
            best = Some((alpha, f1, oof));
        }
    }
    let (best_alpha, _, oof) = best.expect("alphas is non-empty");
    let items: Vec<(Probabilities, Label)> = oof
        .iter()
        .copied()
        .zip(docs.labels.iter().copied())
        .collect();
    let ece_before = expected_calibration_error(&items, 10);
    let temperature = if params.params.calibrate && !items.is_empty() {
        fit_temperature(&items)
    } else {
        1.0
    };
    let oof: Vec<Probabilities> = oof
        .iter()
        .map(|p| {
            Probabilities::from_array(softmax(
                p.to_array().map(|v| v.max(1e-12).ln()),
                f64::from(temperature),
            ))
        })
        .collect();
    let calibrated: Vec<(Probabilities, Label)> = oof
        .iter()
        .copied()
        .zip(docs.labels.iter().copied())
        .collect();
    let ece_after = expected_calibration_error(&calibrated, 10);
    let (context_weight, context_scores) = fit_context_weight(&oof, &docs.labels, &docs.groups);
    let oof_in_context = contextualize_groups(&oof, &docs.groups, context_weight);

    bar.set_message("final fit");
    let all: Vec<usize> = (0..records.len()).collect();
    let (model, _, _) = fit_with_linfa(&docs, &all, best_alpha, params)?;
    bar.inc(1);
    bar.finish_and_clear();
    let model = model.with_calibration(temperature, context_weight, info.to_string())?;
    Ok((
        model,
        CvOutcome {
            alpha_scores,
            best_alpha,
            temperature,
            ece_before,
            ece_after,
            oof,
            context_scores,
            context_weight,
            oof_in_context,
        },
    ))
}
