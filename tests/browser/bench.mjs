// Runs the browser benchmark (www/bench/) in headless Chromium for `./build.sh bench`:
//   node tests/browser/bench.mjs [OUT.json] [--cold N]
// Serves www/ on 127.0.0.1 with the page's CSP plus cross-origin isolation (COOP/COEP), which
// gives performance.now() 5 µs resolution instead of 100 µs. Cold start: N fresh loads, each in a
// new browser context (empty HTTP and code caches) with the cache disabled through the DevTools
// protocol; the figures are medians. Then one full run (latency and throughput) in another fresh
// context. Prints and writes the results as JSON.
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const www = resolve(here, '..', '..', 'www');
const args = process.argv.slice(2);
const coldIdx = args.indexOf('--cold');
const COLD_LOADS = coldIdx >= 0 ? Number(args.splice(coldIdx, 2)[1]) : 15;
const out = args[0];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Loads /bench/?query in a fresh context with the cache disabled; resolves to window.benchResults. */
async function load(browser, base, query, timeout) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}bench/?${query}`);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout, polling: 250 });
    const results = await page.evaluate(() => window.benchResults);
    if (results.error || errors.length) throw new Error(`bench page: ${results.error ?? errors.join('; ')}`);
    return results;
  } finally {
    await context.close();
  }
}

// Cross-origin isolation for 5 µs timers; no-store so every cold load fetches the module again.
const server = await serve(www, 0, '127.0.0.1', {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cache-Control': 'no-store',
});
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const cold = [];
  for (let i = 0; i < COLD_LOADS; i++) cold.push(await load(browser, base, 'run=cold', 60_000));
  const full = await load(browser, base, '', 15 * 60_000);
  const results = {
    chromium: browser.version(),
    cold_loads: cold.length,
    cold_start_ms: median(cold.map((r) => r.cold_start_ms)),
    cold_start_ms_runs: cold.map((r) => r.cold_start_ms),
    init_ms: median(cold.map((r) => r.init_ms)),
    model_ms: median(cold.map((r) => r.model_ms)),
    wasm_fetch_ms: median(cold.map((r) => r.wasm_fetch_ms)),
    ready_since_navigation_ms: median(cold.map((r) => r.ready_since_navigation_ms)),
    ...Object.fromEntries(Object.entries(full).filter(([k]) => !/^(cold_start|init|model|ready_since|wasm_fetch)/.test(k))),
  };
  const json = JSON.stringify(results, null, 2);
  if (out) await writeFile(out, json + '\n');
  console.log(json);
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
