#!/usr/bin/env python3
"""Assembles `./build.sh bench`'s measurements into target/bench/results.json (the figures under
the keys issue 6 names, null where not measured), target/bench/details.json (everything else) and
the generated part of BENCHMARKS.md (between the `generated` markers; the rest of the file, the
hand-written analysis, is kept).

    python benches/report.py target/bench BENCHMARKS.md

Reads, from the bench directory: native.json (benches/inference.rs's plain-timer pass),
browser.json (tests/browser/bench.mjs), linfa.json (`stance export --fit`), compare.json
(benches/train_compare.py); and criterion's estimates under target/criterion/.
"""

import datetime
import gzip
import json
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START, END = "<!-- generated:start -->", "<!-- generated:end -->"
SAMPLE = 2000  # paragraphs per iteration of the criterion `paragraph/*` benches


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def criterion_median_ns(group, name):
    est = load(os.path.join(ROOT, "target", "criterion", group, name, "new", "estimates.json"))
    return est.get("median", {}).get("point_estimate")


def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def brotli_len(data):
    try:
        import brotli

        return len(brotli.compress(data, quality=11))
    except ImportError:
        return None


def sizes():
    def read(rel):
        try:
            with open(os.path.join(ROOT, rel), "rb") as f:
                return f.read()
        except OSError:
            return None

    wasm, glue, model = read("www/pkg/stance_bg.wasm"), read("www/pkg/stance.js"), read("model/stance.model")
    gz = lambda b: None if b is None else len(gzip.compress(b, 9, mtime=0))
    return {
        "wasm_bytes": None if wasm is None else len(wasm),
        "wasm_gz_bytes": gz(wasm),
        "wasm_br_bytes": None if wasm is None else brotli_len(wasm),
        "glue_bytes": None if glue is None else len(glue),
        "glue_gz_bytes": gz(glue),
        "model_bytes": None if model is None else len(model),
        "model_gz_bytes": gz(model),
    }


def machine():
    cpu = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), None)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": platform.platform(),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def package_version(name):
    try:
        from importlib.metadata import version

        return f"{name} {version(name)}"
    except Exception:  # not installed, or no metadata
        return None


def versions(browser, compare):
    opt = os.path.join(ROOT, "tests", "browser", "node_modules", ".bin", "wasm-opt")
    return {
        "rustc": run("rustc", "--version"),
        "wasm-bindgen": run("wasm-bindgen", "--version"),
        "wasm-opt": run(opt, "--version") if os.path.exists(opt) else None,
        "node": run("node", "--version"),
        "chromium": browser.get("chromium"),
        "python": platform.python_version(),
        "scikit-learn": compare.get("sklearn_version"),
        "fastText": package_version("fasttext-wheel"),
        "commit": run("git", "-C", ROOT, "describe", "--always", "--dirty"),
    }


def fmt(v, unit="", digits=2):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    return f"{v:,}{unit}"


def verdict(ok):
    return "—" if ok is None else ("met" if ok else "**missed**")


