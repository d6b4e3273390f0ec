// Text that looks like HTML stays text: pasted markup, an opened .html file and a dropped file are
// shown as characters and run nothing. A payload that ran would set window.__pwned, open a dialog
// or request its image; the tests check all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classify, closePage, expectedParagraphs, load, openPage, pageSuite, readMarks, waitState,
} from './page-helpers.mjs';

const suite = pageSuite();

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1;alert(1)"> Moscou et Washington',
  '<script>window.__pwned=2;alert(2)</script> les sanctions',
  '<svg onload="window.__pwned=3;alert(3)"></svg> l’accord',
  '"><iframe src="javascript:window.__pwned=4"></iframe> <b onmouseover="window.__pwned=5">gras</b>',
];

const ranNothing = (page) => page.evaluate(() => window.__pwned === undefined);

test('pasted <img onerror> and <script> text is shown as text and runs nothing', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  const text = PAYLOADS.join('\n');
  await classify(page, text);

  const marks = await readMarks(page);
  assert.deepEqual(marks.map((m) => m.text), PAYLOADS, 'each payload is shown verbatim as text');
  assert.equal(await page.locator('#output img, #output script, #output svg, #output iframe, #output b').count(), 0,
    'no element was made from the pasted markup');
  // Hovering rebuilds the paragraph with highlighted terms: that path must stay text-only too.
  for (let i = 0; i < PAYLOADS.length; i++) {
    await page.hover(`#output .para >> nth=${i}`);
    assert.ok(await page.isVisible('#detail'), 'the detail panel opens on hover');
    assert.equal(await page.textContent(`#output .para >> nth=${i} >> .text`), PAYLOADS[i]);
  }
  assert.equal(await page.locator('#output img, #output script, #output svg, #output iframe, #output b, #detail img, #top-terms img').count(), 0);
  assert.ok(await ranNothing(page), 'no payload ran');
  assert.ok(!ctx.record.requests.some((u) => new URL(u).pathname === '/x'), 'the <img src=x> was never requested');
  await closePage(ctx); // also asserts: no dialog, no page error, no other origin
});

const ARTICLE_HTML = `<!doctype html><html><head><title>Un article</title>
<style>body { background: red }</style>
<script>window.__pwned = 10; alert(10);</script>
<link rel="stylesheet" href="/evil.css"></head>
<body><h1>Le sommet de l’Otan s’ouvre à Vilnius</h1>
<p>Premier paragraphe avec <b>du gras</b> et <a href="/evil">un lien</a>.</p>
<img src="/evil.png" onerror="window.__pwned = 11">
<div>Deuxième bloc<br>ligne suivante du bloc</div>
<script>window.__pwned = 12</script><noscript>texte caché</noscript>
<ul><li>Les sanctions contre Moscou</li><li>La météo du week-end</li></ul>
<iframe src="/evil-frame"></iframe></body></html>`;

const ARTICLE_TEXT = [
  'Le sommet de l’Otan s’ouvre à Vilnius',
  'Premier paragraphe avec du gras et un lien.',
  'Deuxième bloc',
  'ligne suivante du bloc',
  'Les sanctions contre Moscou',
  'La météo du week-end',
].join('\n');

test('an opened .html file is reduced to its text: never rendered, scripts never run', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  await page.setInputFiles('#file', { name: 'article.html', mimeType: 'text/html', buffer: Buffer.from(ARTICLE_HTML) });
  await waitState(page, 'done');

  assert.equal(await page.inputValue('#input'), ARTICLE_TEXT, 'one line per block, no markup, no script text');
  const marks = await readMarks(page);
  assert.deepEqual(marks.map((m) => m.text), expectedParagraphs(ARTICLE_TEXT));
  assert.ok(await ranNothing(page), 'no script of the file ran');
  const fetched = ctx.record.requests.filter((u) => new URL(u).pathname.startsWith('/evil'));
  assert.deepEqual(fetched, [], 'nothing the file refers to was fetched');
  await closePage(ctx);
});

test('a dropped .txt file is classified', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  const text = 'Washington a annoncé de nouvelles sanctions.\n<script>window.__pwned = 20</script> Moscou répond.';
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.items.add(new File([t], 'dropped.txt', { type: 'text/plain' }));
    const target = document.getElementById('input');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, text);
  await waitState(page, 'done');
  assert.equal(await page.inputValue('#input'), text);
  assert.deepEqual((await readMarks(page)).map((m) => m.text), expectedParagraphs(text));
  assert.ok(await ranNothing(page));
  await closePage(ctx);
});
