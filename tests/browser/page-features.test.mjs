// The reader's page features: export (JSON and CSV match what is shown), the "why" of a paragraph
// on hover, keyboard-only use, the language switch, the threshold slider, the theme, a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  classify, closePage, downloadText, expectedParagraphs, load, openPage, outDir, pageSuite,
  parseCsv, readMarks, SAMPLE, setThreshold, waitMarksFollowThreshold, waitState,
} from './page-helpers.mjs';

const suite = pageSuite();

const LABELS = ['pro_moscow', 'pro_washington', 'neutral'];
const close = (a, b) => Math.abs(a - b) < 1e-4; // data-confidence carries 4 decimals

test('export: JSON and CSV parse and match what is shown', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  await classify(page, SAMPLE);
  const marks = await readMarks(page);
  const legend = await page.$$eval('#legend li', (items) => items.map((i) => [i.dataset.part, i.textContent]));

  const json = await downloadText(page, '#export-json');
  assert.match(json.name, /^stance-lens-.*\.json$/);
  const doc = JSON.parse(json.text);
  assert.equal(doc.threshold, Number(await page.inputValue('#threshold')));
  assert.equal(doc.paragraphs.length, marks.length);
  for (const [i, p] of doc.paragraphs.entries()) {
    const m = marks[i];
    assert.deepEqual([p.start, p.end, p.text, p.label, p.stance], [m.start, m.end, m.text, m.label, m.stance]);
    assert.ok(close(p.confidence, m.confidence), `confidence ${p.confidence} vs ${m.confidence}`);
    assert.equal(p.confidence, Math.max(...LABELS.map((l) => p.probabilities[l])), 'confidence is the top probability');
    assert.ok(close(LABELS.reduce((s, l) => s + p.probabilities[l], 0), 1), 'probabilities sum to 1');
    assert.equal(SAMPLE.slice(p.start, p.end), p.text, 'offsets index the text');
    for (const r of p.reasons) {
      for (const [s, e] of r.spans) assert.ok(s >= p.start && e <= p.end, 'reason spans lie inside their paragraph');
    }
  }
  assert.equal(doc.summary.paragraphs, marks.length);
  for (const [stance, text] of legend) {
    const shown = marks.filter((m) => m.stance === stance).length;
    assert.equal(doc.summary.counts[stance], shown, `${stance} count`);
    assert.match(text, new RegExp(`\\(${shown}\\)`), `legend shows the ${stance} count`);
  }

  const csv = await downloadText(page, '#export-csv');
  assert.match(csv.name, /^stance-lens-.*\.csv$/);
  const [header, ...rows] = parseCsv(csv.text.replace(/^\uFEFF/, ''));
  assert.deepEqual(header, ['index', 'start', 'end', 'label', 'stance', 'confidence',
    'p_pro_moscow', 'p_pro_washington', 'p_neutral', 'reasons', 'text']);
  assert.equal(rows.length, marks.length);
  for (const [i, row] of rows.entries()) {
    const r = Object.fromEntries(header.map((h, k) => [h, row[k]]));
    const m = marks[i];
    assert.deepEqual([Number(r.index), Number(r.start), Number(r.end), r.label, r.stance, r.text],
      [i, m.start, m.end, m.label, m.stance, m.text]);
    assert.ok(close(Number(r.confidence), m.confidence));
    assert.ok(close(LABELS.reduce((s, l) => s + Number(r[`p_${l}`]), 0), 1));
    const first = doc.paragraphs[i].reasons[0];
    if (first) assert.ok(r.reasons.startsWith(`${first.term} (${first.label})`), 'reasons listed strongest first');
  }
  await closePage(ctx);
});

