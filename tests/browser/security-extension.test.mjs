// The extension against hostile pages and a damaged model, in Chromium with the unpacked build
// (target/extension/chromium, from `./build.sh extension`), as extension.test.mjs loads it.
//
// - Page-borne markup and script stay inert: a page (served WITHOUT a CSP, so an injection would
//   run) whose paragraphs hold "<img onerror>", "<script>", "<svg onload>" and "javascript:" as
//   text is marked; nothing runs, nothing is requested, the page's own markup is untouched, and
//   the overlay and its tooltip (which show words taken from the page) hold only their own
//   elements, with the page's words as text.
// - A damaged model is refused in words: copies of the build whose embedded model (inside
//   pkg/stance_bg.wasm) has a flipped byte, a future format version, another featurizer version or
//   a declared length past its end (how a cut file reads); marking a page then fails, and the popup
//   says so with the core's named error ("corrupt model: checksum ...", "unsupported model format
//   version ...", "model/featurizer mismatch: ...", "truncated model: ...").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { clickToolbarButton, launchWithExtension, popupSession } from './extension-helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const EXTENSION = join(here, '..', '..', 'target', 'extension', 'chromium');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Each payload would set window.__pwned, open a dialog or request a /evil URL if it ever ran or
// rendered. The words around them make each block long enough to be marked.
const PAYLOADS = [
  '<img src="/evil-img" onerror="window.__pwned=1;alert(1)">',
  '<script>window.__pwned=2;alert(2)</script>',
  '<svg onload="window.__pwned=3"><a href="javascript:window.__pwned=4">x</a></svg>',
  '"><iframe src="/evil-frame"></iframe><b onmouseover="window.__pwned=5">gras</b>',
  '{{constructor.constructor(\'window.__pwned=6\')()}} ${window.__pwned=7}',
];
const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const HOSTILE_PAGE = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Hostile</title></head>
<body><main>
${PAYLOADS.map((p, i) => `<p data-i="${i}">Le Kremlin et l’Otan ${escapeHtml(p)} se sont accusés mutuellement de provocations à la frontière.</p>`).join('\n')}
<p data-i="own">Un paragraphe avec le <b>balisage</b> de la page elle-même et <a href="/evil-link">un lien</a> vers Washington.</p>
</main></body></html>`;

const PLAIN_PAGE = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Plain</title></head>
<body><p>Les négociations entre Moscou et Washington ont repris à Genève sans progrès notable cette semaine.</p></body></html>`;

let server;
let base;
const served = [];

