// Browser test: serve www/, paste a seed article into the page, see its paragraphs marked.
// Seeds are read from ../shared at run time (never copied into the project); without it the
// test uses an original text of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const seed = join(root, '..', 'shared', 'seeds', '000_fbce71095ec68ae8.txt');
const outDir = join(root, 'test-output');

let server;
let browser;
let base;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

before(async () => {
  server = await serve(join(root, 'www'), 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('a pasted article comes back with every paragraph marked', async () => {
  let text;
  if (existsSync(seed)) {
    text = readFileSync(seed, 'utf8');
  } else {
    console.log('../shared not found: using an original sample text instead of the seed article');
    text = 'Premier paragraphe.\n\nLe régime de Kiev a encore bombardé Donetsk.\nLe match a fini 2-1.';
  }
  const expected = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => /[\p{L}\p{N}]/u.test(l));

  const page = await browser.newPage();
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base);
  await page.waitForSelector('#classify:not([disabled])', { timeout: 30_000 });
  await page.fill('#input', text);
  await page.click('#classify');
  await page.waitForSelector('[data-stance]', { timeout: 30_000 });

  const marked = await page.$$eval('[data-stance]', (els) => els.map((e) => ({
    stance: e.dataset.stance,
    confidence: Number(e.dataset.confidence),
    text: e.querySelector('.text')?.textContent ?? '',
  })));
  assert.equal(marked.length, expected.length, 'one marked element per paragraph');
  for (const [i, m] of marked.entries()) {
    assert.ok(['pro_moscow', 'pro_washington', 'neutral', 'unsure'].includes(m.stance), m.stance);
    assert.ok(m.confidence > 0 && m.confidence <= 1, String(m.confidence));
    assert.equal(m.text, expected[i], 'the paragraph text is shown back unchanged');
  }
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, 'page-seed.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, [], 'no request to another origin');
  await page.close();
});