test('hover shows the probabilities as bars and highlights the reason terms in the paragraph', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  await classify(page, SAMPLE);
  const para = page.locator('#output .para').first();
  const text = await para.locator('.text').textContent();
  await para.hover();
  await page.waitForSelector('#detail:not([hidden])');

  const bars = await page.$$eval('#detail .prob-row', (rows) => rows.map((r) => ({
    label: r.dataset.label,
    width: r.querySelector('.prob-fill').getBoundingClientRect().width / r.querySelector('.prob-bar').getBoundingClientRect().width,
    value: r.querySelector('.prob-value').textContent,
  })));
  assert.deepEqual(bars.map((b) => b.label), LABELS, 'one bar per label');
  assert.ok(Math.abs(bars.reduce((s, b) => s + b.width, 0) - 1) < 0.02, 'the bars add up to the whole');
  for (const b of bars) assert.ok(Math.abs(b.width * 100 - Number.parseFloat(b.value)) < 1.5, `bar ${b.label} drawn at its value ${b.value}`);
  const confidence = Number(await para.getAttribute('data-confidence'));
  assert.ok(Math.abs(Math.max(...bars.map((b) => b.width)) - confidence) < 0.02, 'the longest bar is the confidence');

  const marks = await para.locator('mark').evaluateAll((ms) => ms.map((m) => ({ text: m.textContent, term: m.dataset.term, label: m.dataset.label })));
  assert.ok(marks.length >= 1, 'reason terms are highlighted');
  const norm = (s) => s.toLowerCase().replace(/[’‘ʼ]/g, "'");
  for (const m of marks) {
    assert.ok(norm(m.term).includes(norm(m.text).trim()), `"${m.text}" is part of the term "${m.term}"`);
    assert.ok(LABELS.includes(m.label));
  }
  assert.equal(await para.locator('.text').textContent(), text, 'highlighting keeps the text as it was');

  await page.mouse.move(0, 0);
  await page.waitForSelector('#detail', { state: 'hidden' });
  assert.equal(await para.locator('mark').count(), 0, 'the highlight goes when the pointer leaves');
  await closePage(ctx);
});

test('keyboard only: Tab to the text area, type, Tab to the button, Enter; paragraphs focusable', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return el?.classList.contains('para') ? 'para' : el?.id;
  });
  for (let i = 0; i < 10 && (await focused()) !== 'input'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'input', 'the text area is reachable with Tab');
  const lines = ['Le Kremlin dénonce les sanctions occidentales.', 'Le match de dimanche est reporté.'];
  await page.keyboard.type(lines.join('\n'));
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'classify', 'Tab goes from the text area to the button');
  await page.keyboard.press('Enter');
  await waitState(page, 'done');
  assert.deepEqual((await readMarks(page)).map((m) => m.text), lines);

  for (let i = 0; i < 20 && (await focused()) !== 'para'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'para', 'paragraphs are reachable with Tab');
  assert.ok(await page.isVisible('#detail'), 'focus shows the detail');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused paragraph shows a visible focus ring');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.index), '1', 'ArrowDown moves to the next paragraph');
  await page.keyboard.press('Escape');
  assert.ok(await page.isHidden('#detail'), 'Escape closes the detail');
  await closePage(ctx);
});

test('language: French from the browser, switchable to English, remembered after reload', async () => {
  const ctx = await openPage(suite.browser, suite.server.base, { locale: 'fr-FR' });
  const { page } = ctx;
  await load(page, suite.server.base);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('#classify'), 'Analyser');
  await classify(page, SAMPLE);
  const badgesFr = (await readMarks(page)).map((m) => m.badge);
  assert.ok(badgesFr.every((b) => /^(Pro-Moscou|Pro-Washington|Neutre|Pas sûr) · /.test(b)), badgesFr.join(' | '));
  assert.match(await page.textContent('#status'), /Terminé/);

  await page.selectOption('#lang', 'en');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('#classify'), 'Classify');
  assert.match(await page.textContent('label[for="input"]'), /Text to classify/);
  assert.match(await page.textContent('#status'), /Done/);
  await page.waitForFunction(() => Array.from(document.querySelectorAll('#output .badge')).every((b) => /^(Pro-Moscow|Pro-Washington|Neutral|Not sure) · /.test(b.textContent)));
  assert.match(await page.textContent('#summary-title'), /Summary/);

  await page.reload();
  await waitState(page, 'ready');
  assert.equal(await page.textContent('#classify'), 'Classify', 'the choice beats the browser language after reload');
  assert.equal(await page.inputValue('#lang'), 'en');
  await closePage(ctx);
});

