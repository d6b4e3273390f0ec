//! Limits and hostile text: a 10 MB paragraph, lines of punctuation, emoji, RTL scripts, Cyrillic,
//! mixed languages, control characters and NUL bytes; and the CLI's streaming of plain text (chunk
//! boundaries, errors after the first chunk, bounded memory on 50 MB).
#![cfg(not(target_arch = "wasm32"))]

#[cfg(feature = "cli")]
mod common;

use std::sync::OnceLock;

use stance::{Classification, Classifier, Error};

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::embedded().unwrap())
}

/// The checks every result must pass: three finite probabilities summing to 1, offsets inside the
/// text on UTF-16 boundaries, paragraphs in order, reason spans inside their paragraph.
fn assert_well_formed(text: &str, r: &Classification) {
    let units: Vec<u16> = text.encode_utf16().collect();
    let on_boundary = |i: usize| i == units.len() || !(0xDC00..0xE000).contains(&units[i]);
    let mut last = 0;
    for p in &r.paragraphs {
        let pr = p.probabilities.to_array();
        assert!(
            pr.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
            "{pr:?}"
        );
        assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{pr:?}");
        assert!(last <= p.start && p.start < p.end && p.end <= units.len());
        assert!(on_boundary(p.start) && on_boundary(p.end));
        last = p.end;
        for reason in &p.reasons {
            assert!(reason.spans.len() <= stance::model::MAX_SPANS);
            for s in &reason.spans {
                assert!(p.start <= s[0] && s[0] < s[1] && s[1] <= p.end, "{s:?}");
                assert!(on_boundary(s[0]) && on_boundary(s[1]));
            }
        }
    }
    assert_eq!(r.summary.paragraphs, r.paragraphs.len());
}

/// About `bytes` of French and English sentences with accents and an emoji, no line break.
fn long_paragraph(bytes: usize) -> String {
    let sentence = "Le Kremlin a dénoncé les sanctions « illégales » de l’Union européenne, \
                    while the State Department said talks in Geneva would resume 😀. ";
    sentence.repeat(bytes / sentence.len() + 1)
}

#[test]
fn a_ten_megabyte_paragraph_without_line_breaks_is_one_classified_paragraph() {
    let text = long_paragraph(10 * 1024 * 1024);
    let start = std::time::Instant::now();
    let r = classifier().classify(&text).unwrap();
    let took = start.elapsed();
    assert_eq!(r.paragraphs.len(), 1);
    let p = &r.paragraphs[0];
    assert_eq!(p.start, 0);
    // The paragraph ends at the last non-blank character: the text's end less its final space.
    assert_eq!(p.end, text.encode_utf16().count() - 1);
    assert!(!p.reasons.is_empty(), "a long paragraph still has reasons");
    assert_well_formed(&text, &r);
    eprintln!("10 MB paragraph classified in {took:?}");
}

#[test]
fn lines_of_odd_scripts_and_characters_give_sensible_paragraphs() {
    // (what, line, is it a paragraph?) Lines without a letter or digit are no paragraph.
    let cases = [
        (
            "punctuation only",
            "!!! ??? ... --- *** «» “” … ¡¿ ;;",
            false,
        ),
        ("emoji only", "😀🇫🇷👍🏽🙂 🚀 ❤️‍🔥", false),
        ("symbols only", "→ ← ≠ ∞ © ® ™ § ¶ † ‡ • ‰", false),
        ("Arabic", "قالت الحكومة إن المحادثات ستستأنف في جنيف.", true),
        ("Hebrew", "הממשלה הודיעה על הפסקת אש בצפון.", true),
        (
            "bidi overrides",
            "\u{202E}Moscou\u{202C} et \u{2067}Washington\u{2069} !",
            true,
        ),
        (
            "Cyrillic",
            "Кремль заявил, что переговоры в Женеве продолжатся.",
            true,
        ),
        (
            "mixed languages",
            "Le Kremlin said что переговоры 会谈 continueront 😀 !",
            true,
        ),
        (
            "NUL bytes",
            "Un texte\0 avec des NUL\0 égarés au milieu.",
            true,
        ),
        (
            "zero-width and BOM",
            "\u{FEFF}\u{200B}Otan\u{200D}\u{2060} sommet",
            true,
        ),
        (
            "stacked combining marks",
            "Z\u{336}\u{334}a\u{337}l\u{335}g\u{338}o e\u{301}\u{301}\u{301}",
            true,
        ),
        (
            "full-width and ligatures",
            "ＮＡＴＯ ﬁnance ﬂotte Ⅻ ①②",
            true,
        ),
        (
            "replacement characters",
            "\u{FFFD} texte abîmé \u{FFFD} par un décodeur",
            true,
        ),
        (
            "private use and unassigned",
            "\u{E000}\u{F8FF} mot \u{10FFFD}",
            true,
        ),
    ];
    for (what, line, is_paragraph) in cases {
        let r = classifier()
            .classify(line)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_well_formed(line, &r);
        assert_eq!(r.paragraphs.len(), usize::from(is_paragraph), "{what}");
        let one = classifier()
            .classify_one(line)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let pr = one.probabilities.to_array();
        assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{what}");
    }
    // All of them as one text: one paragraph per line that has words, at that line's offsets.
    let text: String = cases.iter().flat_map(|c| [c.1, "\n"]).collect();
    let r = classifier().classify(&text).unwrap();
    assert_well_formed(&text, &r);
    assert_eq!(r.paragraphs.len(), cases.iter().filter(|c| c.2).count());
    let units: Vec<u16> = text.encode_utf16().collect();
    for p in &r.paragraphs {
        let shown = String::from_utf16(&units[p.start..p.end]).unwrap();
        assert!(cases.iter().any(|c| c.1.contains(&shown)), "{shown:?}");
    }
}

