//! Evaluation measures: confusion matrix, per-class precision / recall / F1, macro-F1, accuracy
//! and expected calibration error. Pure arithmetic, shared by `stance train` and `stance eval`.

use serde::Serialize;

use crate::model::{Label, N_CLASSES, Probabilities};

/// Precision, recall, F1 and support of one class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassScores {
    /// Of the paragraphs predicted as this class, the share that are.
    pub precision: f64,
    /// Of the paragraphs of this class, the share predicted as such.
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Number of paragraphs of this class.
    pub support: usize,
}

/// Counts of (true label, predicted label) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ConfusionMatrix {
    /// `counts[truth][predicted]`, in [`Label::ALL`] order.
    pub counts: [[usize; N_CLASSES]; N_CLASSES],
}

impl ConfusionMatrix {
    /// Builds a matrix from pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Label, Label)>) -> Self {
        let mut m = ConfusionMatrix::default();
        for (t, p) in pairs {
            m.counts[t.index()][p.index()] += 1;
        }
        m
    }

    /// Number of pairs.
    #[must_use]
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// Share of correct predictions (0 for an empty matrix).
    #[must_use]
    pub fn accuracy(&self) -> f64 {
        let correct: usize = (0..N_CLASSES).map(|i| self.counts[i][i]).sum();
        ratio(correct, self.total())
    }

    /// Scores of one class.
    #[must_use]
    pub fn class_scores(&self, l: Label) -> ClassScores {
        let i = l.index();
        let tp = self.counts[i][i];
        let predicted: usize = (0..N_CLASSES).map(|t| self.counts[t][i]).sum();
        let support: usize = self.counts[i].iter().sum();
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        ClassScores {
            precision,
            recall,
            f1,
            support,
        }
    }

    /// Mean F1 over the classes present in the truth (a class absent from the truth, such as
    /// `pro_washington` in an all-Sputnik seed set, would otherwise add a meaningless 0).
    #[must_use]
    pub fn macro_f1(&self) -> f64 {
        let present: Vec<f64> = Label::ALL
            .into_iter()
            .map(|l| self.class_scores(l))
            .filter(|s| s.support > 0)
            .map(|s| s.f1)
            .collect();
        if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Expected calibration error of the top-label confidence over `bins` equal-width bins: the
/// weighted mean gap between confidence and accuracy. 0 is perfectly calibrated.
#[must_use]
pub fn expected_calibration_error(items: &[(Probabilities, Label)], bins: usize) -> f64 {
    if items.is_empty() || bins == 0 {
        return 0.0;
    }
    let mut conf = vec![0.0f64; bins];
    let mut hits = vec![0.0f64; bins];
    let mut n = vec![0usize; bins];
    for (p, truth) in items {
        let c = p.confidence();
        let b = ((c * bins as f64) as usize).min(bins - 1);
        conf[b] += c;
        hits[b] += f64::from(u8::from(p.label() == *truth));
        n[b] += 1;
    }
    let total = items.len() as f64;
    (0..bins)
        .filter(|&b| n[b] > 0)
        .map(|b| (n[b] as f64 / total) * ((conf[b] - hits[b]) / n[b] as f64).abs())
        .sum()
}

/// A full report for one evaluation set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Number of paragraphs.
    pub n: usize,
    /// Share correct.
    pub accuracy: f64,
    /// Mean F1 over the classes present.
    pub macro_f1: f64,
    /// Scores per class, in [`Label::ALL`] order, keyed by label name.
    pub per_class: Vec<(Label, ClassScores)>,
    /// Confusion matrix, rows = truth, columns = prediction.
    pub confusion: ConfusionMatrix,
    /// Expected calibration error (10 bins).
    pub ece: f64,
}

impl Report {
    /// Scores predictions against the truth.
    #[must_use]
    pub fn new(items: &[(Probabilities, Label)]) -> Self {
        let confusion = ConfusionMatrix::from_pairs(items.iter().map(|(p, t)| (*t, p.label())));
        Report {
            n: items.len(),
            accuracy: confusion.accuracy(),
            macro_f1: confusion.macro_f1(),
            per_class: Label::ALL
                .into_iter()
                .map(|l| (l, confusion.class_scores(l)))
                .collect(),
            confusion,
            ece: expected_calibration_error(items, 10),
        }
    }

    /// A human-readable table.
    #[must_use]
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "  n={}  accuracy={:.3}  macro-F1={:.3}  ECE={:.3}",
            self.n, self.accuracy, self.macro_f1, self.ece
        );
        let _ = writeln!(
            s,
            "  {:<15} {:>9} {:>7} {:>6} {:>8}",
            "class", "precision", "recall", "F1", "support"
        );
        for (l, c) in &self.per_class {
            let _ = writeln!(
                s,
                "  {:<15} {:>9.3} {:>7.3} {:>6.3} {:>8}",
                l.as_str(),
                c.precision,
                c.recall,
                c.f1,
                c.support
            );
        }
        let _ = writeln!(s, "  confusion (rows truth, columns predicted: pm pw ne)");
        for (l, row) in Label::ALL.iter().zip(self.confusion.counts) {
            let _ = writeln!(
                s,
                "  {:<15} {:>6} {:>6} {:>6}",
                l.as_str(),
                row[0],
                row[1],
                row[2]
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::{Neutral as N, ProMoscow as M, ProWashington as W};

    #[test]
    fn scores_match_a_hand_computed_example() {
        // truth M M M W W N, predicted M M W W N N:
        // M: P=2/2 R=2/3; W: P=1/2 R=1/2; N: P=1/2 R=1/1.
        let m = ConfusionMatrix::from_pairs([(M, M), (M, M), (M, W), (W, W), (W, N), (N, N)]);
        assert_eq!(m.total(), 6);
        assert!((m.accuracy() - 4.0 / 6.0).abs() < 1e-12);
        let f1m = 2.0 * 1.0 * (2.0 / 3.0) / (1.0 + 2.0 / 3.0);
        let f1w = 0.5;
        let f1n = 2.0 * 0.5 * 1.0 / 1.5;
        assert!((m.class_scores(M).f1 - f1m).abs() < 1e-12);
        assert!((m.macro_f1() - (f1m + f1w + f1n) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn macro_f1_ignores_classes_absent_from_the_truth() {
        let m = ConfusionMatrix::from_pairs([(M, M), (N, N), (N, W)]);
        // M: F1 1; N: P 1 R 0.5 F1 2/3; W absent from truth.
        assert!((m.macro_f1() - f64::midpoint(1.0, 2.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn ece_is_zero_when_confidence_matches_accuracy() {
        let p = |a: f64, b: f64, c: f64| Probabilities::from_array([a, b, c]);
        // Two items at confidence 1.0, both right: ECE 0.
        assert!(
            expected_calibration_error(&[(p(1.0, 0.0, 0.0), M), (p(0.0, 0.0, 1.0), N)], 10) < 1e-12
        );
        // Two items at confidence 0.9, one right: gap 0.4.
        let e = expected_calibration_error(&[(p(0.9, 0.05, 0.05), M), (p(0.9, 0.05, 0.05), W)], 10);
        assert!((e - 0.4).abs() < 1e-9);
    }
}
