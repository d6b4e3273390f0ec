//! The training corpus (`model/corpus/`): schema, balance, no duplicates, and no shortcut that
//! separates the labels without reading the stance (length alone, or the 100 most frequent words).
#![cfg(feature = "train")]

mod common;

use std::collections::{HashMap, HashSet};

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use stance::Label;
use stance::metrics::ConfusionMatrix;
use stance::train::{Record, read_data, stratified_folds};

fn corpus() -> Vec<Record> {
    read_data(&common::root().join("model/corpus")).unwrap()
}

fn words(t: &str) -> Vec<String> {
    t.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[test]
fn every_record_is_complete_and_balanced() {
    let rs = corpus();
    let mut cells: HashMap<(Label, &str), usize> = HashMap::new();
    for r in &rs {
        let lang = r.lang.as_deref().expect("every record has a lang");
        assert!(lang == "fr" || lang == "en", "lang {lang}");
        assert!(
            r.topic.is_some() && r.genre.is_some(),
            "topic and genre: {:?}",
            r.text
        );
        *cells.entry((r.label, lang)).or_default() += 1;
    }
    println!(
        "corpus: {} paragraphs; per label x language: {cells:?}",
        rs.len()
    );
    assert!(rs.len() >= 4000, "{} paragraphs", rs.len());
    for l in Label::ALL {
        for lang in ["fr", "en"] {
            let n = cells.get(&(l, lang)).copied().unwrap_or(0);
            assert!(
                n >= 600,
                "{l}/{lang}: {n} paragraphs, the brief asks for at least 600"
            );
        }
    }
}

#[test]
fn no_duplicates_or_near_duplicates() {
    let rs = corpus();
    let mut exact: HashSet<String> = HashSet::new();
    for r in &rs {
        assert!(
            exact.insert(words(&r.text).join(" ")),
            "duplicate: {:?}",
            r.text
        );
    }
    // Near duplicates: word 5-gram shingles, Jaccard >= 0.6 between paragraphs of 12+ words.
    let shingles: Vec<HashSet<String>> = rs
        .iter()
        .map(|r| {
            let w = words(&r.text);
            if w.len() < 12 {
                return HashSet::new();
            }
            w.windows(5).map(|g| g.join(" ")).collect()
        })
        .collect();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in shingles.iter().enumerate() {
        for g in s {
            index.entry(g.as_str()).or_default().push(i);
        }
    }
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    for ids in index.values().filter(|v| v.len() > 1 && v.len() < 50) {
        for (k, &a) in ids.iter().enumerate() {
            for &b in &ids[k + 1..] {
                *shared.entry((a, b)).or_default() += 1;
            }
        }
    }
    for ((a, b), n) in shared {
        let j = n as f64 / (shingles[a].len() + shingles[b].len() - n) as f64;
        assert!(
            j < 0.6,
            "near duplicates ({j:.2}):\n  {:?}\n  {:?}",
            rs[a].text,
            rs[b].text
        );
    }
}

/// Cross-validated macro-F1 of a logistic regression on the given dense features.
fn cv_macro_f1(x: &Array2<f32>, labels: &[Label], groups: &[Option<String>]) -> f64 {
    let folds = stratified_folds(labels, groups, 5);
    let mut pairs = Vec::new();
    for f in 0..5 {
        let train: Vec<usize> = (0..labels.len()).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..labels.len()).filter(|&i| folds[i] == f).collect();
        let xt = x.select(ndarray::Axis(0), &train);
        let yt: Array1<usize> = train.iter().map(|&i| labels[i].index()).collect();
        let m = MultiLogisticRegression::<f32>::default()
            .alpha(1.0)
            .max_iterations(100)
            .fit(&DatasetBase::new(xt, yt))
            .unwrap();
        let p = m.predict_probabilities(&x.select(ndarray::Axis(0), &test));
        for (row, &i) in test.iter().enumerate() {
            let pred = (0..3)
                .max_by(|&a, &b| p[[row, a]].total_cmp(&p[[row, b]]))
                .unwrap();
            pairs.push((labels[i], Label::ALL[pred]));
        }
    }
    ConfusionMatrix::from_pairs(pairs).macro_f1()
}

#[test]
fn length_and_frequent_words_alone_do_little_better_than_chance() {
    let rs = corpus();
    let labels: Vec<Label> = rs.iter().map(|r| r.label).collect();
    let groups: Vec<Option<String>> = rs.iter().map(|r| r.doc.clone()).collect();
    // Length: log word count and log character count, plus 8 length buckets.
    let mut x = Array2::<f32>::zeros((rs.len(), 10));
    for (i, r) in rs.iter().enumerate() {
        let w = words(&r.text).len() as f32;
        x[[i, 0]] = (1.0 + w).ln();
        x[[i, 1]] = (1.0 + r.text.chars().count() as f32).ln() / 2.0;
        let bucket = [5.0, 10.0, 15.0, 25.0, 40.0, 60.0, 90.0]
            .iter()
            .filter(|&&b| w > b)
            .count();
        x[[i, 2 + bucket]] = 1.0;
    }
    let f1_len = cv_macro_f1(&x, &labels, &groups);

    // The 100 most frequent words of the corpus, as normalised counts.
    let mut freq: HashMap<String, usize> = HashMap::new();
    for r in &rs {
        for w in words(&r.text) {
            *freq.entry(w).or_default() += 1;
        }
    }
    let mut top: Vec<(String, usize)> = freq.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let col: HashMap<&str, usize> = top
        .iter()
        .take(100)
        .enumerate()
        .map(|(i, (w, _))| (w.as_str(), i))
        .collect();
    let mut x = Array2::<f32>::zeros((rs.len(), 100));
    for (i, r) in rs.iter().enumerate() {
        let ws = words(&r.text);
        for w in &ws {
            if let Some(&c) = col.get(w.as_str()) {
                x[[i, c]] += 1.0 / ws.len() as f32;
            }
        }
    }
    let f1_top = cv_macro_f1(&x, &labels, &groups);
    println!(
        "shortcut check: macro-F1 on length alone {f1_len:.3}, on the 100 most frequent words {f1_top:.3} (chance 0.333)"
    );
    eprintln!("shortcut check: length {f1_len:.3}, top-100 words {f1_top:.3}");
    assert!(
        f1_len < 0.42,
        "length alone separates the labels: macro-F1 {f1_len:.3}"
    );
    assert!(
        f1_top < 0.55,
        "the 100 most frequent words separate the labels: macro-F1 {f1_top:.3}"
    );
}
