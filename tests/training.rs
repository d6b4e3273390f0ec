//! Training: determinism, the linfa parity of the shipped predictor, parameter checks.
#![cfg(feature = "train")]

mod common;

use linfa_logistic::MultiFittedLogisticRegression;
use ndarray::Array2;
use stance::features::FeaturizerParams;
use stance::model::contextualize;
use stance::train::{
    Docs, TrainParams, coarse_df, contextualize_groups, fit_context_weight, fit_with_linfa,
    stratified_folds, train,
};
use stance::{Label, Model, Probabilities};

fn quick_params() -> TrainParams {
    TrainParams::new()
        .vocab_size(3000)
        .alphas(vec![0.3, 3.0])
        .folds(3)
        .max_iterations(60)
}

#[test]
fn same_corpus_gives_byte_identical_model() {
    let records = common::small_corpus(40);
    let p = quick_params().check().unwrap();
    let (a, cv_a) = train(&records, &p, "{}").unwrap();
    let (b, cv_b) = train(&records, &p, "{}").unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    assert_eq!(cv_a.alpha_scores, cv_b.alpha_scores);
    assert_eq!(cv_a.temperature.to_bits(), cv_b.temperature.to_bits());
    // And the cross-validation produced a real choice among the alphas.
    assert_eq!(cv_a.alpha_scores.len(), 2);
    assert!(p.alphas().contains(&cv_a.best_alpha));
    assert!(cv_a.temperature > 0.0 && cv_a.temperature.is_finite());
}

#[test]
fn shipped_predictor_matches_linfa_probabilities() {
    let records = common::small_corpus(60);
    let p = quick_params().max_iterations(100).check().unwrap();
    let docs = Docs::new(&records, &p.featurizer());
    let idx: Vec<usize> = (0..records.len()).collect();
    let (model, fitted, x): (
        Model,
        MultiFittedLogisticRegression<f32, usize>,
        Array2<f32>,
    ) = fit_with_linfa(&docs, &idx, 1.0, &p).unwrap();
    let linfa_probs = fitted.predict_probabilities(&x);
    let mut worst = 0f64;
    for (row, r) in records.iter().enumerate() {
        // The shipped path: raw text -> featurizer -> vocabulary -> sparse dot -> softmax.
        let ours = model.predict(&r.text).to_array();
        for c in 0..3 {
            worst = worst.max((ours[c] - f64::from(linfa_probs[[row, c]])).abs());
        }
    }
    eprintln!(
        "largest |ours - linfa| over {} paragraphs: {worst:e}",
        records.len()
    );
    assert!(worst < 1e-5, "predictor differs from linfa by {worst}");
    // The model learnt something: it fits its own training data well.
    let right = records
        .iter()
        .filter(|r| model.predict(&r.text).label() == r.label)
        .count();
    assert!(
        right * 10 > records.len() * 8,
        "{right}/{} right on training data",
        records.len()
    );
}

#[test]
fn folds_are_stratified_and_cover_every_document() {
    let labels: Vec<Label> = (0..30).map(|i| Label::ALL[i % 3]).collect();
    let folds = stratified_folds(&labels, &[], 5);
    for f in 0..5 {
        for l in Label::ALL {
            let n = labels
                .iter()
                .zip(&folds)
                .filter(|(x, g)| **x == l && **g == f)
                .count();
            assert_eq!(n, 2, "fold {f} label {l}");
        }
    }
}

#[test]
fn paragraphs_of_one_article_share_a_fold() {
    let labels: Vec<Label> = (0..40).map(|i| Label::ALL[i % 3]).collect();
    let groups: Vec<Option<String>> = (0..40)
        .map(|i| (i < 24).then(|| format!("doc{}", i / 6)))
        .collect();
    let folds = stratified_folds(&labels, &groups, 4);
    for d in 0..4 {
        let f: Vec<usize> = (0..24).filter(|i| i / 6 == d).map(|i| folds[i]).collect();
        assert!(
            f.iter().all(|&x| x == f[0]),
            "article {d} split across folds {f:?}"
        );
    }
    // Four articles, four folds: one each.
    let mut firsts: Vec<usize> = (0..4).map(|d| folds[d * 6]).collect();
    firsts.sort_unstable();
    assert_eq!(firsts, [0, 1, 2, 3]);
    assert!(folds.iter().all(|&f| f < 4));
}

