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

/// Runs the `stance` binary with `args` and `stdin`, which is fed from a thread so a large input
/// cannot deadlock against a full stdout pipe.
#[cfg(feature = "cli")]
pub fn stance(args: &[&str], stdin: impl Into<Vec<u8>>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut sin = child.stdin.take().unwrap();
    let data = stdin.into();
    let feeder = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

/// Each line of a command's standard output, parsed as JSON.
pub fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
