// The benchmark page (www/bench/, run in full by `./build.sh bench`) loads under the page's CSP
// and reports numbers: a quick run over a small text, so the page cannot rot between benchmarks.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './page-helpers.mjs';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));

test('the benchmark page measures cold start, latency and throughput', async () => {
  const server = await serve(join(here, '..', '..', 'www'), 0);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    // A small text in place of the 5 MB one `./build.sh bench` writes.
    const text = await readFile(join(here, '..', 'fixtures', 'parity_texts.txt'), 'utf8');
    await page.route('**/bench/small.txt', (route) =>
      route.fulfill({ body: text, contentType: 'text/plain; charset=utf-8' }));
    await page.goto(`${base}bench/?quick=1&text=small.txt`);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout: 30_000 });
    const r = await page.evaluate(() => window.benchResults);
    assert.deepEqual(errors, []);
    assert.equal(r.error, undefined, r.error);
    for (const k of ['cold_start_ms', 'init_ms', 'model_ms', 'latency_p50_us', 'latency_p99_us', 'mb_per_s']) {
      assert.ok(Number.isFinite(r[k]) && r[k] >= 0, `${k} = ${r[k]}`);
    }
    // The module's bytes arrive within init(): the wait is part of it, never more.
    assert.ok(Number.isFinite(r.wasm_fetch_ms) && r.wasm_fetch_ms >= 0 && r.wasm_fetch_ms <= r.init_ms,
      `wasm_fetch_ms ${r.wasm_fetch_ms}, init_ms ${r.init_ms}`);
    assert.ok(r.mb_per_s > 0);
    assert.ok(r.latency_p50_us <= r.latency_p99_us);
    assert.equal(r.text_bytes, Buffer.byteLength(text));
    assert.ok(r.paragraphs > 0);
    assert.match(await page.locator('#table').innerText(), /Throughput/);
    await context.close();
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
});