test('threshold: the slider decides which paragraphs are "not sure", and is remembered', async () => {
  const ctx = await openPage(suite.browser, suite.server.base);
  const { page } = ctx;
  await load(page, suite.server.base);
  await classify(page, SAMPLE);
  const unsureAt = async (t) => {
    await setThreshold(page, t);
    await waitMarksFollowThreshold(page);
    const marks = await readMarks(page);
    const unsure = marks.filter((m) => m.stance === 'unsure');
    assert.ok(unsure.every((m) => m.badge.startsWith('Not sure')), 'unsure paragraphs say so in words');
    const legend = await page.textContent('#legend li[data-part="unsure"]');
    assert.match(legend, new RegExp(`\\(${unsure.length}\\)`), 'the summary follows the threshold');
    return unsure.length;
  };
  const confidences = (await readMarks(page)).map((m) => m.confidence);
  const low = await unsureAt(0.33);
  const high = await unsureAt(0.95);
  assert.equal(low, confidences.filter((c) => c < 0.33).length);
  assert.equal(high, confidences.filter((c) => c < 0.95).length);
  assert.ok(high > low, `raising the threshold marks more paragraphs unsure (${low} -> ${high})`);
  // A middle value between two measured confidences, so the split is not trivial.
  const sorted = [...confidences].sort((a, b) => a - b);
  const middle = Math.round(((sorted[1] + sorted[2]) / 2) * 100) / 100;
  assert.equal(await unsureAt(middle), confidences.filter((c) => c < middle).length);

  await page.reload();
  await waitState(page, 'ready');
  assert.equal(Number(await page.inputValue('#threshold')), middle, 'the threshold is remembered');
  await classify(page, SAMPLE);
  await waitMarksFollowThreshold(page);
  assert.equal((await readMarks(page)).filter((m) => m.stance === 'unsure').length, confidences.filter((c) => c < middle).length);
  await closePage(ctx);
});

const luminance = (css) => {
  const [r, g, b] = css.match(/\d+(\.\d+)?/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
};

test('theme: follows the system, the toggle overrides it and is remembered', async () => {
  const ctx = await openPage(suite.browser, suite.server.base, { colorScheme: 'dark' });
  const { page } = ctx;
  await load(page, suite.server.base);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.ok(luminance(await background()) < 0.3, 'dark system, dark page');
  await page.click('#theme');
  assert.ok(luminance(await background()) > 0.7, 'the toggle switches to light');
  await page.reload();
  await waitState(page, 'ready');
  assert.ok(luminance(await background()) > 0.7, 'the choice is remembered');
  await classify(page, SAMPLE);
  await page.screenshot({ path: join(outDir, 'page-light.png'), fullPage: true });
  await page.click('#theme');
  await page.screenshot({ path: join(outDir, 'page-dark.png'), fullPage: true });
  await closePage(ctx);
});

test('on a phone: no sideways scrolling, tap shows the detail as a bottom sheet', async () => {
  const ctx = await openPage(suite.browser, suite.server.base, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const { page } = ctx;
  await load(page, suite.server.base);
  await classify(page, SAMPLE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page fits the phone's width (overflow ${overflow}px)`);
  await page.locator('#output .para').nth(1).tap();
  await page.waitForSelector('#detail:not([hidden])');
  const box = await page.locator('#detail').boundingBox();
  assert.ok(Math.abs(box.y + box.height - 844) < 2 && box.width >= 380, `bottom sheet at ${JSON.stringify(box)}`);
  assert.equal(await page.locator('#output .para').nth(1).locator('mark').count() > 0, true, 'terms highlighted on tap');
  await page.screenshot({ path: join(outDir, 'page-phone.png') });
  assert.deepEqual((await readMarks(page)).map((m) => m.text), expectedParagraphs(SAMPLE));
  await closePage(ctx);
});
