#!/usr/bin/env bash
# Stance Lens: the one entry point.
#
#   ./build.sh setup      install what is missing (wasm32 toolchain, wasm-bindgen CLI, Chromium, playwright-core)
#   ./build.sh build      release WASM -> wasm-bindgen --target web -> www/pkg/
#   ./build.sh serve      build, then serve www/ on http://127.0.0.1:8080 (PORT=... to change)
#   ./build.sh test       formatting, clippy (native + wasm32), docs, native tests, WASM tests, browser tests
#   ./build.sh cli        release build of the `stance` CLI (target/release/stance)
#   ./build.sh model [ARGS]  retrain model/stance.model from model/corpus (about an hour; ARGS replace
#                         the shipped settings, see model/README.md)
#   ./build.sh extension  build, then the browser extension: target/extension/{chromium,firefox}/ + zips
#   ./build.sh bench      speed, size, cold start and training vs scikit-learn/fastText -> BENCHMARKS.md
#   ./build.sh fuzz [SECONDS]  run each cargo-fuzz target (tests/fuzz/) for SECONDS (default 60)
#
# The wasm32 standard library comes from rustup where it is installed (an ordinary laptop:
# `rustup target add wasm32-unknown-unknown`). Where it is not and cannot be fetched, the script
# falls back to Debian's rustc-web + rust-web-src, building std from source with -Zbuild-std and
# linking with rustup's rust-lld (see ../shared/TOOLCHAIN.md in the team's workspace).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

WASM_TARGET=wasm32-unknown-unknown
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
PLAYWRIGHT_DIR="$ROOT/tests/browser"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi
}

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- wasm32 toolchain -------------------------------------------------------------------------
# WASM_MODE is "rustup" (rustup's wasm32 std is installed) or "debian" (the build-std recipe).
wasm_mode() {
  if [ -n "${WASM_MODE:-}" ]; then echo "$WASM_MODE"; return; fi
  if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    echo rustup
  elif command -v apt-get >/dev/null; then
    echo debian
  else
    echo rustup-missing
  fi
}

rustup_lld() {
  local sysroot host
  sysroot=$(rustc --print sysroot)
  host=$(rustc -vV | sed -n 's/^host: //p')
  echo "$sysroot/lib/rustlib/$host/bin/rust-lld"
}

setup_wasm() {
  case "$(wasm_mode)" in
    rustup) ;;
    debian)
      apt_install rustc-web cargo-web rust-web-src rust-web-clippy
      [ -x "$(rustup_lld)" ] || die "rustup's rust-lld not found at $(rustup_lld)"
      ;;
    *)
      log "rustup target add $WASM_TARGET"
      rustup target add "$WASM_TARGET" || die "could not install the wasm32 target"
      ;;
  esac
}

# Runs cargo for the wasm32 target with the right toolchain: `wasm_cargo build --release --lib`.
wasm_cargo() {
  local sub=$1; shift
  if [ "$(wasm_mode)" = debian ]; then
    local lld; lld=$(rustup_lld)
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$lld" \
      CARGO_TARGET_DIR="$ROOT/target/wasm-debian" \
      cargo "$sub" --target "$WASM_TARGET" -Zbuild-std=std,panic_abort "$@"
  else
    cargo "$sub" --target "$WASM_TARGET" "$@"
  fi
}

wasm_target_dir() {
  if [ "$(wasm_mode)" = debian ]; then echo "$ROOT/target/wasm-debian"; else echo "$ROOT/target"; fi
}

setup_wasm_bindgen() {
  local have=""
  command -v wasm-bindgen >/dev/null && have=$(wasm-bindgen --version | awk '{print $2}')
  if [ "$have" != "$WASM_BINDGEN_VERSION" ]; then
    log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes, once)"
    # Not --locked: one locked dependency of 0.2.130 is no longer served by the registry.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force >/dev/null
  fi
}

