//! `stance`: train, evaluate and run the stance model from the command line.
//!
//! Errors go to stderr with a non-zero exit status; nothing panics on bad input.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;
use stance::features::FeaturizerParams;
use stance::metrics::Report;
use stance::model::Probabilities;
use stance::train::{self, Record, TrainParams};
use stance::{Classifier, ClassifyParams, Error, Label, Model};

#[derive(Parser)]
#[command(
    name = "stance",
    version,
    about = "Paragraph-level stance classifier (pro_moscow / pro_washington / neutral)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model on labelled JSONL paragraphs, choosing the L2 strength by cross-validation.
    Train(TrainArgs),
    /// Evaluate a model on labelled data: macro-F1, per-class P/R/F1, confusion matrix.
    Eval(EvalArgs),
    /// Classify text from stdin: plain text (split into paragraphs) or JSONL records.
    Classify(ClassifyArgs),
    /// Export a fixed train/test split as feature matrices (.npy) and texts, for comparisons with
    /// other trainers (`./build.sh bench`); with --fit, also time linfa's fit on it.
    Export(ExportArgs),
}

#[derive(clap::Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent command-line switch"
)]
struct TrainArgs {
    /// Training data: JSONL files or directories of them (e.g. model/corpus).
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Extra training data (e.g. ../shared/data/real/*.jsonl), recorded separately in the model card.
    #[arg(long, num_args = 1..)]
    extra: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long, default_value = "model/stance.model")]
    out: PathBuf,
    /// Where to write the metrics (JSON); evaluation sets below are scored into it.
    #[arg(long)]
    metrics: Option<PathBuf>,
    /// Held-out sets to score the final model on (JSONL files, directories, or a seeds labels.tsv).
    /// Missing paths are reported and skipped.
    #[arg(long, num_args = 1..)]
    eval: Vec<PathBuf>,
    /// Write the out-of-fold cross-validation probabilities here (JSONL, one line per training
    /// paragraph, in input order), for analysis.
    #[arg(long)]
    oof: Option<PathBuf>,
    /// Vocabulary cap (columns).
    #[arg(long, default_value_t = 20_000)]
    vocab: usize,
    /// Minimum document frequency of a feature.
    #[arg(long, default_value_t = 2)]
    min_df: u32,
    /// L2 strengths to cross-validate.
    #[arg(long, num_args = 1.., default_values_t = [0.1f32, 0.3, 1.0, 3.0])]
    alpha: Vec<f32>,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Longest word n-gram.
    #[arg(long, default_value_t = 2)]
    word_ngrams: u8,
    /// Character n-gram range, e.g. 3-5 (0-0 disables them).
    #[arg(long, default_value = "3-5")]
    char_ngrams: String,
    /// Hash space bits.
    #[arg(long, default_value_t = 24)]
    hash_bits: u8,
    /// Disable idf weighting.
    #[arg(long)]
    no_idf: bool,
    /// Disable quotation-mark and !/? tokens.
    #[arg(long)]
    no_punctuation: bool,
    /// Keep spelling variants of names apart (Kyiv/Kiev, Luhansk/Lugansk...).
    #[arg(long)]
    no_aliases: bool,
    /// L-BFGS iteration cap.
    #[arg(long, default_value_t = 200)]
    max_iterations: u64,
    /// Weight storage: i8 (per-class scale, 4x smaller; the shipped model) or f32 (exact).
    #[arg(long, default_value = "i8", value_parser = ["i8", "f32"])]
    weights: String,
    /// Do not calibrate probabilities.
    #[arg(long)]
    no_calibrate: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Labelled data: JSONL files, directories of them, or a seeds labels.tsv. Missing paths are
    /// reported and skipped.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Model file (default: the embedded model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ClassifyArgs {
    /// Model file (default: the embedded model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Read one {"text": ...} object per line; write one result per line, in order.
    #[arg(long)]
    jsonl: bool,
    /// Reasons per paragraph (plain text mode).
    #[arg(long, default_value_t = 5)]
    reasons: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(a) => run_train(&a),
        Command::Eval(a) => run_eval(&a),
        Command::Classify(a) => run_classify(&a),
        Command::Export(a) => run_export(&a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("stance: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn load_model(path: Option<&Path>) -> stance::Result<Model> {
    match path {
        Some(p) => Model::from_bytes(&std::fs::read(p).map_err(|e| Error::io(p.display(), e))?),
        None => Model::from_bytes(stance::classifier::EMBEDDED_MODEL),
    }
}

fn read_all(paths: &[PathBuf]) -> stance::Result<Vec<Record>> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(train::read_data(p)?);
    }
    Ok(out)
}

fn parse_range(s: &str) -> stance::Result<(u8, u8)> {
    let bad = || {
        Error::InvalidParams(format!(
            "character n-gram range must look like 3-5, got {s:?}"
        ))
    };
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    Ok((
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    ))
}

/// Metrics of one evaluation set, overall and per language.
#[derive(Serialize)]
struct SetReport {
    name: String,
    overall: Report,
    by_lang: Vec<(String, Report)>,
}

fn set_report(name: &str, records: &[Record], probs: &[Probabilities]) -> SetReport {
    let items: Vec<(Probabilities, Label)> = probs
        .iter()
        .copied()
        .zip(records.iter().map(|r| r.label))
        .collect();
    let mut langs: Vec<String> = records.iter().filter_map(|r| r.lang.clone()).collect();
    langs.sort();
    langs.dedup();
    let by_lang = langs
        .into_iter()
        .map(|l| {
            let sub: Vec<(Probabilities, Label)> = items
                .iter()
                .zip(records)
                .filter(|(_, r)| r.lang.as_deref() == Some(l.as_str()))
                .map(|(i, _)| *i)
                .collect();
            (l, Report::new(&sub))
        })
        .collect();
    SetReport {
        name: name.to_string(),
        overall: Report::new(&items),
        by_lang,
    }
}

fn print_report(r: &SetReport) {
    println!("== {} ==", r.name);
    print!("{}", r.overall.to_text());
    if r.by_lang.len() > 1 {
        for (l, rep) in &r.by_lang {
            println!("-- {} / {l} --", r.name);
            print!("{}", rep.to_text());
        }
    }
}

/// Scores `model` on each readable path, one report per file (a directory gives one per JSONL file
/// in it); missing paths are reported on stderr and skipped, so the same command works in a user's
/// clone without `../shared`.
fn evaluate_paths(model: &Model, paths: &[PathBuf]) -> stance::Result<Vec<SetReport>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.exists() {
            eprintln!("stance: skipping {}: not found", p.display());
            continue;
        }
        for file in train::data_files(p)? {
            let records = train::read_data(&file)?;
            let probs: Vec<Probabilities> =
                records.iter().map(|r| model.predict(&r.text)).collect();
            let name = file.display().to_string();
            out.push(set_report(&name, &records, &probs));
            // Sets of whole articles are also scored as the product reads them: each paragraph in
            // the context of its article.
            if model.context_weight() > 0.0 && records.iter().any(|r| r.doc.is_some()) {
                let groups: Vec<Option<String>> = records.iter().map(|r| r.doc.clone()).collect();
                let in_context =
                    train::contextualize_groups(&probs, &groups, model.context_weight());
                out.push(set_report(
                    &format!("{name} (in context)"),
                    &records,
                    &in_context,
                ));
            }
        }
    }
    Ok(out)
}

/// The checked training parameters the command line asks for.
fn train_params(a: &TrainArgs) -> stance::Result<train::ValidTrainParams> {
    let (cmin, cmax) = parse_range(&a.char_ngrams)?;
    TrainParams::new()
        .featurizer(
            FeaturizerParams::new()
                .word_ngrams(a.word_ngrams)
                .char_ngrams(cmin, cmax)
                .hash_bits(a.hash_bits)
                .idf(!a.no_idf)
                .punctuation(!a.no_punctuation)
                .aliases(!a.no_aliases),
        )
        .vocab_size(a.vocab)
        .min_df(a.min_df)
        .alphas(a.alpha.clone())
        .folds(a.folds)
        .max_iterations(a.max_iterations)
        .calibrate(!a.no_calibrate)
        .progress(!a.quiet)
        .check()
}

/// Out-of-fold probabilities as JSONL, one line per training paragraph, for analysis.
fn write_oof(path: &Path, records: &[Record], oof: &[Probabilities]) -> stance::Result<()> {
    let mut lines = String::new();
    for (r, p) in records.iter().zip(oof) {
        let line = serde_json::json!({
            "label": r.label, "lang": r.lang, "doc": r.doc, "topic": r.topic, "genre": r.genre,
            "probabilities": p, "text": r.text,
        });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    std::fs::write(path, lines).map_err(|e| Error::io(path.display(), e))
}

fn run_train(a: &TrainArgs) -> stance::Result<ExitCode> {
    let params = train_params(a)?;
    let corpus = read_all(&a.data)?;
    let extra = read_all(&a.extra)?;
    let mut records = corpus.clone();
    records.extend(extra.iter().cloned());
    eprintln!(
        "stance: training on {} paragraphs ({} corpus + {} extra)",
        records.len(),
        corpus.len(),
        extra.len()
    );
    let data_names = |ps: &[PathBuf]| {
        ps.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    let info = serde_json::json!({
        "trained_on": data_names(&a.data),
        "extra": data_names(&a.extra),
        "paragraphs": records.len(),
        "corpus_checksum": format!("{:08x}", stance::model::crc32(records.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n").as_bytes())),
        "vocab_cap": a.vocab,
        "min_df": a.min_df,
        "alphas": a.alpha,
        "folds": a.folds,
        "tool": concat!("stance ", env!("CARGO_PKG_VERSION")),
    });
    let (model, cv) = train::train(&records, &params, &info.to_string())?;
    let model = if a.weights == "i8" {
        model.quantized()
    } else {
        model
    };
    let bytes = model.to_bytes();
    std::fs::write(&a.out, &bytes).map_err(|e| Error::io(a.out.display(), e))?;
    eprintln!(
        "stance: wrote {} ({} bytes, {} features, alpha {}, temperature {:.3})",
        a.out.display(),
        bytes.len(),
        model.vocabulary().len(),
        cv.best_alpha,
        cv.temperature
    );
    for (alpha, f1) in &cv.alpha_scores {
        eprintln!("  cv alpha {alpha:<6} macro-F1 {f1:.4}");
    }
    for (beta, f1) in &cv.context_scores {
        eprintln!("  cv context weight {beta:<5} macro-F1 of article paragraphs {f1:.4}");
    }
    if let Some(path) = &a.oof {
        write_oof(path, &records, &cv.oof)?;
    }
    // Without a search or calibration there is no cross-validation to report.
    let cv_report = (!cv.oof.is_empty()).then(|| set_report("cross-validation", &records, &cv.oof));
    if let Some(r) = &cv_report {
        print_report(r);
    }
    let cv_in_context = (!cv.oof.is_empty() && cv.context_weight > 0.0).then(|| {
        set_report(
            "cross-validation (in context)",
            &records,
            &cv.oof_in_context,
        )
    });
    if let Some(r) = &cv_in_context {
        print_report(r);
    }
    let sets = evaluate_paths(&model, &a.eval)?;
    for s in &sets {
        print_report(s);
    }
    if let Some(path) = &a.metrics {
        let json = serde_json::json!({
            "model_bytes": bytes.len(),
            "features": model.vocabulary().len(),
            "alpha": cv.best_alpha,
            "alpha_scores": cv.alpha_scores,
            "temperature": cv.temperature,
            "ece_before_calibration": cv.ece_before,
            "ece_after_calibration": cv.ece_after,
            "context_weight": cv.context_weight,
            "context_scores": cv.context_scores,
            "cross_validation_in_context": cv_in_context,
            "training": info,
            "cross_validation": cv_report,
            "eval": sets,
        });
        let text = serde_json::to_string_pretty(&json).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|e| Error::io(path.display(), e))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_eval(a: &EvalArgs) -> stance::Result<ExitCode> {
    let model = load_model(a.model.as_deref())?;
    let sets = evaluate_paths(&model, &a.data)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&sets).unwrap_or_default()
        );
    } else {
        for s in &sets {
            print_report(s);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct JsonlOut<'a> {
    label: Label,
    probabilities: Probabilities,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct JsonlError<'a> {
    error: String,
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a serde_json::Value>,
}

fn run_classify(a: &ClassifyArgs) -> stance::Result<ExitCode> {
    let model = load_model(a.model.as_deref())?;
    let classifier =
        Classifier::new(model).with_params(ClassifyParams::new().max_reasons(a.reasons))?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let write_err = |e: std::io::Error| Error::io("stdout", e);
    if a.jsonl {
        // Streaming: one record at a time, so input of any size runs in bounded memory; a bad
        // record gives an error line with its line number and the rest still run.
        let stdin = std::io::stdin();
        let mut failed = 0usize;
        let mut buf = Vec::new();
        let mut reader = stdin.lock();
        let mut lineno = 0usize;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io("stdin", e))?;
            if n == 0 {
                break;
            }
            lineno += 1;
            let line = match std::str::from_utf8(&buf) {
                Ok(s) => s.trim(),
                Err(e) => {
                    failed += 1;
                    let err = JsonlError {
                        error: Error::InvalidUtf8 {
                            offset: e.valid_up_to(),
                        }
                        .to_string(),
                        line: lineno,
                        id: None,
                    };
                    writeln!(out, "{}", serde_json::to_string(&err).unwrap_or_default())
                        .map_err(write_err)?;
                    continue;
                }
            };
            if line.is_empty() {
                continue;
            }
            let value: Result<serde_json::Value, String> =
                serde_json::from_str(line).map_err(|e| format!("bad JSON: {e}"));
            let id = value.as_ref().ok().and_then(|v| v.get("id"));
            let result = value.as_ref().map_err(Clone::clone).and_then(|v| {
                let text = v
                    .get("text")
                    .and_then(serde_json::Value::as_str)
                    .ok_or_else(|| "expected an object with a string field \"text\"".to_string())?;
                classifier.classify_one(text).map_err(|e| e.to_string())
            });
            let json = match result {
                Ok(p) => serde_json::to_string(&JsonlOut {
                    label: p.label,
                    probabilities: p.probabilities,
                    id,
                }),
                Err(error) => {
                    failed += 1;
                    serde_json::to_string(&JsonlError {
                        error,
                        line: lineno,
                        id,
                    })
                }
            };
            writeln!(out, "{}", json.unwrap_or_default()).map_err(write_err)?;
        }
        out.flush().map_err(write_err)?;
        if failed > 0 {
            eprintln!("stance: {failed} of {lineno} lines failed (see the \"error\" lines)");
            return Ok(ExitCode::from(2));
        }
        return Ok(ExitCode::SUCCESS);
    }
    classify_stream(&classifier, &mut std::io::stdin().lock(), &mut out)?;
    out.flush().map_err(write_err)?;
    Ok(ExitCode::SUCCESS)
}

/// Plain text is read and classified in chunks of about this many bytes, cut after a line break,
/// so memory stays bounded whatever the input's size (a single longer line is one chunk).
const CHUNK_BYTES: usize = 1 << 20;

/// Classifies plain text from `input` chunk by chunk, writing each paragraph as soon as its chunk
/// is done: offsets are in the whole text (each chunk starts at the running UTF-16 offset), and
/// each chunk is its paragraphs' document for the model's document context (as in the page's
/// worker); an input under `CHUNK_BYTES` is one chunk, so it gets exactly `Classifier::classify`'s
/// result. The whole text is "empty"
/// when every chunk is blank; the binary-data rule of `text::check_input` is applied to the text
/// up to the end of the first non-blank chunk (a sample of at least `CHUNK_BYTES`, or all of a
/// smaller input), before any paragraph is written. Invalid UTF-8 stops the run with its byte
/// offset in the whole input.
fn classify_stream(
    classifier: &Classifier,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> stance::Result<()> {
    let mut chunk = Vec::with_capacity(CHUNK_BYTES + 4096);
    let (mut bytes_before, mut utf16_before) = (0usize, 0usize);
    // Binary-data counts of the sample so far; None once the sample has passed.
    let mut sample = Some((0usize, 0usize));
    loop {
        chunk.clear();
        // Whole lines until the chunk is big enough: a cut after '\n' is always between
        // paragraphs, and between characters, so each chunk is valid UTF-8 on its own.
        while chunk.len() < CHUNK_BYTES {
            let n = input
                .read_until(b'\n', &mut chunk)
                .map_err(|e| Error::io("stdin", e))?;
            if n == 0 {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let text = std::str::from_utf8(&chunk).map_err(|e| Error::InvalidUtf8 {
            offset: bytes_before + e.valid_up_to(),
        })?;
        if let Some((control, total)) = &mut sample {
            stance::text::check_size(text)?;
            let (c, t) = stance::text::binary_counts(text);
            (*control, *total) = (*control + c, *total + t);
            // Not blank (`text::check_input`'s "empty"): the sample is complete.
            if !text.chars().all(|c| c.is_whitespace() || c.is_control()) {
                if *control * 10 > *total {
                    return Err(Error::BinaryInput {
                        control: *control,
                        total: *total,
                    });
                }
                sample = None;
            }
        }
        for p in classifier.classify_chunk(text, utf16_before)? {
            writeln!(out, "{}", serde_json::to_string(&p).unwrap_or_default())
                .map_err(|e| Error::io("stdout", e))?;
        }
        bytes_before += chunk.len();
        utf16_before += stance::text::utf16_len(text);
    }
    if sample.is_none() {
        Ok(())
    } else {
        Err(Error::EmptyInput)
    }
}

#[derive(clap::Args)]
struct ExportArgs {
    /// Labelled data: JSONL files or directories of them (e.g. model/corpus).
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Vocabulary cap (columns), as in `train`.
    #[arg(long, default_value_t = 20_000)]
    vocab: usize,
    /// Minimum document frequency, as in `train`.
    #[arg(long, default_value_t = 2)]
    min_df: u32,
    /// Folds of the grouped, stratified split (as in cross-validation); fold 0 is the test set.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Time linfa's fit on the exported training matrix and score it on the test matrix.
    #[arg(long)]
    fit: bool,
    /// L2 strength of the fit (linfa's alpha; scikit-learn's C is 1 / alpha).
    #[arg(long, default_value_t = 1.0)]
    alpha: f32,
    /// Timed fits; the median is reported.
    #[arg(long, default_value_t = 1)]
    repeats: usize,
    /// L-BFGS iteration cap.
    #[arg(long, default_value_t = 200)]
    max_iterations: u64,
    /// L-BFGS gradient tolerance.
    #[arg(long, default_value_t = 1e-4)]
    gradient_tolerance: f32,
}

/// Writes a 1-D little-endian `.npy` array (format 1.0) of `n` items, `dtype` like `<f4`.
fn write_npy(path: &Path, dtype: &str, n: usize, data: &[u8]) -> stance::Result<()> {
    let mut header = format!("{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({n},), }}");
    // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut b = Vec::with_capacity(10 + header.len() + data.len());
    b.extend_from_slice(b"\x93NUMPY\x01\x00");
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(data);
    std::fs::write(path, b).map_err(|e| Error::io(path.display(), e))
}

/// The rows `idx` as a CSR matrix in `dir/{name}_{data,indices,indptr}.npy` (f32, u32, u64),
/// each row exactly [`stance::model::Vocabulary::vectorize`]'s vector, as training sees it.
fn write_csr(
    dir: &Path,
    name: &str,
    docs: &train::Docs,
    idx: &[usize],
    vocab: &stance::model::Vocabulary,
) -> stance::Result<usize> {
    let (mut data, mut indices, mut indptr) = (Vec::new(), Vec::new(), vec![0u64]);
    for &i in idx {
        for (col, v) in vocab.vectorize(&docs.counts[i]) {
            data.extend_from_slice(&v.to_le_bytes());
            indices.extend_from_slice(&(col as u32).to_le_bytes());
        }
        indptr.push((indices.len() / 4) as u64);
    }
    let nnz = indices.len() / 4;
    let ptr: Vec<u8> = indptr.iter().flat_map(|v| v.to_le_bytes()).collect();
    let file = |part: &str| dir.join(format!("{name}_{part}.npy"));
    write_npy(&file("data"), "<f4", nnz, &data)?;
    write_npy(&file("indices"), "<u4", nnz, &indices)?;
    write_npy(&file("indptr"), "<u8", indptr.len(), &ptr)?;
    Ok(nnz)
}

/// Labels (`<u1`, [`Label::index`]) and fastText lines (`__label__NAME text`) of the rows `idx`.
fn write_labels_and_text(
    dir: &Path,
    name: &str,
    records: &[Record],
    idx: &[usize],
) -> stance::Result<()> {
    use std::fmt::Write as _;
    let y: Vec<u8> = idx
        .iter()
        .map(|&i| records[i].label.index() as u8)
        .collect();
    write_npy(&dir.join(format!("{name}_y.npy")), "<u1", idx.len(), &y)?;
    let mut lines = String::new();
    for &i in idx {
        let text: Vec<&str> = records[i].text.split_whitespace().collect();
        let _ = writeln!(lines, "__label__{} {}", records[i].label, text.join(" "));
    }
    let path = dir.join(format!("{name}.txt"));
    std::fs::write(&path, lines).map_err(|e| Error::io(path.display(), e))
}

/// `stance export`: the split, its matrices and texts, and with `--fit` linfa's fit time and
/// held-out macro-F1 on it, as one JSON object on stdout.
fn run_export(a: &ExportArgs) -> stance::Result<ExitCode> {
    use linfa::DatasetBase;
    use linfa::traits::Fit;
    use ndarray::Array1;

    let params = TrainParams::new()
        .vocab_size(a.vocab)
        .min_df(a.min_df)
        .alphas(vec![a.alpha])
        .folds(a.folds)
        .max_iterations(a.max_iterations)
        .gradient_tolerance(a.gradient_tolerance)
        .check()?;
    let records = read_all(&a.data)?;
    let docs = train::Docs::new(&records, &params.featurizer());
    let folds = train::stratified_folds(&docs.labels, &docs.groups, a.folds);
    let test: Vec<usize> = (0..records.len()).filter(|&i| folds[i] == 0).collect();
    let train_idx: Vec<usize> = (0..records.len()).filter(|&i| folds[i] != 0).collect();
    let vocab = train::select_vocabulary(&docs, &train_idx, &params);
    std::fs::create_dir_all(&a.out).map_err(|e| Error::io(a.out.display(), e))?;
    let nnz_train = write_csr(&a.out, "train", &docs, &train_idx, &vocab)?;
    let nnz_test = write_csr(&a.out, "test", &docs, &test, &vocab)?;
    write_labels_and_text(&a.out, "train", &records, &train_idx)?;
    write_labels_and_text(&a.out, "test", &records, &test)?;
    let mut out = serde_json::json!({
        "train_rows": train_idx.len(),
        "test_rows": test.len(),
        "cols": vocab.len(),
        "nnz_train": nnz_train,
        "nnz_test": nnz_test,
        "alpha": a.alpha,
        "max_iterations": a.max_iterations,
        "gradient_tolerance": a.gradient_tolerance,
        "labels": Label::ALL,
    });
    let meta = a.out.join("meta.json");
    std::fs::write(&meta, out.to_string() + "\n").map_err(|e| Error::io(meta.display(), e))?;
    if a.fit {
        let x = train::dense_matrix(&docs, &train_idx, &vocab);
        let y: Array1<usize> = train_idx.iter().map(|&i| docs.labels[i].index()).collect();
        let dataset = DatasetBase::new(x, y);
        let mut times = Vec::new();
        let mut fitted = None;
        for _ in 0..a.repeats.max(1) {
            let t = std::time::Instant::now();
            let f = linfa_logistic::MultiLogisticRegression::<f32>::default()
                .alpha(a.alpha)
                .max_iterations(a.max_iterations)
                .gradient_tolerance(a.gradient_tolerance)
                .fit(&dataset)?;
            times.push(t.elapsed().as_secs_f64());
            fitted = Some(f);
        }
        let fitted = fitted.expect("at least one fit");
        let p = fitted.predict_probabilities(&train::dense_matrix(&docs, &test, &vocab));
        let items: Vec<(Probabilities, Label)> = p
            .rows()
            .into_iter()
            .zip(&test)
            .map(|(r, &i)| {
                let probs = [f64::from(r[0]), f64::from(r[1]), f64::from(r[2])];
                (Probabilities::from_array(probs), docs.labels[i])
            })
            .collect();
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        out["train_s_linfa_runs"] = serde_json::json!(times);
        out["train_s_linfa"] = serde_json::json!(sorted[sorted.len() / 2]);
        out["macro_f1_linfa"] = serde_json::json!(Report::new(&items).macro_f1);
    }
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}
