// The browser benchmark (`./build.sh bench` runs it in headless Chromium; open /bench/ to run it
// by hand). It measures the very module the page uses, the way the page uses it:
//   cold start   fetch + compile + instantiate stance_bg.wasm, then `new Classifier()` (which parses
//                the embedded model): what a first visit waits for before the first result;
//   latency      `classifyBlock(paragraph)` per paragraph of a fixed sample, p50/p99 over passes;
//   throughput   the whole text through `session().classifyChunk()` in the page worker's chunks,
//                MB/s (10^6 bytes of UTF-8 per second), median of passes after a warm-up pass.
// The sample and the text are those of the native benchmark (benches/inference.rs), so the two
// figures compare. Results land in window.benchResults, <pre id="results"> and
// <body data-state="done"> (or "error" with the message in #status).
import init, { Classifier, version } from '../pkg/stance.js';
import { chunkBounds } from '../lib/chunks.js';

const params = new URLSearchParams(location.search);
const quick = params.has('quick');
const coldOnly = params.get('run') === 'cold';
const textUrl = params.get('text') || 'bench-5mb.txt';
/** Paragraphs in the latency sample (benches/inference.rs SAMPLE). */
const SAMPLE = 2000;
const PASSES = quick ? 1 : 5;

const status = document.getElementById('status');
const say = (s) => { status.textContent = s; };
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
/** Nearest-rank on the sorted values, rounding the index as benches/inference.rs does. */
const percentile = (sorted, p) => sorted[Math.round((p / 100) * (sorted.length - 1))];

/** The smallest step performance.now() takes here (100 µs unless cross-origin isolated). */
function timerResolutionUs() {
  let best = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best * 1000;
}

/** The latency sample: SAMPLE non-empty lines, evenly spaced (as benches/inference.rs picks them). */
function samplePara(text) {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const step = Math.max(1, Math.floor(lines.length / SAMPLE));
  const out = [];
  for (let i = 0; i < lines.length && out.length < SAMPLE; i += step) out.push(lines[i]);
  return quick ? out.slice(0, 200) : out;
}

/** One pass over the text as the page's worker runs it; returns [seconds, paragraphs]. */
function classifyAll(classifier, text) {
  const session = classifier.session();
  let paragraphs = 0;
  const t = performance.now();
  try {
    for (const [start, end] of chunkBounds(text)) {
      paragraphs += session.classifyChunk(text.slice(start, end), start).length;
    }
  } finally {
    session.free();
  }
  return [(performance.now() - t) / 1000, paragraphs];
}

function show(results) {
  const rows = [
    ['Cold start (fetch + compile + instantiate + model), ms', results.cold_start_ms],
    ['  of which module fetch + compile + instantiate, ms', results.init_ms],
    ['    of which waiting for the module (request to last byte), ms', results.wasm_fetch_ms],
    ['  of which new Classifier() (model parse), ms', results.model_ms],
    ['Latency p50, µs', results.latency_p50_us],
    ['Latency p99, µs', results.latency_p99_us],
    ['Throughput, MB/s', results.mb_per_s],
    ['Timer resolution, µs', results.timer_resolution_us],
  ];
  const body = document.querySelector('#table tbody');
  body.replaceChildren(...rows.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = k;
    const td = document.createElement('td');
    td.textContent = typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 1) : String(v);
    tr.append(th, td);
    return tr;
  }));
  document.getElementById('table').hidden = false;
  document.getElementById('results').textContent = JSON.stringify(results, null, 2);
}

/**
 * How much of `init()` (started at `t0`) went to waiting for the module's bytes: from `t0` to the
 * last byte of stance_bg.wasm (Resource Timing). The rest of `init()` is compile + instantiate.
 */
function wasmFetchMs(t0) {
  const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
  return entry ? entry.responseEnd - t0 : null;
}

async function run() {
  const results = { version: null, user_agent: navigator.userAgent, cross_origin_isolated: self.crossOriginIsolated };
  const t0 = performance.now();
  await init();
  const t1 = performance.now();
  const classifier = new Classifier();
  const t2 = performance.now();
  Object.assign(results, {
    version: version(),
    cold_start_ms: t2 - t0,
    init_ms: t1 - t0,
    model_ms: t2 - t1,
    ready_since_navigation_ms: t2,
    wasm_fetch_ms: wasmFetchMs(t0),
  });
  if (coldOnly) return results;

  results.timer_resolution_us = timerResolutionUs();
  say('Fetching the benchmark text…');
  const response = await fetch(textUrl);
  if (!response.ok) {
    throw new Error(`no benchmark text at ${textUrl} (HTTP ${response.status}): run ./build.sh bench first`);
  }
  const text = await response.text();
  results.text_bytes = new TextEncoder().encode(text).length;

  say('Latency…');
  await nextTurn();
  const sample = samplePara(text);
  for (const p of sample.slice(0, 100)) classifier.classifyBlock(p); // warm-up (tier-up)
  const lat = [];
  for (let pass = 0; pass < PASSES; pass++) {
    for (const p of sample) {
      const t = performance.now();
      classifier.classifyBlock(p);
      lat.push((performance.now() - t) * 1000);
    }
    await nextTurn();
  }
  lat.sort((a, b) => a - b);
  Object.assign(results, {
    latency_sample: sample.length,
    latency_mean_us: lat.reduce((a, b) => a + b, 0) / lat.length,
    latency_p50_us: percentile(lat, 50),
    latency_p99_us: percentile(lat, 99),
  });

  say('Throughput: warm-up pass…');
  await nextTurn();
  classifyAll(classifier, text);
  const runs = [];
  for (let pass = 0; pass < PASSES; pass++) {
    say(`Throughput: pass ${pass + 1} of ${PASSES}…`);
    await nextTurn();
    const [seconds, paragraphs] = classifyAll(classifier, text);
    runs.push(results.text_bytes / 1e6 / seconds);
    results.paragraphs = paragraphs;
  }
  results.mb_per_s_runs = runs;
  results.mb_per_s = median(runs);
  classifier.free();
  return results;
}

run().then((results) => {
  window.benchResults = results;
  show(results);
  say('Done.');
  document.body.dataset.state = 'done';
}, (e) => {
  window.benchResults = { error: String(e?.message ?? e) };
  say(`Error: ${e?.message ?? e}`);
  document.body.dataset.state = 'error';
});
