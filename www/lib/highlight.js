// The reasons of a paragraph as highlighted runs of its text. Reason spans are UTF-16 offsets in
// the whole text and may overlap ("de kiev" contains "kiev"); each unit of text goes to the first
// reason covering it, and reasons come strongest first, so the strongest term wins.
import { reasonsOf } from './protocol.js';

/**
 * Cuts paragraph `p` (whose text is `text`) into runs: [{from, to, reason}] in paragraph-relative
 * UTF-16 offsets, `reason` being null for plain text.
 */
export function reasonRuns(p, text) {
  const reasons = reasonsOf(p);
  const owner = new Int16Array(text.length).fill(-1);
  reasons.forEach((reason, k) => {
    for (const [start, end] of reason.spans) {
      const from = Math.max(0, start - p.start);
      const to = Math.min(text.length, end - p.start);
      for (let i = from; i < to; i++) if (owner[i] < 0) owner[i] = k;
    }
  });
  const runs = [];
  for (let from = 0; from < text.length; ) {
    let to = from + 1;
    while (to < text.length && owner[to] === owner[from]) to++;
    runs.push({ from, to, reason: owner[from] < 0 ? null : reasons[owner[from]] });
    from = to;
  }
  return runs;
}

/** Replaces `body`'s content with `text` where reason terms are <mark>s (text nodes only). */
export function highlightInto(body, p, text) {
  body.replaceChildren();
  for (const run of reasonRuns(p, text)) {
    const piece = text.slice(run.from, run.to);
    if (!run.reason) {
      body.append(piece);
      continue;
    }
    const mark = document.createElement('mark');
    mark.dataset.label = run.reason.label;
    mark.dataset.term = run.reason.term;
    // A counter-term pushes toward another label than the paragraph's: drawn differently.
    if (run.reason.label !== p.label) mark.className = 'counter';
    mark.textContent = piece;
    body.append(mark);
  }
}
