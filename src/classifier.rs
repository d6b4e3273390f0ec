//! The classifier every face uses: text in, paragraphs with labels, probabilities and reasons out,
//! plus a document summary. The CLI, the WASM module and the tests all go through here, so they
//! cannot disagree.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Label, Model, PerLabel, Probabilities, Reason};
use crate::text::{self, Paragraph};

/// The shipped model, embedded so `Classifier::embedded()` (and `new Classifier()` in JS) needs no
/// download or file.
pub static EMBEDDED_MODEL: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/model/stance.model"));

/// Unchecked classification settings; [`ClassifyParams::check`] validates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassifyParams {
    max_reasons: usize,
    top_terms: usize,
}

impl Default for ClassifyParams {
    fn default() -> Self {
        Self::new()
    }
}

impl ClassifyParams {
    /// The defaults below.
    #[must_use]
    pub fn new() -> Self {
        ClassifyParams {
            max_reasons: 5,
            top_terms: 10,
        }
    }

    /// Terms given as reasons per paragraph, 0 to 50. Default 5: enough to see why, few enough to
    /// read at a glance.
    #[must_use]
    pub fn max_reasons(mut self, n: usize) -> Self {
        self.max_reasons = n;
        self
    }

    /// Most telling terms listed in the document summary, 0 to 100. Default 10.
    #[must_use]
    pub fn top_terms(mut self, n: usize) -> Self {
        self.top_terms = n;
        self
    }

    /// Validates the settings.
    pub fn check(self) -> Result<Self> {
        if self.max_reasons > 50 {
            return Err(Error::InvalidParams(format!(
                "max_reasons must be at most 50, got {}",
                self.max_reasons
            )));
        }
        if self.top_terms > 100 {
            return Err(Error::InvalidParams(format!(
                "top_terms must be at most 100, got {}",
                self.top_terms
            )));
        }
        Ok(self)
    }
}

/// One classified paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParagraphResult {
    /// Start offset in UTF-16 code units of the whole text.
    pub start: usize,
    /// End offset (exclusive) in UTF-16 code units.
    pub end: usize,
    /// The most probable label.
    pub label: Label,
    /// The probability of that label.
    pub confidence: f64,
    /// All three probabilities.
    pub probabilities: Probabilities,
    /// The terms that drove the decision, spans in UTF-16 offsets of the whole text.
    pub reasons: Vec<Reason>,
}

/// A document-level term: summed reason weight over the paragraphs it drove.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopTerm {
    /// The word or phrase.
    pub term: String,
    /// Summed contribution over paragraphs.
    pub weight: f32,
    /// The label it pushed toward.
    pub label: Label,
    /// Paragraphs in which it was a reason.
    pub paragraphs: usize,
}

/// What the whole document looks like.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Number of paragraphs.
    pub paragraphs: usize,
    /// Paragraphs per label.
    pub counts: PerLabel<usize>,
    /// Share of the text (UTF-16 length of its paragraphs) per label; sums to 1 when there are paragraphs.
    pub shares: PerLabel<f64>,
    /// The most telling terms of the document: the words and phrases that most drove its
    /// paragraphs toward a side.
    pub top_terms: Vec<TopTerm>,
}

/// A classified text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Classification {
    /// Every paragraph, in text order.
    pub paragraphs: Vec<ParagraphResult>,
    /// The document summary.
    pub summary: Summary,
}

/// A model plus classification settings.
#[derive(Debug, Clone)]
pub struct Classifier {
    model: Model,
    params: ClassifyParams,
}

impl Classifier {
    /// The classifier with the model embedded in the build.
    pub fn embedded() -> Result<Self> {
        Self::from_bytes(EMBEDDED_MODEL)
    }

