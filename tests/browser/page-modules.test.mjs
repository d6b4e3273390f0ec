// The page's pure modules, tested in Node without a browser: chunking at line boundaries, the
// worker protocol's validation, the mapping of core errors, the reason-highlight runs; and the
// page's CSP meta tag against the header the server sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bigText, www } from './page-helpers.mjs';
import { CSP } from './serve.mjs';

const lib = (name) => import(pathToFileURL(join(www, 'lib', name)).href);
const { chunkBounds } = await lib('chunks.js');
const { checkFromWorker, checkToWorker, errorCode, packParagraph, reasonsOf } = await lib('protocol.js');
const { reasonRuns } = await lib('highlight.js');

test('chunks cover the text exactly and end after a line break', () => {
  const text = `${bigText(300_000, 7)}\r\nlast line without a break`;
  const bounds = [...chunkBounds(text, 10_000)];
  assert.ok(bounds.length > 20, `${bounds.length} chunks`);
  assert.equal(bounds[0][0], 0);
  assert.equal(bounds.at(-1)[1], text.length);
  for (const [i, [start, end]] of bounds.entries()) {
    assert.ok(end > start);
    if (i > 0) assert.equal(start, bounds[i - 1][1], 'no gap, no overlap');
    if (end < text.length) assert.equal(text[end - 1], '\n', 'cut right after a newline');
  }
  assert.deepEqual([...chunkBounds('', 10)], []);
  assert.deepEqual([...chunkBounds('one line, longer than the chunk size', 4)], [[0, 36]]);
});

test('the protocol refuses malformed messages, both ways', () => {
  assert.ok(checkToWorker({ type: 'classify', job: 1, text: 'x' }));
  assert.ok(checkToWorker({ type: 'use-model', bytes: null, name: '' }));
  assert.throws(() => checkToWorker({ type: 'classify', job: -1, text: 'x' }), /bad 'job'/);
  assert.throws(() => checkToWorker({ type: 'classify', job: 1, text: 42 }), /bad 'text'/);
  assert.throws(() => checkToWorker({ type: 'use-model', bytes: 'abc', name: '' }), /bad 'bytes'/);
  assert.throws(() => checkToWorker({ type: 'eval', code: '1' }), /unknown message/);
  assert.throws(() => checkToWorker(null), /unknown message/);

  const core = {
    start: 3, end: 9, label: 'neutral', confidence: 0.6,
    probabilities: { pro_moscow: 0.2, pro_washington: 0.2, neutral: 0.6 },
    reasons: [{ term: 'match', weight: 0.2, label: 'neutral', spans: [[3, 8]] }],
  };
  const packed = packParagraph(core);
  assert.ok(checkFromWorker({ type: 'chunk', job: 1, paragraphs: [packed], done: 9, total: 9 }));
  assert.deepEqual(reasonsOf(packed), core.reasons, 'reasons survive packing');
  for (const broken of [{ ...packed, label: 'pro_paris' }, { ...packed, end: 1 }, { ...packed, probabilities: {} }]) {
    assert.throws(() => checkFromWorker({ type: 'chunk', job: 1, paragraphs: [broken], done: 9, total: 9 }), /bad 'paragraphs'/);
  }
  assert.throws(() => checkFromWorker({ type: 'done', job: 1, summary: null, cancelled: false }), /bad 'summary'/);
});

test('core error messages map to the kinds the page translates', () => {
  assert.equal(errorCode('empty input: the text is empty or only whitespace'), 'empty');
  assert.equal(errorCode('binary input: 4 of 5 characters are control characters'), 'binary');
  assert.equal(errorCode('input too large: 70000000 bytes in one call'), 'too-large');
  assert.equal(errorCode('not a Stance Lens model: the file does not start with the magic bytes'), 'model');
  assert.equal(errorCode('truncated model: the file ends inside the format version'), 'model');
  assert.equal(errorCode('corrupt model: checksum 0x1 does not match'), 'model');
  assert.equal(errorCode('unsupported model format version 1: this build reads version 2'), 'model');
  assert.equal(errorCode('RuntimeError: unreachable'), 'internal');
});

test('highlight runs: overlapping reasons go to the strongest, the text is covered once', () => {
  // "Le régime de Kiev": paragraph at offset 10 of a longer text; "de kiev" overlaps "kiev".
  const text = 'Le régime de Kiev';
  const p = packParagraph({
    start: 10, end: 10 + text.length, label: 'pro_moscow', confidence: 0.6, probabilities: {},
    reasons: [
      { term: 'kiev', weight: 1.1, label: 'pro_moscow', spans: [[23, 27]] },
      { term: 'de kiev', weight: 0.1, label: 'pro_moscow', spans: [[20, 27]] },
      { term: 'régime', weight: 1.3, label: 'pro_washington', spans: [[13, 19]] },
    ],
  });
  const runs = reasonRuns(p, text);
  assert.equal(runs.map((r) => text.slice(r.from, r.to)).join(''), text, 'runs cover the text in order');
  const marked = runs.filter((r) => r.reason).map((r) => [text.slice(r.from, r.to), r.reason.term]);
  assert.deepEqual(marked, [['régime', 'régime'], ['de ', 'de kiev'], ['Kiev', 'kiev']]);
});

test('the CSP meta tag of the page says what the server sends', () => {
  const html = readFileSync(join(www, 'index.html'), 'utf8');
  const meta = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  const directives = (csp) => csp.split(';').map((d) => d.trim()).filter(Boolean);
  // frame-ancestors only works as a header, so the meta tag leaves it out.
  assert.deepEqual(directives(meta), directives(CSP).filter((d) => !d.startsWith('frame-ancestors')));
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /<style|\sstyle=/, 'no inline style');
});
