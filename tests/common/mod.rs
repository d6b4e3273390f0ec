//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use stance::train::{Record, read_data};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the project, if this checkout has it (CI does; a user's clone does not).
pub fn shared() -> Option<PathBuf> {
    let p = root().join("../shared");
    if p.join("seeds/labels.tsv").exists() {
        Some(p)
    } else {
        eprintln!("../shared not found beside the project: skipping the checks that read it");
        None
    }
}

/// A small, balanced slice of the project's corpus: the first `per_label` paragraphs of each
/// label (in file order), for tests that need to train quickly.
pub fn small_corpus(per_label: usize) -> Vec<Record> {
    let all = read_data(&root().join("model/corpus")).expect("model/corpus is readable");
    let mut out = Vec::new();
    for l in stance::Label::ALL {
        out.extend(all.iter().filter(|r| r.label == l).take(per_label).cloned());
    }
    out
}
