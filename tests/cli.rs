//! The `stance` command line: contracts from ARCHITECTURE.md and behaviour on bad input.
#![cfg(feature = "cli")]

mod common;

use common::{json_lines, stance};

fn assert_probabilities(v: &serde_json::Value) {
    let p = &v["probabilities"];
    let sum: f64 = ["pro_moscow", "pro_washington", "neutral"]
        .iter()
        .map(|k| {
            let x = p[k].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x));
            x
        })
        .sum();
    assert!((sum - 1.0).abs() < 1e-6, "{p}");
    assert!(["pro_moscow", "pro_washington", "neutral"].contains(&v["label"].as_str().unwrap()));
}

#[test]
fn classify_plain_text_writes_one_object_per_paragraph() {
    let text =
        "Premier paragraphe sur la trêve à Alep.\n\nSecond paragraph about the football final.\n";
    let out = stance(&["classify"], text.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    for v in &lines {
        assert_probabilities(v);
        assert!(v["start"].as_u64().unwrap() < v["end"].as_u64().unwrap());
        assert!(v["reasons"].is_array());
    }
    assert_eq!(lines[1]["start"], 41);
}

#[test]
fn classify_jsonl_keeps_order_and_reports_bad_lines() {
    let input = b"{\"text\": \"Moscou a annonc\xc3\xa9 un cessez-le-feu.\", \"id\": 7}\nnot json\n{\"nope\": 1}\n\n{\"text\": \"\"}\n{\"text\": \"The summit ended on Friday.\"}\n\xff\xfe\n";
    let out = stance(&["classify", "--jsonl"], input);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit status says some lines failed"
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 6, "one output line per non-blank input line");
    assert_probabilities(&lines[0]);
    assert_eq!(lines[0]["id"], 7, "ids are passed through");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("bad JSON"));
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"].as_str().unwrap().contains("\"text\""));
    assert_eq!(lines[3]["line"], 5);
    assert!(lines[3]["error"].as_str().unwrap().contains("empty input"));
    assert_probabilities(&lines[4]);
    assert_eq!(lines[5]["line"], 7);
    assert!(lines[5]["error"].as_str().unwrap().contains("UTF-8"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 of 7 lines failed"));
}

#[test]
fn classify_jsonl_loses_no_record() {
    // All good, CRLF line ends, the last record without a line break: every record answered, in
    // order, and the exit status says nothing failed.
    let good = b"{\"text\": \"Moscou d\xc3\xa9nonce les sanctions.\", \"id\": \"a\"}\r\n{\"text\": \"The summit ended.\", \"id\": \"b\"}\r\n{\"text\": \"Kiev r\xc3\xa9pond.\", \"id\": \"c\"}";
    let out = stance(&["classify", "--jsonl"], good);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(
        lines.iter().map(|l| l["id"].as_str()).collect::<Vec<_>>(),
        [Some("a"), Some("b"), Some("c")]
    );
    lines.iter().for_each(assert_probabilities);

    // Records that are JSON but not what is expected, and text that is not text: an error line
    // each, with its line number and its id when it has one; the good records between them are
    // still classified, and the last line counts even without a line break.
    let input = b"[1, 2]\n\"just a string\"\n{\"text\": 5, \"id\": 9}\n{\"text\": \"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006 mot\", \"id\": \"bin\"}\n{\"text\": \"Le sommet s'est achev\xc3\xa9.\"}\n{\"text\": \"pas fini";
    let out = stance(&["classify", "--jsonl"], input);
    assert_eq!(out.status.code(), Some(2));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 6, "one output line per input line");
    for (i, l) in lines.iter().enumerate() {
        if i == 4 {
            assert_probabilities(l);
            continue;
        }
        assert_eq!(l["line"], i + 1, "{l}");
        assert!(l["error"].is_string(), "{l}");
    }
    assert!(lines[0]["error"].as_str().unwrap().contains("\"text\""));
    assert!(lines[1]["error"].as_str().unwrap().contains("\"text\""));
    assert_eq!(
        lines[2]["id"], 9,
        "the id of a bad record is passed through"
    );
    assert_eq!(lines[3]["id"], "bin");
    assert!(lines[3]["error"].as_str().unwrap().contains("binary input"));
    assert!(lines[5]["error"].as_str().unwrap().contains("bad JSON"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("5 of 6 lines failed"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn empty_binary_and_invalid_input_fail_with_a_message_not_a_panic() {
    for (input, expect) in [
        (&b""[..], "empty input"),
        (&b"  \n\n\t"[..], "empty input"),
        (
            &b"\x00\x01\x02\x03\x04\x05binary\x00\x00"[..],
            "binary input",
        ),
        (&b"caf\xe9 cr\xe8me"[..], "invalid UTF-8"),
    ] {
        let out = stance(&["classify"], input);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{input:?}: {err}");
        assert!(err.contains(expect), "{input:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn five_megabytes_of_text_are_classified() {
    let para = "Les négociations de Genève sur la Syrie ont repris mardi, selon l'ONU, sans percée annoncée.\n";
    let text = para.repeat(5 * 1024 * 1024 / para.len() + 1);
    let out = stance(&["classify", "--reasons", "0"], text.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = String::from_utf8(out.stdout).unwrap().lines().count();
    assert_eq!(n, text.lines().count());
}

#[test]
fn a_damaged_model_file_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.model");
    let good = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/model/stance.model")).unwrap();
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let out = stance(
        &["classify", "--model", path.to_str().unwrap()],
        b"Un texte.",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated model"));
    let out = stance(
        &["classify", "--model", "/nonexistent/x.model"],
        b"Un texte.",
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.model"));
}

#[test]
fn eval_prints_scores_and_skips_missing_sets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.jsonl");
    std::fs::write(
        &data,
        "{\"text\": \"Le match s'est terminé sur un score nul.\", \"label\": \"neutral\", \"lang\": \"fr\"}\n\
         {\"text\": \"The weather will stay dry all week.\", \"label\": \"neutral\", \"lang\": \"en\"}\n",
    )
    .unwrap();
    let out = stance(
        &[
            "eval",
            "--data",
            data.to_str().unwrap(),
            "/nonexistent/set.jsonl",
            "--json",
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["overall"]["n"], 2);
    assert_eq!(v[0]["by_lang"].as_array().unwrap().len(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipping /nonexistent/set.jsonl"));
}

/// linfa's matrix products run on matrixmultiply's thread pool (`MATMUL_NUM_THREADS`, read once
/// per process, defaults to the physical cores). Its threads split the output rows, so each sum
/// keeps its order: the model file must not depend on how many threads trained it.
#[test]
fn the_trained_model_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = |f: &str| format!("{}/model/corpus/{f}", env!("CARGO_MANIFEST_DIR"));
    let model = |threads: &str| {
        let out = dir.path().join(format!("t{threads}.model"));
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_stance"))
            .env("MATMUL_NUM_THREADS", threads)
            .args(["train", "--data"])
            .args([
                corpus("en_a_syria_africa.jsonl"),
                corpus("fr_a_syria_africa.jsonl"),
            ])
            .args(["--alpha", "1", "--folds", "2", "--vocab", "3000"])
            .args(["--max-iterations", "60", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(run.status.success(), "{run:?}");
        std::fs::read(&out).unwrap()
    };
    let one = model("1");
    assert!(one.len() > 1000, "a model was written");
    assert!(
        one == model("2"),
        "one and two threads trained different models"
    );
}
