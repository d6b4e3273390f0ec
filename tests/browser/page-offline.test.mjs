// Offline: after one visit the service worker has cached the page, its modules and the WASM
// module with its model; with the network off (Playwright's setOffline) AND the server stopped,
// a reload still classifies. Each test has a fresh browser context, so no cache or service worker
// survives from one test (or one run) to the next — the first test checks that too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  classify, closePage, expectedParagraphs, launch, load, openPage, readMarks, SAMPLE, startServer,
  waitState, www,
} from './page-helpers.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

// Everything under www/ the page itself loads (not the extension or the bench, not type stubs).
function pageFiles(dir = www) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const rel = relative(www, path).split(sep).join('/');
    if (['extension', 'bench'].includes(rel) || /\.d\.ts$|package\.json$/.test(rel)) return [];
    return statSync(path).isDirectory() ? pageFiles(path) : [rel];
  });
}

test('the service worker caches every file of the page', () => {
  const source = readFileSync(join(www, 'sw.js'), 'utf8');
  const list = source.slice(source.indexOf('const ASSETS = ['), source.indexOf('];', source.indexOf('const ASSETS = [')));
  const cached = new Set([...list.matchAll(/'([^']+)'/g)].map((m) => m[1]));
  for (const file of pageFiles()) {
    if (file === 'sw.js') continue; // the worker itself is kept by the browser, not the cache
    assert.ok(cached.has(file), `sw.js ASSETS lists ${file}`);
  }
  assert.ok(cached.has('./'), 'the page URL itself is cached');
});

test('after one visit the page loads and classifies offline', async () => {
  const server = await startServer();
  const ctx = await openPage(browser, server.base);
  const { page, context } = ctx;
  await load(page, server.base);
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null,
    'a fresh context starts without a service worker from an earlier test');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  const version = await page.evaluate(async () => (await caches.keys()).find((k) => k.startsWith('stance-lens-v')));
  assert.ok(version, 'a versioned cache was created');
  assert.match(await page.textContent('#offline'), /offline/i, 'the page says it works offline');

  await context.setOffline(true);
  await server.close();
  await page.reload();
  await waitState(page, 'ready', 30_000);
  await classify(page, SAMPLE);
  const marks = await readMarks(page);
  assert.deepEqual(marks.map((m) => m.text), expectedParagraphs(SAMPLE), 'classified offline');
  await closePage(ctx);
});