def main():
    bench_dir, md_path = sys.argv[1], sys.argv[2]
    native = load(os.path.join(bench_dir, "native.json"))
    browser = load(os.path.join(bench_dir, "browser.json"))
    linfa = load(os.path.join(bench_dir, "linfa.json"))
    compare = load(os.path.join(bench_dir, "compare.json"))
    size = sizes()

    text_bytes = native.get("text_bytes")
    ns_5mb = criterion_median_ns("text_5mb", "classify")
    native_mbps = text_bytes / 1e6 / (ns_5mb / 1e9) if ns_5mb and text_bytes else native.get("mb_per_s")
    chromium_mbps = browser.get("mb_per_s")
    ratio = chromium_mbps / native_mbps if chromium_mbps and native_mbps else None
    per_para = {
        k: (lambda ns: None if ns is None else ns / SAMPLE / 1e3)(criterion_median_ns("paragraph", k))
        for k in ("segment", "featurize", "predict", "classify")
    }

    results = {
        "native_mb_per_s": native_mbps,
        "chromium_mb_per_s": chromium_mbps,
        "wasm_native_ratio": ratio,
        "latency_p50_us": browser.get("latency_p50_us"),
        "latency_p99_us": browser.get("latency_p99_us"),
        "cold_start_ms": browser.get("cold_start_ms"),
        "wasm_gz_bytes": size["wasm_gz_bytes"],
        "model_gz_bytes": size["model_gz_bytes"],
        "train_s_linfa": linfa.get("train_s_linfa"),
        "train_s_sklearn": compare.get("train_s_sklearn"),
        "macro_f1_linfa": linfa.get("macro_f1_linfa"),
        "macro_f1_sklearn": compare.get("macro_f1_sklearn"),
        "macro_f1_fasttext": compare.get("macro_f1_fasttext"),
    }
    with open(os.path.join(bench_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mach, vers = machine(), versions(browser, compare)
    details = {"date": date, "machine": mach, "versions": vers, "sizes": size, "native": native,
               "native_us_per_paragraph": per_para, "browser": browser, "linfa": linfa, "compare": compare}
    with open(os.path.join(bench_dir, "details.json"), "w", encoding="utf-8") as f:
        json.dump(details, f, indent=2)
        f.write("\n")

    def both(a, b):
        return None if a is None or b is None else a and b

    r = results
    f1_equal = (None if r["macro_f1_linfa"] is None or r["macro_f1_sklearn"] is None
                else abs(r["macro_f1_linfa"] - r["macro_f1_sklearn"]) <= 0.01)
    train_ok = (None if r["train_s_linfa"] is None or r["train_s_sklearn"] is None
                else r["train_s_linfa"] <= 2 * r["train_s_sklearn"])
    targets = [
        ("WASM in Chromium ≥ 50 % of native speed", fmt(ratio and ratio * 100, " %", 0),
         verdict(None if ratio is None else ratio >= 0.5)),
        ("≥ 20 MB/s of text in Chromium", fmt(chromium_mbps, " MB/s"),
         verdict(None if chromium_mbps is None else chromium_mbps >= 20)),
        ("Cold start ≤ 50 ms", fmt(r["cold_start_ms"], " ms", 1),
         verdict(None if r["cold_start_ms"] is None else r["cold_start_ms"] <= 50)),
        ("Module + model ≤ 300 KB gzipped (the model is inside the module)", fmt(r["wasm_gz_bytes"], " B"),
         verdict(None if r["wasm_gz_bytes"] is None else r["wasm_gz_bytes"] <= 300_000)),
        ("linfa training ≤ 2 × scikit-learn at equal macro-F1 (± 0.01)",
         f"{fmt(r['train_s_linfa'], ' s', 1)} vs {fmt(r['train_s_sklearn'], ' s', 1)}; "
         f"F1 {fmt(r['macro_f1_linfa'], '', 4)} vs {fmt(r['macro_f1_sklearn'], '', 4)}",
         verdict(both(train_ok, f1_equal))),
    ]
    lines = [
        START,
        f"## Latest run: {date}",
        "",
        "Generated by `./build.sh bench` (benches/report.py); do not edit between the markers. "
        "MB means 10^6 bytes of UTF-8 text. Machine-readable: `target/bench/results.json`, "
        "everything else in `target/bench/details.json`.",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {mach['cpu']} ({mach['cores']} cores), {mach['memory']} |",
        f"| OS | {mach['os']} |",
        f"| load average at the end | {mach['load_average']} (the machine is shared: read ratios, not absolutes) |",
        *[f"| {k} | {v or '—'} |" for k, v in vers.items()],
        "",
        "### Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
        *[f"| {t} | {m} | {v} |" for t, m, v in targets],
        "",
        "### Inference",
        "",
        f"The text: {fmt(text_bytes, ' bytes')} of model/corpus paragraphs ({fmt(native.get('paragraphs'))} paragraphs), "
        "classified with reasons in the page's 32 K chunks; latency: `classify_one` / `classifyBlock` per "
        f"paragraph over {fmt(browser.get('latency_sample') or native.get('latency_sample'))} evenly spaced paragraphs.",
        "",
        "| | native | Chromium (WASM) | WASM / native |",
        "|---|---|---|---|",
        f"| throughput, MB/s (criterion median; plain timer {fmt(native.get('mb_per_s'))}) | {fmt(native_mbps)} | {fmt(chromium_mbps)} | {fmt(ratio)} |",
        f"| latency p50, µs | {fmt(native.get('latency_p50_us'), '', 1)} | {fmt(browser.get('latency_p50_us'), '', 1)} | |",
        f"| latency p99, µs | {fmt(native.get('latency_p99_us'), '', 1)} | {fmt(browser.get('latency_p99_us'), '', 1)} | |",
        "",
        "Native, per paragraph (criterion median, µs): "
        + ", ".join(f"{k} {fmt(v, '', 1)}" for k, v in per_para.items())
        + " (segment: paragraph splitting; featurize: tokens and hashed n-gram counts; predict: + vector,"
        " logits, softmax; classify: + reasons).",
        "",
        "### Cold start (Chromium, fresh context and cache disabled each load)",
        "",
        f"Median of {fmt(browser.get('cold_loads'))} loads: {fmt(browser.get('cold_start_ms'), ' ms', 1)} from `init()` to a "
        f"ready `new Classifier()`: fetch + compile + instantiate {fmt(browser.get('init_ms'), ' ms', 1)} (of which "
        f"{fmt(browser.get('wasm_fetch_ms'), ' ms', 1)} until the module's last byte arrived, Resource Timing), embedded model "
        f"parse {fmt(browser.get('model_ms'), ' ms', 1)}; page navigation to ready {fmt(browser.get('ready_since_navigation_ms'), ' ms', 1)}.",
        "",
        "### Size",
        "",
        "| file | raw | gzip -9 | brotli 11 |",
        "|---|---|---|---|",
        f"| stance_bg.wasm (module + embedded model) | {fmt(size['wasm_bytes'])} | {fmt(size['wasm_gz_bytes'])} | {fmt(size['wasm_br_bytes'])} |",
        f"| stance.js (JS glue) | {fmt(size['glue_bytes'])} | {fmt(size['glue_gz_bytes'])} | |",
        f"| model/stance.model alone | {fmt(size['model_bytes'])} | {fmt(size['model_gz_bytes'])} | |",
        "",
        "### Training (one fixed split: fold 0 of the grouped, stratified 5 folds is the test set)",
        "",
        f"{fmt(linfa.get('train_rows'))} training and {fmt(linfa.get('test_rows'))} test paragraphs, "
        f"{fmt(linfa.get('cols'))} columns ({fmt(linfa.get('nnz_train'))} non-zeros in training); alpha "
        f"{linfa.get('alpha')} (scikit-learn C = {fmt(1 / linfa['alpha'] if linfa.get('alpha') else None, '', 3)}), "
        f"at most {linfa.get('max_iterations')} L-BFGS iterations.",
        "",
        "| trainer | fit, s | macro-F1 (test) | predictions/s |",
        "|---|---|---|---|",
        f"| linfa-logistic (dense f32 matrix, gradient tolerance {fmt(linfa.get('gradient_tolerance'), '', 6).rstrip('0')}) | {fmt(linfa.get('train_s_linfa'), '', 1)} | {fmt(linfa.get('macro_f1_linfa'), '', 4)} | |",
        f"| scikit-learn lbfgs, sparse CSR ({compare.get('sklearn_iterations', '—')} iterations) | {fmt(compare.get('train_s_sklearn'), '', 1)} | {fmt(compare.get('macro_f1_sklearn'), '', 4)} | |",
        f"| scikit-learn lbfgs, the same matrix dense | {fmt(compare.get('train_s_sklearn_dense'), '', 1)} | {fmt(compare.get('macro_f1_sklearn_dense'), '', 4)} | |",
        f"| fastText supervised ({'its text' if compare.get('macro_f1_fasttext') is not None else compare.get('fasttext_note', 'not run')}) | {fmt(compare.get('train_s_fasttext'), '', 1)} | {fmt(compare.get('macro_f1_fasttext'), '', 4)} | {fmt(compare.get('fasttext_predictions_per_s'), '', 0)} |",
        f"| stance (this crate, native `predict` per paragraph) | | | {fmt(1e6 / per_para['predict'] if per_para['predict'] else None, '', 0)} |",
        "",
        END,
    ]
    generated = "\n".join(lines)
    try:
        with open(md_path, encoding="utf-8") as f:
            old = f.read()
    except OSError:
        old = "# Benchmarks\n\n" + START + "\n" + END + "\n"
    if START in old and END in old:
        new = old[: old.index(START)] + generated + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + generated + "\n"
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(new)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
