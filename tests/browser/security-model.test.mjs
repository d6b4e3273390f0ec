// The reader's page against damaged model files and hostile text (see also page-errors and
// page-safety): every kind of damaged model file is refused, and the page says in words which
// kind it is (the core's named error under the page's own sentence), while the built-in model
// keeps working; text holding lone UTF-16 surrogates (legal in JS strings, not in Rust) is
// classified with offsets that still cut the right lines out of the reader's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  classify, closePage, load, openPage, pageSuite, readMarks, root, SAMPLE,
} from './page-helpers.mjs';

const MODEL = join(root, 'model', 'stance.model');

const suite = pageSuite();

/** The file with its CRC recomputed, as a buggy writer (not a damaged copy) would leave it. */
function resealed(b) {
  const out = Buffer.from(b);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

/** [what, damage(bytes) -> bytes, the named error the page must show]. */
const DAMAGED = [
  ['cut short', (b) => b.subarray(0, b.length - 1000), /truncated model: /],
  ['a flipped byte', (b) => { const c = Buffer.from(b); c[c.length >> 1] ^= 0x08; return c; }, /corrupt model: checksum /],
  ['bytes after its end', (b) => Buffer.concat([b, Buffer.from('junk')]), /corrupt model: 4 bytes after the end/],
  ['a future format version', (b) => { const c = Buffer.from(b); c.writeUInt16LE(9, 4); return c; }, /unsupported model format version 9: /],
  ['another featurizer version', (b) => { const c = Buffer.from(b); c.writeUInt16LE(99, 6); return c; }, /model\/featurizer mismatch: .*featurizer version 99/],
  ['unknown featurizer settings', (b) => { const c = Buffer.from(b); c[16] |= 0x80; return resealed(c); }, /model\/featurizer mismatch: unknown featurizer flags/],
  ['another format altogether', () => Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'), /not a Stance Lens model/],
];

test('each kind of damaged model file is refused, named in words; the built-in model keeps working', { skip: !existsSync(MODEL) && 'no model/stance.model' }, async () => {
  const good = readFileSync(MODEL);
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  for (const [what, damage, words] of DAMAGED) {
    // Clear the previous error first, so each check sees its own.
    await classify(page, SAMPLE);
    assert.ok(await page.isHidden('#error'), `${what}: no error before`);
    await page.setInputFiles('#model-file', { name: `${what}.model`, mimeType: 'application/octet-stream', buffer: damage(good) });
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error-text'), /model could not be read/, what);
    const detail = await page.textContent('#error-detail');
    assert.match(detail, words, `${what}: ${detail}`);
    assert.ok(!/panicked|unreachable|RuntimeError/.test(detail), `${what}: ${detail}`);
  }
  // The built-in model still classifies.
  await classify(page, SAMPLE);
  assert.ok((await readMarks(page)).length > 0);
  await closePage(ctx);
});

test('lone UTF-16 surrogates in the text: no failure, and each mark shows exactly its line', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  // Built and compared inside the page: lone surrogates do not survive the trip through JSON.
  await page.evaluate(() => {
    const text = 'Moscou \uD800 dénonce les sanctions.\n\n\uDC00Washington répond 😀 aussitôt\uDBFF\n\uDFFF\uD800';
    const input = document.getElementById('input');
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.click('#classify');
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state));
  const check = await page.evaluate(() => {
    const text = document.getElementById('input').value;
    const marks = [...document.querySelectorAll('#output [data-stance]')];
    return {
      state: document.body.dataset.state,
      count: marks.length,
      same: marks.map((m) => text.slice(Number(m.dataset.start), Number(m.dataset.end)) === m.querySelector('.text').textContent),
      firsts: marks.map((m) => text.charCodeAt(Number(m.dataset.start)).toString(16)),
    };
  });
  assert.equal(check.state, 'done');
  // The last line holds only two lone surrogates: no letter, so no paragraph.
  assert.equal(check.count, 2, JSON.stringify(check));
  assert.deepEqual(check.same, [true, true], 'each mark shows the slice of the text its offsets name');
  assert.deepEqual(check.firsts, ['4d', 'dc00'], 'the second paragraph starts at the lone surrogate');
  await closePage(ctx);
});