#[test]
fn text_of_only_controls_or_nul_is_empty_and_binary_data_is_named() {
    for text in ["\0\0\0", "\u{1}\u{2}\n\u{7f}", " \t\u{0B}\u{0C}\r\n"] {
        assert!(
            matches!(classifier().classify(text), Err(Error::EmptyInput)),
            "{text:?}"
        );
    }
    let binary: String = (0u8..=255).map(char::from).cycle().take(4096).collect();
    assert!(matches!(
        classifier().classify(&binary),
        Err(Error::BinaryInput { .. }) | Ok(_)
    ));
    let mostly_nul = format!("{}mot", "\0".repeat(100));
    assert!(matches!(
        classifier().classify(&mostly_nul),
        Err(Error::BinaryInput { .. })
    ));
}

#[cfg(feature = "cli")]
mod cli {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};

    use super::{classifier, long_paragraph};
    use crate::common::{json_lines, stance};

    /// A text over two chunks (the CLI cuts at about 1 MiB): emoji (surrogate pairs), CRLF, blank
    /// lines, Unicode line separators and lines without words, so byte, char and UTF-16 offsets
    /// all differ and chunk boundaries fall among them.
    fn multi_chunk_text() -> String {
        let lines = [
            "Titre 😀 du sommet de l’Otan\r\n",
            "\r\n",
            "Moscou dénonce les « provocations » de Washington.\u{2028}Kiev répond 🇺🇦.\n",
            "***\n",
            "The summit ended without a joint statement; Кремль молчит.\n",
        ];
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 2_300_000 {
            text.push_str(lines[i % lines.len()]);
            i += 1;
        }
        text
    }

    /// The CLI's chunks: whole lines until a chunk holds at least 1 MiB (`CHUNK_BYTES` in
    /// src/bin/stance.rs).
    fn cli_chunks(text: &str) -> Vec<&str> {
        let mut chunks = Vec::new();
        let (mut start, mut end) = (0, 0);
        for line in text.split_inclusive('\n') {
            end += line.len();
            if end - start >= 1 << 20 {
                chunks.push(&text[start..end]);
                start = end;
            }
        }
        if end > start {
            chunks.push(&text[start..end]);
        }
        chunks
    }

    #[test]
    fn plain_text_streamed_in_chunks_has_the_whole_text_offsets() {
        let text = multi_chunk_text();
        let out = stance(&["classify"], text.clone().into_bytes());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = String::from_utf8(out.stdout).unwrap();
        // Each chunk is classified at its UTF-16 offset in the whole text (and is its paragraphs'
        // document, for the model's document context): exactly what the library gives.
        let chunks = cli_chunks(&text);
        assert!(chunks.len() >= 2, "the text spans chunks");
        let mut expected = Vec::new();
        let mut offset = 0;
        for chunk in chunks {
            expected.extend(classifier().classify_chunk(chunk, offset).unwrap());
            offset += chunk.encode_utf16().count();
        }
        assert_eq!(got.lines().count(), expected.len());
        for (g, e) in got.lines().zip(&expected) {
            assert_eq!(g, serde_json::to_string(e).unwrap());
        }
        // The paragraphs and their offsets are those of the whole text classified at once.
        let whole = classifier().classify(&text).unwrap();
        let spans = |ps: &[stance::ParagraphResult]| -> Vec<(usize, usize)> {
            ps.iter().map(|p| (p.start, p.end)).collect()
        };
        assert_eq!(spans(&expected), spans(&whole.paragraphs));
    }

    #[test]
    fn invalid_utf8_after_the_first_chunk_names_its_offset_in_the_whole_input() {
        let text = multi_chunk_text();
        let mut bytes = text.clone().into_bytes();
        let at = text[..2_000_000].rfind('\n').unwrap() + 1;
        bytes.insert(at + 3, 0xFF);
        let out = stance(&["classify", "--reasons", "0"], bytes);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("invalid UTF-8 at byte {}", at + 3)),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        // What came before the bad chunk was classified and written.
        assert!(!json_lines(&out).is_empty());
    }

    #[test]
    fn blank_input_bigger_than_a_chunk_is_empty_and_a_binary_start_writes_nothing() {
        let out = stance(&["classify"], " \n\t\r\n".repeat(600_000).into_bytes());
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("empty input"));
        let mut binary: Vec<u8> = (0u8..32).cycle().take(3 << 20).collect();
        binary.extend_from_slice("\nUn texte normal ensuite.\n".as_bytes());
        let out = stance(&["classify"], binary);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("binary input"));
        assert!(
            out.stdout.is_empty(),
            "nothing is written before the binary check"
        );
    }

    #[test]
    fn a_ten_megabyte_line_and_a_ten_megabyte_jsonl_record_are_classified() {
        let para = long_paragraph(10 * 1024 * 1024);
        let out = stance(&["classify", "--reasons", "1"], para.clone().into_bytes());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = json_lines(&out);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["end"], para.encode_utf16().count() - 1);

        // JSONL: a bad line, the 10 MB record, a line with invalid UTF-8 in the middle of its
        // text, a good short line: every line answered, in order, with its line number.
        let mut input = b"{\"text\": \"Premier.\"}\n{\"text\": \"pas fini\n".to_vec();
        input.extend_from_slice(
            serde_json::to_string(&serde_json::json!({"text": para, "id": "big"}))
                .unwrap()
                .as_bytes(),
        );
        input.extend_from_slice(b"\n{\"text\": \"Moscou \xc3\x28 Washington\"}\n");
        input.extend_from_slice(b"{\"text\": \"Le sommet s'est achev\xc3\xa9.\"}\n");
        let out = stance(&["classify", "--jsonl"], input);
        assert_eq!(out.status.code(), Some(2));
        let got = json_lines(&out);
        assert_eq!(got.len(), 5);
        assert!(got[0]["label"].is_string());
        assert_eq!(got[1]["line"], 2);
        assert!(got[1]["error"].as_str().unwrap().contains("bad JSON"));
        assert_eq!(got[2]["id"], "big");
        assert!(got[2]["label"].is_string());
        assert_eq!(got[3]["line"], 4);
        assert!(
            got[3]["error"]
                .as_str()
                .unwrap()
                .contains("invalid UTF-8 at byte 17")
        );
        assert!(got[4]["label"].is_string());
        assert!(String::from_utf8_lossy(&out.stderr).contains("2 of 5 lines failed"));
    }

    /// Peak memory of `stance classify` on 50 MB of text: run under an address-space limit
    /// (`ulimit -v`) smaller than the input, so the run itself proves the input is never held
    /// whole, and the peak resident set (`VmHWM`, polled from `/proc`) is printed. Ignored by default
    /// (about a minute in a debug build): `cargo test --all-features --test limits -- --ignored
    /// --nocapture` (not `--release`: with the release profile's `panic = "abort"` and LTO, cargo
    /// builds the library twice under one file name and the binary can fail to link). Measured for
    /// issue 7 (debug build, the 40k-column model): 10 MB peak with `--reasons 0` (this test), 22 MB
    /// with the default 5 reasons (`/usr/bin/time -v`), for 50 MiB of input.
    #[test]
    #[ignore = "50 MB through the CLI: about a minute; run with --ignored --nocapture"]
    fn fifty_megabytes_stream_through_in_bounded_memory() {
        let line = "Les négociations de Genève sur la Syrie ont repris mardi, selon l'ONU. 😀\n";
        let text = line.repeat(50 * 1024 * 1024 / line.len() + 1);
        let limit_kib = 48 * 1024; // 48 MiB of address space for 50 MiB of input
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v {limit_kib} && exec \"$0\" classify --reasons 0"
            ))
            .arg(env!("CARGO_BIN_EXE_stance"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let mut sin = child.stdin.take().unwrap();
        let n_lines = text.lines().count();
        let bytes = text.into_bytes();
        let feeder = std::thread::spawn(move || {
            let _ = sin.write_all(&bytes);
        });
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let watcher = {
            let peak = std::sync::Arc::clone(&peak);
            std::thread::spawn(move || {
                while let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                    let hwm = status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmHWM:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
                    match hwm {
                        Some(kib) => peak.fetch_max(kib, std::sync::atomic::Ordering::Relaxed),
                        None => break, // exited (a zombie has no memory)
                    };
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            })
        };
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        feeder.join().unwrap();
        watcher.join().unwrap();
        assert!(status.success(), "{stderr}");
        assert_eq!(stdout.lines().count(), n_lines);
        let peak = peak.load(std::sync::atomic::Ordering::Relaxed);
        eprintln!("50 MiB input: peak RSS {peak} kB (address space limited to {limit_kib} KiB)");
        assert!(peak < 200 * 1024, "peak RSS {peak} kB");
    }
}
