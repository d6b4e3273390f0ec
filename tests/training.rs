//! Training: determinism, the linfa parity of the shipped predictor, parameter checks.
#![cfg(feature = "train")]

mod common;

use linfa_logistic::MultiFittedLogisticRegression;
use ndarray::Array2;
use stance::features::FeaturizerParams;
use stance::train::{Docs, TrainParams, fit_with_linfa, stratified_folds, train};
use stance::{Label, Model};

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
