// Shared helpers of the reader's page tests (page-*.test.mjs): serving www/, launching Debian's
// Chromium, one fresh browser context per test (so no service worker or cache survives from one
// test to the next), recording every request to another origin, and driving the page.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const www = join(root, 'www');
/** The team's seed articles, read at run time and never copied into the project. */
export const seedsDir = join(root, '..', 'shared', 'seeds');
export const hasSeeds = existsSync(join(seedsDir, 'labels.tsv'));
export const outDir = join(root, 'test-output');
mkdirSync(outDir, { recursive: true });

/** Launches Chromium (CHROMIUM overrides the path). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Serves www/ on a free port; resolves to {server, base, close()}. */
export async function startServer() {
  const server = await serve(www, 0);
  return {
    server,
    base: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The fixture of a page test file: serves www/ and launches Chromium before its tests, closes both
 * after them. Returns `{server, browser}`, filled in once the tests start.
 */
export function pageSuite() {
  const suite = { server: null, browser: null };
  before(async () => {
    suite.server = await startServer();
    suite.browser = await launch();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/**
 * A fresh context and page on `base`, recording requests to other origins, page errors and
 * dialogs. `options` go to browser.newContext (locale, viewport, colorScheme...).
 */
export async function openPage(browser, base, options = {}) {
  const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true, ...options });
  const origin = new URL(base).origin;
  const record = { foreign: [], errors: [], dialogs: [], requests: [] };
  // Same origin, or a blob: URL the page made itself (downloads).
  const own = (url) => url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`) || url.startsWith('data:');
  context.on('request', (r) => {
    record.requests.push(r.url());
    if (!own(r.url())) record.foreign.push(r.url());
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => record.errors.push(String(e)));
  page.on('dialog', (d) => {
    record.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  return { context, page, record };
}

/** Closes a context opened by openPage, asserting nothing reached another origin and no error. */
export async function closePage({ context, record }) {
  await context.close();
  assert.deepEqual(record.foreign, [], 'no request to another origin');
  assert.deepEqual(record.errors, [], 'no uncaught error in the page');
  assert.deepEqual(record.dialogs, [], 'no dialog opened');
}

/**
 * Waits until <body data-state> is `state`. A MutationObserver in the page, not waitForSelector:
 * Playwright's selector polling walks the whole DOM, which with 50,000 paragraphs is itself a
 * long task on the main thread and would pollute the long-task measurement.
 */
export function waitState(page, state, timeout = 60_000) {
  return page.evaluate(([want, ms]) => new Promise((resolve, reject) => {
    const now = () => document.body.dataset.state;
    // 'failed' is final: say why at once instead of waiting for the timeout.
    const failed = () => want !== 'failed' && now() === 'failed';
    const why = () => `the page failed to start: ${document.getElementById('error').textContent.trim()}`;
    if (now() === want) return resolve();
    if (failed()) return reject(new Error(why()));
    const timer = setTimeout(() => reject(new Error(`state still ${now()} after ${ms} ms, not ${want}`)), ms);
    new MutationObserver((_, observer) => {
      if (now() !== want && !failed()) return;
      observer.disconnect();
      clearTimeout(timer);
      if (now() === want) resolve();
      else reject(new Error(why()));
    }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  }), [state, timeout]);
}

/** Loads the page and waits until the classifier is ready. */
export async function load(page, base) {
  await page.goto(base);
  await waitState(page, 'ready', 30_000);
}

/**
 * Puts `text` in #input the fast way (fill() types megabytes slowly), as a paste would: value,
 * then an input event.
 */
export function setText(page, text) {
  return page.evaluate((t) => {
    const input = document.getElementById('input');
    input.value = t;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

/** Sets the text, clicks Classify and waits for the page to be done. */
export async function classify(page, text, timeout = 60_000) {
  await setText(page, text);
  await page.click('#classify');
  await waitState(page, 'done', timeout);
}

/** Every marked paragraph as shown: stance, label, confidence, offsets and text. */
export function readMarks(page) {
  return page.$$eval('#output [data-stance]', (els) => els.map((e) => ({
    stance: e.dataset.stance,
    label: e.dataset.label,
    confidence: Number(e.dataset.confidence),
    start: Number(e.dataset.start),
    end: Number(e.dataset.end),
    text: e.querySelector('.text').textContent,
    badge: e.querySelector('.badge').textContent,
  })));
}

/** The paragraphs the core finds in `text` (every line with a letter or digit, trimmed). */
export function expectedParagraphs(text) {
  return text.split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/).map((l) => l.trim()).filter((l) => /[\p{L}\p{N}]/u.test(l));
}

/** A small original text (written for these tests) with paragraphs of each kind. */
export const SAMPLE = [
  'Le régime de Kiev a encore bombardé Donetsk, affirment les autorités locales.',
  '',
  'Washington and its allies pledged new support for Ukraine’s defence against the invasion.',
  'The match ended 2-1 after extra time in front of a full stadium.',
  'L’Otan poursuit son expansion vers l’est malgré les avertissements répétés de Moscou.',
  'La météo annonce des averses sur la Bretagne pour le week-end.',
].join('\n');

/** Deterministic pseudo-random numbers (mulberry32), so generated texts are the same every run. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ('Moscou Washington Kiev Otan sanctions régime frappe négociations accord ministère ' +
  'porte-parole déclaration alliés sommet rapport élections météo match récolte festival musée ' +
  'the talks resumed today while officials said that le gouvernement a annoncé une réforme des ' +
  'retraites pendant que les marchés restaient calmes selon les analystes et la presse locale').split(' ');

/** About `bytes` UTF-8 bytes of generated lines of 60–140 characters: ~50,000 paragraphs for 5 MB. */
export function bigText(bytes, seed = 42) {
  const rand = prng(seed);
  const lines = [];
  let size = 0;
  while (size < bytes) {
    const target = 60 + Math.floor(rand() * 80);
    let line = '';
    while (line.length < target) line += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
    line = `${line.trim()}.`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return lines.join('\n');
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of strings. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Clicks `selector` and returns the text of the file it downloads. */
export async function downloadText(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

/** Sets the threshold slider as a user would (value, then an input event). */
export function setThreshold(page, value) {
  return page.evaluate((v) => {
    const slider = document.getElementById('threshold');
    slider.value = String(v);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Waits until every paragraph's data-stance agrees with the slider's threshold. */
export function waitMarksFollowThreshold(page) {
  return page.waitForFunction(() => {
    const t = Number(document.getElementById('threshold').value);
    return Array.from(document.querySelectorAll('#output [data-stance]')).every((e) => {
      const c = Number(e.dataset.confidence);
      // data-confidence has 4 decimals: a paragraph within rounding of the threshold may go either way.
      if (Math.abs(c - t) < 1e-4) return true;
      return e.dataset.stance === (c >= t ? e.dataset.label : 'unsure');
    });
  });
}
