//! Native inference benchmarks (criterion), the native half of `./build.sh bench`.
//!
//! * `paragraph/*`: a fixed sample of corpus paragraphs, one iteration classifying all of them,
//!   so time per paragraph is the estimate divided by [`SAMPLE`]: `segment` (paragraph splitting
//!   alone), `featurize` (tokens + hashed n-gram counts), `predict` (featurize + vectorize +
//!   logits + softmax: the CLI's `eval` path) and `classify` (predict + per-term reasons: what the
//!   page and `stance classify` run).
//! * `text_5mb/classify`: the fixed ~5 MB text, classified in the page's chunk size, as bytes/s.
//!
//! The texts are built here from `model/corpus` (see [`bench_text`]), deterministically. With
//! `STANCE_BENCH_OUT=DIR`, the run also writes `DIR/bench-5mb.txt` (the exact text, for the browser
//! page) and `DIR/native.json` (per-paragraph latency percentiles and a plain-timer MB/s, medians
//! of repeated passes), so `./build.sh bench` compares the browser with this very run.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use stance::{Classifier, text};

/// Size of the benchmark text in bytes (MB here means 10^6 bytes).
const TEXT_BYTES: usize = 5_000_000;
/// Paragraphs in the per-paragraph sample.
const SAMPLE: usize = 2000;
/// The page's chunk size (`www/lib/chunks.js`, in UTF-16 units; bytes here, close enough for
/// the mostly-Latin corpus: chunking only changes how often the per-call overhead is paid).
const CHUNK: usize = 32 * 1024;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("model/corpus")
}

/// Every corpus paragraph, files in name order, lines in file order.
fn corpus_paragraphs() -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("model/corpus is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let data = std::fs::read_to_string(&f).expect("corpus file is readable");
        for line in data.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
            if let Some(t) = v["text"].as_str() {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// The benchmark text: corpus paragraphs in order, cycling, separated by a blank line, as many
/// as fit in [`TEXT_BYTES`]. The browser page reads exactly this text (`bench-5mb.txt`).
fn bench_text(paragraphs: &[String]) -> String {
    let mut text = String::with_capacity(TEXT_BYTES);
    for p in paragraphs.iter().cycle() {
        if text.len() + p.len() + 2 > TEXT_BYTES {
            break;
        }
        text.push_str(p);
        text.push_str("\n\n");
    }
    text
}

/// The latency sample: [`SAMPLE`] lines of `text`, evenly spaced (the page picks the same ones).
fn sample_paragraphs(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
    let step = (lines.len() / SAMPLE).max(1);
    lines.iter().step_by(step).take(SAMPLE).copied().collect()
}

/// `[start, end)` byte ranges of about [`CHUNK`] bytes, each ending just after a `'\n'`.
fn chunks(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let from = (start + CHUNK).min(text.len());
        let end = match text.as_bytes()[from..].iter().position(|&b| b == b'\n') {
            Some(i) => from + i + 1,
            None => text.len(),
        };
        out.push((start, end));
        start = end;
    }
    out
}

/// Classifies the whole text chunk by chunk, as the page's worker does; returns the paragraphs.
fn classify_all(c: &Classifier, text: &str, bounds: &[(usize, usize)]) -> usize {
    let mut n = 0;
    for &(a, b) in bounds {
        n += c
            .classify_chunk(&text[a..b], a)
            .expect("benchmark text classifies")
            .len();
    }
    n
}

fn bench_paragraphs(c: &mut Criterion, classifier: &Classifier, sample: &[&str]) {
    let model = classifier.model();
    let joined = sample.join("\n");
    let mut g = c.benchmark_group("paragraph");
    g.throughput(Throughput::Elements(sample.len() as u64));
    g.sample_size(20);
    g.bench_function("segment", |b| {
        b.iter(|| text::paragraphs(black_box(&joined)).len());
    });
    g.bench_function("featurize", |b| {
        b.iter(|| {
            sample
                .iter()
                .map(|p| model.featurizer().counts(black_box(p)).len())
                .sum::<usize>()
        });
    });
    g.bench_function("predict", |b| {
        b.iter(|| {
            sample
                .iter()
                .map(|p| model.predict(black_box(p)).neutral)
                .sum::<f64>()
        });
    });
    g.bench_function("classify", |b| {
        b.iter(|| {
            sample
                .iter()
                .map(|p| {
                    classifier
                        .classify_one(black_box(p))
                        .map_or(0, |r| r.reasons.len())
                })
                .sum::<usize>()
        });
    });
    g.finish();
}

fn bench_text_5mb(c: &mut Criterion, classifier: &Classifier, text: &str) {
    let bounds = chunks(text);
    let mut g = c.benchmark_group("text_5mb");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(15));
    g.bench_function("classify", |b| {
        b.iter(|| classify_all(classifier, black_box(text), &bounds));
    });
    g.finish();
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i]
}

/// The plain-timer figures the browser page measures the same way: per-paragraph latency
/// percentiles (pooled over 5 passes) and the median MB/s of 5 passes over the 5 MB text.
fn write_native_json(out: &Path, classifier: &Classifier, text: &str, sample: &[&str]) {
    let bounds = chunks(text);
    classify_all(classifier, text, &bounds); // warm-up
    let mut mbps = Vec::new();
    let mut paragraphs = 0;
    for _ in 0..5 {
        let t = Instant::now();
        paragraphs = classify_all(classifier, text, &bounds);
        mbps.push(text.len() as f64 / 1e6 / t.elapsed().as_secs_f64());
    }
    let mut lat = Vec::with_capacity(sample.len() * 5);
    for _ in 0..5 {
        for p in sample {
            let t = Instant::now();
            black_box(classifier.classify_one(black_box(p)).ok());
            lat.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    lat.sort_by(f64::total_cmp);
    let json = serde_json::json!({
        "text_bytes": text.len(),
        "paragraphs": paragraphs,
        "mb_per_s_runs": mbps.clone(),
        "mb_per_s": median(&mut mbps),
        "latency_sample": sample.len(),
        "latency_p50_us": percentile(&lat, 50.0),
        "latency_p99_us": percentile(&lat, 99.0),
    });
    std::fs::write(out.join("native.json"), json.to_string() + "\n").expect("write native.json");
}

fn main() {
    let classifier = Classifier::embedded().expect("the embedded model loads");
    let paragraphs = corpus_paragraphs();
    let text = bench_text(&paragraphs);
    let sample = sample_paragraphs(&text);
    if let Some(dir) = std::env::var_os("STANCE_BENCH_OUT") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("create STANCE_BENCH_OUT");
        std::fs::write(dir.join("bench-5mb.txt"), &text).expect("write bench-5mb.txt");
        write_native_json(&dir, &classifier, &text, &sample);
    }
    let mut c = Criterion::default().configure_from_args();
    bench_paragraphs(&mut c, &classifier, &sample);
    bench_text_5mb(&mut c, &classifier, &text);
    c.final_summary();
}
