// The reader's page on the team's five seed articles: each pasted article comes back with every
// paragraph marked, the summary chart shows, and the labels are compared with the hand labels in
// ../shared/seeds/labels.tsv. The seeds are read at run time from the team's workspace and never
// copied into the project; without it these tests are skipped with a message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  classify, closePage, expectedParagraphs, hasSeeds, launch, load, openPage, outDir, readMarks,
  seedsDir, startServer,
} from './page-helpers.mjs';

// Floor under the number of seed paragraphs whose page label matches the hand label, measured on
// the page: 29 of 54 with the bootstrap model, 40 with the model of commit 07c284f, then 42 of 54
// on 2026-11-21 with the 40k-column model read in document context, 42 again with the wave-4 model
// of 2026-11-22 (model/README.md). Raise it
// when a retrained model measures more; it catches regressions.
const MIN_SEED_AGREEMENT = 42;

const STANCES = ['pro_moscow', 'pro_washington', 'neutral', 'unsure'];

let server;
let browser;
const tally = { agree: 0, compared: 0, files: 0 };

if (!hasSeeds) {
  console.log(`${seedsDir} not found: the seed article tests are skipped (they need the team's ../shared).`);
}

function readLabels() {
  const labels = new Map();
  const rows = readFileSync(join(seedsDir, 'labels.tsv'), 'utf8').split('\n').slice(1);
  for (const row of rows) {
    const [file, line, label] = row.split('\t');
    if (file && line && label) labels.set(`${file}:${Number(line)}`, label.trim());
  }
  return labels;
}

const seedFiles = hasSeeds ? readdirSync(seedsDir).filter((f) => f.endsWith('.txt')).sort() : [];
const labels = hasSeeds ? readLabels() : new Map();

before(async () => {
  if (!hasSeeds) return;
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

for (const file of seedFiles) {
  test(`seed ${file}: every paragraph marked, summary chart shown`, async () => {
    const text = readFileSync(join(seedsDir, file), 'utf8');
    const expected = expectedParagraphs(text);
    const ctx = await openPage(browser, server.base);
    const { page } = ctx;
    await load(page, server.base);
    await classify(page, text);

    const marks = await readMarks(page);
    assert.equal(marks.length, expected.length, 'one marked element per paragraph');
    assert.equal(await page.locator('[data-stance]').count(), marks.length, 'only paragraphs carry data-stance (the contract)');
    const threshold = Number(await page.inputValue('#threshold'));
    for (const [i, m] of marks.entries()) {
      assert.equal(m.text, expected[i], 'the paragraph text is shown back unchanged');
      assert.equal(text.slice(m.start, m.end), m.text, 'data-start/data-end are offsets into the text');
      assert.ok(STANCES.includes(m.stance), m.stance);
      assert.ok(m.confidence > 1 / 3 - 1e-4 && m.confidence <= 1, `confidence ${m.confidence}`);
      if (Math.abs(m.confidence - threshold) > 1e-4) {
        assert.equal(m.stance, m.confidence >= threshold ? m.label : 'unsure', 'stance follows the threshold');
      }
      // Line numbers in labels.tsv are 1-based lines of the file.
      const hand = labels.get(`${file}:${text.slice(0, m.start).split('\n').length}`);
      if (hand) {
        tally.compared += 1;
        if (hand === m.label) tally.agree += 1;
      }
    }

    // The summary: visible chart whose segments cover the text, the paragraph count, top terms.
    assert.ok(await page.isVisible('#summary'), 'summary shown');
    assert.ok(await page.isVisible('#share-chart .segment'), 'the chart has a visible segment');
    const shares = await page.$$eval('#share-chart .segment', (s) => s.map((e) => Number(e.dataset.share)));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-3, `shares sum to 1: ${shares}`);
    const count = await page.textContent('#count');
    assert.match(count, new RegExp(`\\b${expected.length}\\b`), 'the paragraph count is shown');
    assert.ok((await page.$$('#top-terms li')).length >= 1, 'top terms listed');

    await page.screenshot({ path: join(outDir, `page-seed-${file.replace(/\.txt$/, '')}.png`), fullPage: true });
    tally.files += 1;
    await closePage(ctx);
  });
}

test('seed labels agree with the hand labels at least as often as measured', { skip: !hasSeeds && 'no ../shared/seeds' }, () => {
  assert.equal(tally.files, seedFiles.length, 'every seed article was classified');
  console.log(`seed agreement on the page: ${tally.agree} of ${tally.compared} hand-labelled paragraphs`);
  assert.ok(tally.compared >= 50, `labels.tsv lines matched page paragraphs (${tally.compared})`);
  assert.ok(tally.agree >= MIN_SEED_AGREEMENT, `${tally.agree} agree, floor ${MIN_SEED_AGREEMENT}`);
});
