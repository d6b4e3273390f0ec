// When something goes wrong the reader gets a sentence in their language, not a blank page: the
// module cannot be loaded, the browser has no WebAssembly, a model file cannot be read, or there
// is nothing to classify. Another model file can be loaded, and the built-in one restored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classify, closePage, load, openPage, pageSuite, readMarks, root, SAMPLE, setText, waitState,
} from './page-helpers.mjs';

const suite = pageSuite();

const errorText = (page) => page.textContent('#error-text');

test('a module that fails to load gives a clear message, in English and in French', async () => {
  for (const [locale, words] of [['en-US', /could not be loaded/], ['fr-FR', /n’a pas pu être chargé/]]) {
    const ctx = await openPage(suite.browser, suite.server.base, { locale });
    const { page } = ctx;
    await page.route('**/pkg/stance_bg.wasm', (route) => route.abort());
    await page.goto(suite.server.base);
    await waitState(page, 'failed', 30_000);
    assert.ok(await page.isVisible('#error'), 'the error box is shown');
    assert.match(await errorText(page), words);
    assert.ok(await page.isDisabled('#classify'), 'nothing to click that cannot work');
    await closePage(ctx);
  }
});

test('a browser without WebAssembly is told so', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await page.addInitScript(() => { delete globalThis.WebAssembly; });
  await page.goto(suite.server.base);
  await waitState(page, 'failed', 30_000);
  assert.match(await errorText(page), /cannot run WebAssembly/);
  await closePage(ctx);
});

test('empty input gets a message and no marks', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  await setText(page, '   \n\n  ***  \n —— \n');
  await page.click('#classify');
  await waitState(page, 'error');
  assert.match(await errorText(page), /nothing to classify/);
  assert.equal((await readMarks(page)).length, 0);
  // The next real text clears the error.
  await classify(page, SAMPLE);
  assert.ok(await page.isHidden('#error'));
  await closePage(ctx);
});

test('an unreadable model file is reported in words; the built-in model keeps working', async () => {
  const ctx = await openPage(suite.browser, suite.server.base, { locale: 'fr-FR' });
  const { page } = ctx;
  await load(page, suite.server.base);
  await page.setInputFiles('#model-file', { name: 'broken.model', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a model at all') });
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await errorText(page), /modèle n’a pas pu être lu/);
  assert.match(await page.textContent('#error-detail'), /not a Stance Lens model/, 'the core says what is wrong');
  await classify(page, SAMPLE);
  assert.equal((await readMarks(page)).length, SAMPLE.split('\n').filter((l) => l.trim()).length);
  await closePage(ctx);
});

const shippedModel = join(root, 'model', 'stance.model');

test('another model file can be loaded, and the built-in one restored', { skip: !existsSync(shippedModel) && 'no model/stance.model' }, async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  const bytes = readFileSync(shippedModel);
  // A cut-short copy is refused with the core's reason...
  await page.setInputFiles('#model-file', { name: 'cut.model', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, 64) });
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await errorText(page), /model could not be read/);
  // ...the whole file is accepted and named...
  await page.setInputFiles('#model-file', { name: 'my-copy.model', mimeType: 'application/octet-stream', buffer: bytes });
  await page.waitForFunction(() => document.getElementById('model-name').textContent.includes('my-copy.model'));
  assert.ok(await page.isHidden('#error'), 'a good model clears the error');
  await classify(page, SAMPLE);
  const withCopy = await readMarks(page);
  // ...and classifies like the built-in model, which it is a copy of.
  await page.click('#model-box summary');
  await page.click('#model-reset');
  await page.waitForFunction(() => document.getElementById('model-name').textContent.includes('built-in'));
  await classify(page, SAMPLE);
  const builtIn = await readMarks(page);
  assert.deepEqual(withCopy.map((m) => [m.label, m.confidence]), builtIn.map((m) => [m.label, m.confidence]));
  await closePage(ctx);
});