    /// A classifier over a model file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(Self::new(Model::from_bytes(bytes)?))
    }

    /// A classifier over a model, with default settings.
    #[must_use]
    pub fn new(model: Model) -> Self {
        Classifier {
            model,
            params: ClassifyParams::new(),
        }
    }

    /// Replaces the settings (checked).
    pub fn with_params(mut self, params: ClassifyParams) -> Result<Self> {
        self.params = params.check()?;
        Ok(self)
    }

    /// The model.
    #[must_use]
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Splits `text` into paragraphs and classifies each, in the context of the whole text (see
    /// [`Model::contextualize`]).
    pub fn classify(&self, text: &str) -> Result<Classification> {
        text::check_input(text)?;
        let paragraphs = self.classify_chunk(text, 0)?;
        let summary = self.summarize(&paragraphs);
        Ok(Classification {
            paragraphs,
            summary,
        })
    }

    /// Classifies the whole of `text` as one unit (a page block, a JSONL record), without splitting
    /// it at line breaks and without document context.
    pub fn classify_one(&self, text: &str) -> Result<ParagraphResult> {
        text::check_input(text)?;
        let p = Paragraph {
            start: 0,
            end: text::utf16_len(text),
            byte_start: 0,
            byte_end: text.len(),
        };
        Ok(self.classify_span(text, p))
    }

    fn classify_span(&self, text: &str, p: Paragraph) -> ParagraphResult {
        let (probabilities, mut reasons) = self
            .model
            .explain_reasons(p.text(text), self.params.max_reasons);
        let label = probabilities.label();
        for r in &mut reasons {
            for s in &mut r.spans {
                s[0] += p.start;
                s[1] += p.start;
            }
        }
        ParagraphResult {
            start: p.start,
            end: p.end,
            label,
            confidence: probabilities.confidence(),
            probabilities,
            reasons,
        }
    }

    /// Summary of classified paragraphs.
    #[must_use]
    pub fn summarize(&self, paragraphs: &[ParagraphResult]) -> Summary {
        let mut b = SummaryBuilder::new(self.params.top_terms);
        for p in paragraphs {
            b.add(p);
        }
        b.finish()
    }

    /// Classifies one chunk of a longer text — the chunk is the paragraphs' context (see
    /// [`Model::contextualize`]) — whose first character stands at UTF-16 offset
    /// `offset` of the whole: paragraph offsets and reason spans come back relative to the whole
    /// text. Only the size is checked: emptiness and binary content are properties of the whole
    /// text (checked by [`Classifier::classify`], or by the caller before the first chunk), so a
    /// blank or odd chunk gives what it holds — possibly no paragraph — and callers can split a
    /// big text anywhere between lines and feed the pieces in order.
    pub fn classify_chunk(&self, chunk: &str, offset: usize) -> Result<Vec<ParagraphResult>> {
        text::check_size(chunk)?;
        let paragraphs = text::paragraphs(chunk);
        let mut results: Vec<ParagraphResult> = paragraphs
            .iter()
            .map(|&p| self.classify_span(chunk, p))
            .collect();
        // The chunk is the paragraphs' document: each is read in the context of the others.
        let own: Vec<Probabilities> = results.iter().map(|r| r.probabilities).collect();
        for ((r, p), &para) in results
            .iter_mut()
            .zip(self.model.contextualize(&own))
            .zip(&paragraphs)
        {
            let label = p.label();
            if label != r.label {
                r.reasons = self.reasons_for(chunk, para, label);
                r.label = label;
            }
            r.confidence = p.confidence();
            r.probabilities = p;
        }
        for r in &mut results {
            r.start += offset;
            r.end += offset;
            for reason in &mut r.reasons {
                for s in &mut reason.spans {
                    s[0] += offset;
                    s[1] += offset;
                }
            }
        }
        Ok(results)
    }

    /// The reasons of paragraph `p` of `text` for `label`, spans relative to `text`: needed when
    /// the document's context gives a paragraph another label than its own words.
    fn reasons_for(&self, text: &str, p: Paragraph, label: Label) -> Vec<Reason> {
        let (_, explanation) = self.model.explain(p.text(text));
        let mut reasons = explanation.reasons(label, self.params.max_reasons);
        for r in &mut reasons {
            for s in &mut r.spans {
                s[0] += p.start;
                s[1] += p.start;
            }
        }
        reasons
    }

    /// A summary accumulator with this classifier's settings, for texts classified in chunks.
    #[must_use]
    pub fn summary_builder(&self) -> SummaryBuilder {
        SummaryBuilder::new(self.params.top_terms)
    }
}

/// Accumulates a [`Summary`] paragraph by paragraph, so a text classified in chunks gets the same
/// summary as one classified whole.
#[derive(Debug, Clone, Default)]
pub struct SummaryBuilder {
    top_n: usize,
    paragraphs: usize,
    counts: PerLabel<usize>,
    lengths: PerLabel<usize>,
    terms: HashMap<(String, Label), (f32, usize)>,
}

impl SummaryBuilder {
    /// An empty summary keeping the `top_n` most telling terms.
    #[must_use]
    pub fn new(top_n: usize) -> Self {
        SummaryBuilder {
            top_n,
            ..Self::default()
        }
    }

    /// Adds one classified paragraph.
    pub fn add(&mut self, p: &ParagraphResult) {
        self.paragraphs += 1;
        *self.counts.get_mut(p.label) += 1;
        *self.lengths.get_mut(p.label) += p.end - p.start;
        // Neutral terms ("match", "newsletter") say nothing telling about a document's stance.
        for r in p
            .reasons
            .iter()
            .filter(|r| r.label == p.label && r.label != Label::Neutral)
        {
            let e = self.terms.entry((r.term.clone(), r.label)).or_default();
            e.0 += r.weight;
            e.1 += 1;
        }
    }

    /// The summary of everything added so far.
    #[must_use]
    pub fn finish(&self) -> Summary {
        let l = self.lengths;
        let total = (l.pro_moscow + l.pro_washington + l.neutral) as f64;
        let share = |n: usize| if total > 0.0 { n as f64 / total } else { 0.0 };
        let mut top_terms: Vec<TopTerm> = self
            .terms
            .iter()
            .map(|((term, label), &(weight, n))| TopTerm {
                term: term.clone(),
                weight,
                label: *label,
                paragraphs: n,
            })
            .collect();
        top_terms.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.term.cmp(&b.term))
                .then_with(|| a.label.cmp(&b.label))
        });
        top_terms.truncate(self.top_n);
        Summary {
            paragraphs: self.paragraphs,
            counts: self.counts,
            shares: PerLabel {
                pro_moscow: share(l.pro_moscow),
                pro_washington: share(l.pro_washington),
                neutral: share(l.neutral),
            },
            top_terms,
        }
    }
}