#[test]
fn context_pulls_weak_paragraphs_toward_their_article() {
    let p = |a: f64, b: f64, c: f64| Probabilities::from_array([a, b, c]);
    let doc = [
        p(0.8, 0.1, 0.1),
        p(0.7, 0.1, 0.2),
        p(0.36, 0.30, 0.34),
        p(0.05, 0.05, 0.9),
    ];
    let alone = contextualize(&doc, 0.0);
    assert_eq!(alone, doc.to_vec(), "weight 0 changes nothing");
    let c = contextualize(&doc, 1.0);
    for q in &c {
        assert!((q.to_array().iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    // The undecided paragraph leans further toward the article's side...
    assert!(c[2].pro_moscow > doc[2].pro_moscow);
    // ...and the one with strong evidence of its own keeps its label.
    assert_eq!(c[3].label(), Label::Neutral);
    // A paragraph alone has no context.
    assert_eq!(contextualize(&doc[..1], 1.0), vec![doc[0]]);
}

#[test]
fn context_weight_is_fitted_on_articles_only() {
    let p = |a: f64, b: f64, c: f64| Probabilities::from_array([a, b, c]);
    // Two articles whose undecided paragraphs belong to the article's side: context helps.
    let probs = vec![
        p(0.8, 0.1, 0.1),
        p(0.7, 0.15, 0.15),
        p(0.3, 0.36, 0.34),
        p(0.1, 0.8, 0.1),
        p(0.15, 0.7, 0.15),
        p(0.36, 0.3, 0.34),
        p(0.1, 0.1, 0.8),
    ];
    let labels = [
        Label::ProMoscow,
        Label::ProMoscow,
        Label::ProMoscow,
        Label::ProWashington,
        Label::ProWashington,
        Label::ProWashington,
        Label::Neutral,
    ];
    let groups: Vec<Option<String>> = ["a", "a", "a", "b", "b", "b"]
        .iter()
        .map(|g| Some((*g).to_string()))
        .chain([None])
        .collect();
    let (beta, scores) = fit_context_weight(&probs, &labels, &groups);
    assert!(beta > 0.0, "{scores:?}");
    assert_eq!(scores[0].0.to_bits(), 0f32.to_bits());
    assert!(
        scores
            .iter()
            .any(|s| s.0.to_bits() == beta.to_bits() && s.1 > scores[0].1)
    );
    // Stand-alone paragraphs are never changed.
    let c = contextualize_groups(&probs, &groups, beta);
    assert_eq!(c[6], probs[6]);
    // No articles: no context.
    assert_eq!(
        fit_context_weight(&probs, &labels, &[]).0.to_bits(),
        0f32.to_bits()
    );
}

#[test]
fn articles_without_cross_validation_train_without_context() {
    // One alpha and no calibration: no out-of-fold predictions, so no context weight to fit
    // (this once panicked on corpora with articles).
    let mut records = common::small_corpus(20);
    for (i, r) in records.iter_mut().enumerate() {
        r.doc = Some(format!("article-{}", i / 4));
    }
    let p = quick_params()
        .alphas(vec![1.0])
        .calibrate(false)
        .check()
        .unwrap();
    let (model, cv) = train(&records, &p, "{}").unwrap();
    assert!(cv.oof.is_empty() && cv.context_scores.is_empty());
    assert_eq!(model.context_weight().to_bits(), 0f32.to_bits());
}

#[test]
fn a_label_missing_from_training_data_is_a_named_error() {
    let records: Vec<_> = common::small_corpus(20)
        .into_iter()
        .filter(|r| r.label != Label::Neutral)
        .collect();
    let p = quick_params()
        .alphas(vec![1.0])
        .calibrate(false)
        .check()
        .unwrap();
    let err = train(&records, &p, "{}").unwrap_err();
    assert!(err.to_string().contains("no neutral paragraph"), "{err}");
}

#[test]
fn params_are_checked() {
    assert!(TrainParams::new().folds(1).check().is_err());
    assert!(TrainParams::new().alphas(vec![]).check().is_err());
    assert!(TrainParams::new().alphas(vec![f32::NAN]).check().is_err());
    assert!(TrainParams::new().vocab_size(0).check().is_err());
    assert!(TrainParams::new().min_df(0).check().is_err());
    assert!(
        TrainParams::new()
            .featurizer(FeaturizerParams::new().hash_bits(8))
            .check()
            .is_err()
    );
    assert!(TrainParams::new().check().is_ok());
}

#[test]
fn document_frequencies_are_rounded_to_a_coarse_grid_within_five_percent_of_idf() {
    let docs = 10_000u32;
    let idf = |d: u32| ((1.0 + f64::from(docs)) / (1.0 + f64::from(d))).ln() + 1.0;
    let mut grid = std::collections::BTreeSet::new();
    let mut prev = 0;
    for d in 1..=docs {
        let c = coarse_df(d, docs);
        assert!((1..=docs).contains(&c), "{d} -> {c}");
        assert!(c >= prev, "not monotone at {d}: {prev} then {c}");
        assert_eq!(coarse_df(c, docs), c, "the grid point {c} moved");
        let err = (idf(c) - idf(d)).abs() / idf(d);
        assert!(err < 0.05, "idf of {d} off by {err} (rounded to {c})");
        prev = c;
        grid.insert(c);
    }
    // Exact frequencies would be 10,000 values; the point is a small alphabet.
    assert!(grid.len() < 100, "{} grid points", grid.len());
    // Small frequencies, where one document is a large step, stay exact.
    for d in 1..=4 {
        assert_eq!(coarse_df(d, docs), d);
    }
}

#[test]
fn trained_models_store_grid_document_frequencies() {
    let records = common::small_corpus(40);
    let p = quick_params().alphas(vec![1.0]).check().unwrap();
    let (model, _) = train(&records, &p, "{}").unwrap();
    let d = model
        .vocabulary()
        .doc_freq()
        .expect("the default featurizer weighs by idf");
    assert!(d.df.iter().all(|&v| coarse_df(v, d.docs) == v));
    // Rounding merged frequencies: fewer distinct values than an exact count would give here.
    let distinct: std::collections::BTreeSet<_> = d.df.iter().collect();
    assert!(
        distinct.len() < 80,
        "{} distinct frequencies",
        distinct.len()
    );
}
