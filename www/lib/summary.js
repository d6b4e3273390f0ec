// The summary above the text: how much of the document (by paragraph length, in characters) each
// stance takes as one stacked bar, the paragraph count, and the document's most telling phrases
// (from the worker's Session summary). Shares follow the threshold, so "not sure" has its own
// segment and the chart always matches the marks below it. Chart and legend carry data-part, not
// data-stance: tools find the paragraphs by [data-stance], and must find only them.
import { LABELS } from './protocol.js';
import { currentLang, formatNumber, t } from './i18n.js';
import { stanceOf } from './paragraphs.js';

const STANCES = Object.freeze([...LABELS, 'unsure']);

/** Counts and length shares per shown stance of `records` at `threshold`. */
export function shownShares(records, threshold) {
  const counts = Object.fromEntries(STANCES.map((s) => [s, 0]));
  const lengths = Object.fromEntries(STANCES.map((s) => [s, 0]));
  let total = 0;
  for (const p of records) {
    const stance = stanceOf(p, threshold);
    counts[stance] += 1;
    lengths[stance] += p.end - p.start;
    total += p.end - p.start;
  }
  const shares = Object.fromEntries(STANCES.map((s) => [s, total ? lengths[s] / total : 0]));
  return { paragraphs: records.length, counts, shares };
}

/** Fills the summary elements (`els`: count, chart, legend, terms) for `records` and `summary`. */
export function renderSummary(els, records, summary, threshold) {
  const { paragraphs, counts, shares } = shownShares(records, threshold);
  const percent = new Intl.NumberFormat(currentLang(), { style: 'percent', maximumFractionDigits: 1 });
  els.count.textContent = t('summary.count', { n: formatNumber(paragraphs) });

  const segments = [];
  const legend = [];
  const described = [];
  for (const stance of STANCES) {
    const name = t(`label.${stance}`);
    const share = percent.format(shares[stance]);
    described.push(`${name} ${share}`);
    if (shares[stance] > 0) {
      const seg = document.createElement('span');
      seg.className = 'segment';
      seg.dataset.part = stance;
      seg.dataset.share = shares[stance].toFixed(4);
      seg.style.width = `${(shares[stance] * 100).toFixed(2)}%`;
      seg.title = `${name}: ${share}`;
      segments.push(seg);
    }
    const item = document.createElement('li');
    item.dataset.part = stance;
    item.textContent = `${name} ${share} (${formatNumber(counts[stance])})`;
    legend.push(item);
  }
  els.chart.replaceChildren(...segments);
  els.chart.setAttribute('aria-label', t('summary.chart', { parts: described.join(', ') }));
  els.legend.replaceChildren(...legend);

  const terms = summary?.topTerms ?? [];
  els.terms.replaceChildren(
    ...terms.map((term) => {
      const item = document.createElement('li');
      item.dataset.label = term.label;
      item.textContent = `${term.term} → ${t(`label.${term.label}`)} (${t('summary.termCount', { n: formatNumber(term.paragraphs) })})`;
      return item;
    }),
  );
  if (terms.length === 0) {
    const none = document.createElement('li');
    none.className = 'none';
    none.textContent = t('summary.noTerms');
    els.terms.append(none);
  }
}
