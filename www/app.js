// The reader's page: sends the pasted text to the worker and shows it back, paragraph by
// paragraph, each marked with its stance (colour and a text label). User text is only ever set
// with textContent, never parsed as HTML.
const LABELS = {
  pro_moscow: 'Pro-Moscow',
  pro_washington: 'Pro-Washington',
  neutral: 'Neutral',
};

const $ = (id) => document.getElementById(id);
const input = $('input');
const button = $('classify');
const status = $('status');
const output = $('output');
const summary = $('summary');

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let nextId = 1;
let pending = null;

worker.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'ready') {
    button.disabled = false;
    status.textContent = 'Ready.';
  } else if (msg.type === 'result' && pending && msg.id === pending.id) {
    render(pending.text, msg.result);
    pending = null;
    button.disabled = false;
  } else if (msg.type === 'error') {
    status.textContent = `Error: ${msg.message}`;
    pending = null;
    button.disabled = false;
  }
};
worker.onerror = (e) => {
  status.textContent = `The classifier could not start: ${e.message ?? 'unknown error'}`;
};

button.addEventListener('click', () => {
  const text = input.value;
  pending = { id: nextId++, text };
  button.disabled = true;
  status.textContent = 'Classifying…';
  worker.postMessage({ type: 'classify', id: pending.id, text });
});

function render(text, result) {
  output.replaceChildren();
  for (const p of result.paragraphs) {
    const el = document.createElement('p');
    el.className = 'para';
    el.dataset.stance = p.label;
    el.dataset.confidence = p.confidence.toFixed(3);
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = `${LABELS[p.label]} ${Math.round(p.confidence * 100)}%`;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text.slice(p.start, p.end);
    el.append(badge, body);
    const why = p.reasons.map((r) => `${r.term} → ${LABELS[r.label]}`).join(', ');
    if (why) el.title = `Why: ${why}`;
    output.append(el);
  }
  const s = result.summary;
  summary.hidden = false;
  summary.textContent = `${s.paragraphs} paragraphs — pro-Moscow ${s.counts.pro_moscow}, pro-Washington ${s.counts.pro_washington}, neutral ${s.counts.neutral}`;
  status.textContent = `Done: ${s.paragraphs} paragraphs.`;
}