before(async () => {
  assert.ok(existsSync(join(EXTENSION, 'manifest.json')), `${EXTENSION} is missing: run ./build.sh extension first`);
  server = createServer((req, res) => {
    served.push(req.url);
    const page = req.url === '/' ? HOSTILE_PAGE : req.url === '/plain' ? PLAIN_PAGE : null;
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    // Deliberately no Content-Security-Policy: the extension must not rely on the page's.
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}/`;
});

after(() => {
  server?.closeAllConnections();
  server?.close();
});

/**
 * Polls the popup the toolbar click opened until `read()` (run in it) satisfies `done`; returns
 * the last value read, and closes the popup.
 */
async function readPopup(e, read, done) {
  const popup = await popupSession(e);
  try {
    const evaluate = () => popup
      .call('Runtime.evaluate', { expression: `(${read})()`, returnByValue: true })
      .then((r) => r?.result?.value, () => undefined);
    let value = await evaluate();
    for (let i = 0; i < 150 && !done(value); i++) {
      await sleep(100);
      value = await evaluate();
    }
    await popup.closeTarget();
    return value;
  } finally {
    await popup.detach();
  }
}

test('markup and script in a page stay text: nothing runs, nothing is injected or requested', async () => {
  const ext = await launchWithExtension(EXTENSION);
  try {
    const page = await ext.context.newPage();
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    await page.goto(base);
    const before = await page.evaluate(() => document.body.innerHTML);
    await clickToolbarButton(ext, base);
    const tabId = await ext.worker.evaluate((u) => self.stanceLens.tabIdForUrl(u), base);
    const summary = await ext.worker.evaluate((t) => self.stanceLens.markTab(t), tabId);
    assert.equal(summary.blocks, PAYLOADS.length + 1, 'every paragraph is marked');

    // The blocks show the payloads as the page wrote them: as text.
    const shown = await page.$$eval('p[data-i]', (ps) => ps.map((p) => p.textContent));
    for (const [i, p] of PAYLOADS.entries()) assert.ok(shown[i].includes(p), `payload ${i} shown as text`);
    // Hover every badge: the tooltip lists words taken from the page.
    const host = page.locator('stance-lens-overlay');
    const badges = host.locator('.badge');
    assert.equal(await badges.count(), PAYLOADS.length + 1);
    const tips = [];
    for (let i = 0; i < PAYLOADS.length + 1; i++) {
      await badges.nth(i).hover();
      const tip = host.locator('.tooltip');
      await tip.waitFor({ state: 'visible', timeout: 5_000 });
      tips.push(await tip.textContent());
    }
    await page.mouse.move(0, 0);
    assert.ok(tips.some((t) => /Words: /.test(t)), `a tooltip names words: ${tips.join(' | ')}`);

    // Only the overlay's own elements anywhere in it: nothing built from page text.
    const overlay = await page.evaluate(() => {
      const root = document.querySelector('stance-lens-overlay')?.shadowRoot;
      return [...(root?.querySelectorAll('*') ?? [])].map((el) => el.localName);
    });
    assert.ok(overlay.length > 0);
    assert.deepEqual([...new Set(overlay)].sort(), ['div', 'span'], `overlay elements: ${overlay}`);

    // The page is as it was, but for the two attributes the extension adds to each block.
    const after = await page.evaluate(() => {
      const copy = document.body.cloneNode(true);
      for (const el of copy.querySelectorAll('[data-stance], [data-confidence]')) {
        el.removeAttribute('data-stance');
        el.removeAttribute('data-confidence');
      }
      return copy.innerHTML;
    });
    assert.equal(after, before);
    assert.equal(await page.locator('img, script, svg, iframe, main b[onmouseover]').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no payload ran in the page');
    assert.deepEqual(dialogs, [], 'no dialog opened');
    assert.deepEqual(served.filter((u) => u.startsWith('/evil')), [], 'nothing the payloads name was requested');
  } finally {
    await ext.close();
  }
});

/**
 * A copy of the extension whose embedded model is altered by `damage(bytes, at)` (`at`: where the
 * model starts inside stance_bg.wasm). The model is found by its magic "STLM" and checked by its
 * length and CRC, so the test damages the real model and nothing else.
 */
function damagedCopy(damage) {
  const dir = mkdtempSync(join(tmpdir(), 'stance-sec-ext-'));
  cpSync(EXTENSION, dir, { recursive: true });
  const path = join(dir, 'pkg', 'stance_bg.wasm');
  const wasm = readFileSync(path);
  let at = -1;
  for (let i = wasm.indexOf('STLM'); i >= 0; i = wasm.indexOf('STLM', i + 1)) {
    const total = wasm.readUInt32LE(i + 8);
    if (total < 16 || i + total > wasm.length) continue;
    if (crc32(wasm.subarray(i, i + total - 4)) === wasm.readUInt32LE(i + total - 4)) {
      at = i;
      break;
    }
  }
  assert.ok(at >= 0, 'the embedded model was found in stance_bg.wasm');
  damage(wasm, at);
  writeFileSync(path, wasm);
  return dir;
}

const DAMAGES = [
  {
    what: 'a flipped byte',
    damage: (b, at) => { b[at + Math.floor(b.readUInt32LE(at + 8) / 2)] ^= 0x20; },
    words: /corrupt model: checksum 0x[0-9a-f]{8} does not match the contents/,
  },
  {
    what: 'a future format version',
    damage: (b, at) => b.writeUInt16LE(9, at + 4),
    words: /unsupported model format version 9: this build reads version \d+/,
  },
  {
    what: 'another featurizer version',
    damage: (b, at) => b.writeUInt16LE(99, at + 6),
    words: /model\/featurizer mismatch: the model was trained with featurizer version 99/,
  },
  {
    // The embedded bytes cannot be cut inside the module; a declared length past them is what a
    // cut file looks like to the reader.
    what: 'a length past its end (cut short)',
    damage: (b, at) => b.writeUInt32LE(b.readUInt32LE(at + 8) + 1000, at + 8),
    words: /truncated model: \d+ of \d+ bytes present/,
  },
];

for (const { what, damage, words } of DAMAGES) {
  test(`a model with ${what} is refused, and the popup says which problem it is`, async () => {
    const dir = damagedCopy(damage);
    const ext = await launchWithExtension(dir);
    try {
      const page = await ext.context.newPage();
      const url = `${base}plain`;
      await page.goto(url);
      const popupStatus = () => readPopup(
        ext,
        () => {
          const s = document.getElementById('status');
          return { text: s.textContent, error: s.classList.contains('error') };
        },
        (v) => v?.error,
      );
      // The toolbar click opens the popup, which marks the page: it says why it cannot.
      await clickToolbarButton(ext, url);
      for (const time of ['first', 'second']) {
        const status = await popupStatus();
        assert.ok(status?.error, `${time} opening: the popup shows an error: ${JSON.stringify(status)}`);
        assert.match(status.text, /^This page cannot be marked: /);
        assert.match(status.text, words);
        // Opened again on the same page, the popup must say it again, not "0 paragraphs marked".
        if (time === 'first') await clickToolbarButton(ext, url);
      }
      // The worker's own API (what the toolbar action calls) rejects with the core's error too.
      const tabId = await ext.worker.evaluate((u) => self.stanceLens.tabIdForUrl(u), url);
      const direct = await ext.worker.evaluate(async (t) => {
        try {
          await self.stanceLens.markTab(t);
          return null;
        } catch (e) {
          return String(e.message);
        }
      }, tabId);
      assert.match(direct ?? 'marked anyway', words);
      assert.equal(await page.locator('[data-stance]').count(), 0, 'nothing is marked with a broken model');
    } finally {
      await ext.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
