// Export of the result as JSON (everything, exact) and CSV (one row a paragraph, for
// spreadsheets), downloaded from a Blob: nothing leaves the device. 50,000 paragraphs make tens of
// megabytes of JSON, so nothing here runs in one long task. Labels are the model's codes
// (pro_moscow...), not translated names, so files read the same whatever the interface language.
import { LABELS, parseReasons } from './protocol.js';
import { runSliced } from './slices.js';
import { stanceOf } from './paragraphs.js';
import { shownShares } from './summary.js';

/** Reasons listed per paragraph in the CSV (the JSON has them all, with their spans). */
const CSV_REASONS = 5;
const CSV_COLUMNS = Object.freeze([
  'index', 'start', 'end', 'label', 'stance', 'confidence',
  ...LABELS.map((l) => `p_${l}`), 'reasons', 'text',
]);

/** One paragraph as exported: offsets, own text, model label, shown stance, probabilities, reasons. */
function row(doc, p, index) {
  return {
    index,
    start: p.start,
    end: p.end,
    text: doc.text.slice(p.start, p.end),
    label: p.label,
    stance: stanceOf(p, doc.threshold),
    confidence: p.confidence,
    probabilities: p.probabilities,
    reasons: parseReasons(p),
  };
}

// Rows are serialised in time slices and gathered into the Blob 1,000 at a time: a Blob made
// from 50,000 strings at once spends ~200 ms in one task, while a Blob made of Blobs only refers
// to them.
const ROWS_PER_PART = 1000;
async function toBlob(head, records, rowText, tail, type) {
  let blob = new Blob([head], { type });
  let batch = [];
  let i = 0;
  await runSliced(() => {
    if (i >= records.length) return false;
    batch.push(rowText(records[i], i));
    i += 1;
    if (batch.length === ROWS_PER_PART || i === records.length) {
      blob = new Blob([blob, batch.join('')], { type });
      batch = [];
    }
    return true;
  });
  return new Blob([blob, tail], { type });
}

/** The JSON export of `doc` ({text, records, summary, threshold, model, version, complete}). */
export function jsonBlob(doc) {
  const shown = shownShares(doc.records, doc.threshold);
  const head = {
    tool: 'Stance Lens',
    version: doc.version,
    model: doc.model,
    threshold: doc.threshold,
    complete: doc.complete,
    summary: { ...shown, topTerms: doc.summary?.topTerms ?? [] },
  };
  return toBlob(
    `${JSON.stringify(head).slice(0, -1)},"paragraphs":[`,
    doc.records,
    (p, i) => `${i ? ',' : ''}${JSON.stringify(row(doc, p, i))}`,
    ']}\n',
    'application/json',
  );
}

// A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
// apostrophe, the usual guard against CSV injection; the JSON keeps the text exactly.
const FORMULA_START = /^[=+\-@\t\r]/;
function cell(value) {
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The CSV export (RFC 4180, CRLF, UTF-8 with a BOM so spreadsheets read accents). */
export function csvBlob(doc) {
  const line = (p, i) => {
    const r = row(doc, p, i);
    const reasons = r.reasons.slice(0, CSV_REASONS).map((x) => `${x.term} (${x.label})`).join('; ');
    const cells = [r.index, r.start, r.end, r.label, r.stance, r.confidence,
      ...LABELS.map((l) => r.probabilities[l]), reasons, r.text];
    return `${cells.map(cell).join(',')}\r\n`;
  };
  return toBlob(`\uFEFF${CSV_COLUMNS.join(',')}\r\n`, doc.records, line, '', 'text/csv;charset=utf-8');
}

/** Offers `blob` as a file download named `filename`. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started by then; the URL only has to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