setup_browser() {
  if [ ! -x "$CHROMIUM" ]; then apt_install chromium; fi
  command -v node >/dev/null || apt_install nodejs npm
  if [ ! -d "$PLAYWRIGHT_DIR/node_modules/playwright-core" ] || [ ! -d "$PLAYWRIGHT_DIR/node_modules/binaryen" ]; then
    log "npm ci (playwright-core, binaryen's wasm-opt; no browser download)"
    (cd "$PLAYWRIGHT_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

cmd_setup() {
  setup_wasm
  setup_wasm_bindgen
  setup_browser
}

# --- build ------------------------------------------------------------------------------------
cmd_build() {
  setup_wasm
  setup_wasm_bindgen
  log "cargo build --release --lib --target $WASM_TARGET ($(wasm_mode))"
  wasm_cargo build --release --lib
  log "wasm-bindgen --target web -> www/pkg/"
  rm -rf www/pkg
  wasm-bindgen --target web --out-dir www/pkg "$(wasm_target_dir)/$WASM_TARGET/release/stance.wasm"
  wasm_opt www/pkg/stance_bg.wasm
  write_pkg_json
  ls -l www/pkg/*.wasm | awk '{print "    " $5 " bytes  " $9}' >&2
}

# wasm-opt -O3 on the module, in place, when binaryen's wasm-opt is there (the npm package
# `binaryen`, a devDependency in tests/browser/: Debian's wasm-opt is too old for the features Rust
# emits). It strips the name section and shrinks the code; without it the build is still complete.
# Memory packing is skipped: it cuts the data segments at every run of zero bytes, and the
# quantised model has many, so the embedded model would no longer be one contiguous, checksummed
# span of the module (the extension's damaged-model tests locate and alter it there). Skipping it
# also compresses better: 283,409 against 285,981 bytes gzipped, for 3.4 KB more raw.
wasm_opt() {
  local opt="$PLAYWRIGHT_DIR/node_modules/.bin/wasm-opt"
  if [ ! -x "$opt" ]; then
    log "wasm-opt not installed (./build.sh setup installs it): module left unoptimised"
    return 0
  fi
  log "wasm-opt -O3"
  "$opt" -O3 --skip-pass=memory-packing "$1" -o "$1.opt" && mv "$1.opt" "$1" || { rm -f "$1.opt"; log "wasm-opt failed: module left unoptimised"; }
}

# A [package] string field of Cargo.toml (the first line that sets it), escaped for JSON.
cargo_field() { sed -n "s/^$1 = \"\(.*\)\"$/\1/p" Cargo.toml | head -1 | sed 's/\\/\\\\/g; s/"/\\"/g'; }

# www/pkg/package.json, so the module installs as an npm package (`npm install ./www/pkg`) with its
# TypeScript types; name, version, description and licence come from Cargo.toml.
write_pkg_json() {
  local name version description license
  name=$(cargo_field name); version=$(cargo_field version)
  description=$(cargo_field description); license=$(cargo_field license)
  cat > www/pkg/package.json <<JSON
{
  "name": "$name",
  "version": "$version",
  "description": "$description",
  "license": "$license",
  "type": "module",
  "main": "stance.js",
  "module": "stance.js",
  "types": "stance.d.ts",
  "exports": {
    ".": { "types": "./stance.d.ts", "default": "./stance.js" },
    "./stance_bg.wasm": "./stance_bg.wasm",
    "./package.json": "./package.json"
  },
  "files": ["stance.js", "stance.d.ts", "stance_bg.wasm", "stance_bg.wasm.d.ts"],
  "sideEffects": false
}
JSON
}

cmd_serve() {
  cmd_build
  command -v node >/dev/null || apt_install nodejs npm
  log "serving www/ on http://127.0.0.1:${PORT:-8080}/ (Ctrl-C to stop)"
  exec node tests/browser/serve.mjs www "${PORT:-8080}"
}

cmd_cli() {
  cargo build --release --features cli
  log "target/release/stance"
}

cmd_model() {
  cmd_cli
  local evals=()
  [ -f ../shared/seeds/labels.tsv ] && evals+=(../shared/seeds/labels.tsv)
  [ -d ../shared/data/real ] && evals+=(../shared/data/real)
  [ ${#evals[@]} -eq 0 ] && log "../shared not found: training without held-out evaluation sets"
  # The shipped model's settings (model/README.md says why); arguments replace them all.
  local settings=(--vocab 40000 --alpha 0.3)
  [ $# -gt 0 ] && settings=("$@")
  ./target/release/stance train --data model/corpus --out model/stance.model \
    --metrics model/metrics.json ${evals[@]+--eval "${evals[@]}"} "${settings[@]}"
}

# --- extension --------------------------------------------------------------------------------
# What the builds ship from www/extension/ (the manifest template and its builder stay behind).
EXT_FILES=(background.js content.js messages.js popup.html popup.js popup.css _locales icons)

# zip_dir DIR OUT.zip: DIR's contents at the root of the archive. `zip` where it is installed,
# else Python's zipfile module (Debian images often lack zip).
zip_dir() {
  local out
  out="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
  rm -f "$out"
  if command -v zip >/dev/null; then
    (cd "$1" && zip -qrX "$out" .)
  elif command -v python3 >/dev/null; then
    (cd "$1" && python3 -m zipfile -c "$out" ./*)
  else
    die "neither zip nor python3 found to write $2"
  fi
}

# Chromium and Firefox builds from the one manifest template, unpacked and zipped, each with its
# own copy of the same www/pkg/ (one WASM package, never forked).
cmd_extension() {
  cmd_build
  command -v node >/dev/null || apt_install nodejs npm
  local version out=target/extension browser dir
  version=$(cargo_field version)
  rm -rf "$out"
  for browser in chromium firefox; do
    dir="$out/$browser"
    mkdir -p "$dir"
    cp -R "${EXT_FILES[@]/#/www/extension/}" "$dir/"
    cp -R www/pkg "$dir/pkg"
    node www/extension/build-manifest.mjs "$browser" "$version" "$dir/manifest.json"
    zip_dir "$dir" "$out/stance-lens-$browser.zip"
    log "$dir/ and $out/stance-lens-$browser.zip"
  done
}

# Manifest validation: Mozilla's `web-ext lint` (addons-linter) on the Firefox build, where
# errors fail the run; the Chromium build has no such linter and is checked by
# tests/browser/extension-manifest.test.mjs and by Chromium loading it in the browser tests.
lint_extension() {
  local webext="$PLAYWRIGHT_DIR/node_modules/.bin/web-ext"
  if [ ! -x "$webext" ]; then
    log "npm ci (web-ext for the extension lint)"
    (cd "$PLAYWRIGHT_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
  log "web-ext lint (Firefox build)"
  NO_UPDATE_NOTIFIER=1 "$webext" lint --source-dir target/extension/firefox --no-config-discovery
}

# --- test -------------------------------------------------------------------------------------
cmd_test() {
  cmd_setup
  log "cargo fmt --check"
  cargo fmt --all -- --check
  log "cargo clippy (native, all targets and features)"
  cargo clippy --all-targets --all-features -- -D warnings
  log "cargo clippy (wasm32)"
  wasm_cargo clippy --lib --tests -- -D warnings
  log "cargo doc"
  RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features --quiet
  log "native tests"
  cargo test --all-features --no-fail-fast
  log "WASM tests (wasm-bindgen-test in Node)"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    wasm_cargo test --release --test wasm ${WASM_TEST_FLAGS:-$( [ "$(wasm_mode)" = debian ] && echo -Zpanic-abort-tests )}
  cmd_extension
  lint_extension
  log "browser tests (Playwright + Chromium)"
  (cd "$PLAYWRIGHT_DIR" && CHROMIUM="$CHROMIUM" node --test --test-reporter=spec ./*.test.mjs)
}

# --- bench ------------------------------------------------------------------------------------
# Everything in one run (about 15 minutes on 2 cores), so the ratios compare figures taken minutes
# apart on the same machine under the same load: native inference (criterion, benches/inference.rs),
# the browser benchmark page (www/bench/) in headless Chromium, sizes, and training: linfa against
# scikit-learn and fastText on one fixed split of model/corpus. Writes target/bench/results.json and
# the generated part of BENCHMARKS.md. BENCH_ALPHA sets the L2 strength of the training comparison.
BENCH_DIR=target/bench

setup_bench_venv() {
  local venv=$BENCH_DIR/venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
  fi
  "$venv/bin/python" -c 'import sklearn, numpy, scipy, brotli' 2>/dev/null || {
    log "pip install scikit-learn numpy scipy brotli (into $venv)"
    "$venv/bin/pip" install -q scikit-learn numpy scipy brotli
  }
  "$venv/bin/python" -c 'import fasttext' 2>/dev/null || {
    log "pip install fasttext-wheel (into $venv)"
    "$venv/bin/pip" install -q fasttext-wheel || log "fastText did not install: its figures will be null"
  }
}

cmd_bench() {
  local out=$BENCH_DIR alpha=${BENCH_ALPHA:-1}
  mkdir -p "$out"
  rm -f "$out"/{native,browser,linfa,compare}.json
  cmd_build
  setup_browser
  setup_bench_venv
  log "native inference (criterion; writes the 5 MB text and plain-timer figures)"
  STANCE_BENCH_OUT="$ROOT/$out" cargo bench --bench inference -- --noplot 2>&1 |
    { grep -E "^[a-z_0-9]+/|time:|thrpt:" >&2 || true; }
  cp "$out/bench-5mb.txt" www/bench/bench-5mb.txt
  log "browser inference (headless Chromium: cold starts, latency, throughput)"
  (cd "$PLAYWRIGHT_DIR" && CHROMIUM="$CHROMIUM" node bench.mjs "$ROOT/$out/browser.json" >/dev/null)
  log "training: export the split, time linfa's fit (alpha $alpha; minutes)"
  cargo build --release --features cli
  ./target/release/stance export --data model/corpus --out "$out/train" --fit --alpha "$alpha" >"$out/linfa.json"
  log "training: scikit-learn and fastText on the same split"
  "$out/venv/bin/python" benches/train_compare.py "$out/train" >"$out/compare.json"
  "$out/venv/bin/python" benches/report.py "$out" BENCHMARKS.md
  log "BENCHMARKS.md and $out/results.json"
}

# --- fuzz -------------------------------------------------------------------------------------
# libFuzzer targets in tests/fuzz/ (its own workspace; see tests/fuzz/README.md). Each runs for
# SECONDS from its committed seeds (tests/fuzz/corpus/<target>/, never written to) plus a working
# corpus in target/fuzz/corpus/<target>/ that grows from run to run; a crash stops the run and
# leaves its input in target/fuzz/artifacts/<target>/ (make it a regression test in tests/).
# No sanitizer by default: the crate has no unsafe code, and ASan would halve the executions; debug
# assertions (overflow checks) stay on. FUZZ_SANITIZER=address to use it, FUZZ_TARGETS to pick.
cmd_fuzz() {
  local seconds=${1:-60} sanitizer=${FUZZ_SANITIZER:-none} t log
  [[ "$seconds" =~ ^[0-9]+$ ]] || die "fuzz: SECONDS must be a whole number, got '$seconds'"
  command -v rustup >/dev/null || die "fuzz: needs rustup and its nightly toolchain"
  rustup run nightly rustc --version >/dev/null 2>&1 || {
    log "rustup toolchain install nightly (cargo-fuzz needs it)"
    rustup toolchain install nightly --profile minimal
  }
  command -v cargo-fuzz >/dev/null || { log "cargo install cargo-fuzz (once)"; cargo install cargo-fuzz; }
  local targets=${FUZZ_TARGETS:-$(cargo +nightly fuzz list --fuzz-dir tests/fuzz)}
  log "cargo fuzz build (sanitizer: $sanitizer)"
  cargo +nightly fuzz build --fuzz-dir tests/fuzz -s "$sanitizer" --debug-assertions
  mkdir -p target/fuzz
  for t in $targets; do
    mkdir -p "target/fuzz/corpus/$t" "target/fuzz/artifacts/$t"
    log "fuzz $t for ${seconds}s"
    log=target/fuzz/$t.log
    # The working corpus first: libFuzzer adds new inputs to the first directory only.
    if ! cargo +nightly fuzz run --fuzz-dir tests/fuzz -s "$sanitizer" --debug-assertions "$t" \
        "target/fuzz/corpus/$t" "tests/fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="target/fuzz/artifacts/$t/" 2>"$log"; then
      tail -40 "$log" >&2
      die "fuzz $t: crash or failure; input saved in target/fuzz/artifacts/$t/, log in $log"
    fi
    # One line per target: executions, speed, coverage.
    awk -v t="$t" '/stat::number_of_executed_units/ {n=$2} /stat::average_exec_per_sec/ {s=$2}
      /^Done/ {d=$0} END {printf "    %-12s %s executions, %s/s  (%s)\n", t, n, s, d}' "$log" >&2
  done
}

case "${1:-}" in
  setup) cmd_setup ;;
  build) cmd_build ;;
  serve) cmd_serve ;;
  test) cmd_test ;;
  cli) cmd_cli ;;
  model) shift; cmd_model "$@" ;;
  extension) cmd_extension ;;
  fuzz) shift; cmd_fuzz "$@" ;;
  bench) cmd_bench ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; [ -n "${1:-}" ] && exit 2; exit 0 ;;
esac
