// The reader's page: wires the controls to the classification worker (lib/client.js), shows the
// paragraphs as they come (lib/paragraphs.js), explains one on hover/focus (lib/detail.js) and
// sums the document up (lib/summary.js). The page state is on <body data-state>: loading, ready,
// working, done, cancelled, error (a job failed) or failed (the classifier could not start).
import { ClassifierClient } from './lib/client.js';
import { Detail } from './lib/detail.js';
import { csvBlob, download, jsonBlob } from './lib/export.js';
import { fileText, onFile } from './lib/files.js';
import { formatNumber, initLang, setLang, t, currentLang } from './lib/i18n.js';
import { ParagraphView } from './lib/paragraphs.js';
import { settings } from './lib/settings.js';
import { renderSummary } from './lib/summary.js';
import { initTheme } from './lib/theme.js';

const $ = (id) => document.getElementById(id);
const ui = {
  input: $('input'),
  classify: $('classify'),
  cancel: $('cancel'),
  file: $('file'),
  threshold: $('threshold'),
  thresholdValue: $('threshold-value'),
  progress: $('progress'),
  status: $('status'),
  error: $('error'),
  errorText: $('error-text'),
  errorDetail: $('error-detail'),
  summary: $('summary'),
  output: $('output'),
  detail: $('detail'),
  lang: $('lang'),
  theme: $('theme'),
  modelName: $('model-name'),
  modelFile: $('model-file'),
  modelReset: $('model-reset'),
  offline: $('offline'),
  version: $('version'),
};
const summaryEls = { count: $('count'), chart: $('share-chart'), legend: $('legend'), terms: $('top-terms') };

initLang();
ui.lang.value = currentLang();
const relabelTheme = initTheme(ui.theme);

let version = '';
let model = { name: '', info: {} }; // name '' = the model built into the module
let run = null; // the current text: {text, started, workerDone, summary, cancelled}
let offlineReady = false;
// What the status line and error box say, kept as keys so a language switch re-translates them.
let status = { key: 'status.loading', vars: {} };
let error = null;

say(status.key);

const view = new ParagraphView(ui.output, () => maybeFinish());
const detail = new Detail(ui.detail, view);
const client = new ClassifierClient(onWorkerMessage);

// --- status, errors and state -----------------------------------------------------------------
function setState(state) {
  document.body.dataset.state = state;
  const working = state === 'working';
  ui.classify.disabled = !['ready', 'done', 'cancelled', 'error'].includes(state);
  ui.cancel.hidden = !working;
  ui.cancel.disabled = false;
  ui.progress.hidden = !working;
  ui.output.setAttribute('aria-busy', String(working));
}

/** Sets the status line to string `key` (null: empty). */
function say(key, vars = {}) {
  status = { key, vars };
  ui.status.textContent = key ? t(key, vars) : '';
}

function showError(code, message) {
  error = { code, message };
  ui.errorText.textContent = t(`err.${code}`);
  ui.errorDetail.textContent = message ? t('err.detail', { message }) : '';
  ui.error.hidden = false;
}

function clearError() {
  error = null;
  ui.error.hidden = true;
}

function showModel() {
  const trained = Number.isInteger(model.info?.paragraphs) ? ` — ${t('model.trained', { n: formatNumber(model.info.paragraphs) })}` : '';
  ui.modelName.textContent = t('model.current', { name: model.name || t('model.builtin') }) + trained;
  ui.version.textContent = version ? t('footer.version', { v: version }) : '';
  ui.offline.textContent = offlineReady ? t('footer.offline') : '';
}

// --- classification ---------------------------------------------------------------------------
function start() {
  const text = ui.input.value;
  clearError();
  detail.hide();
  view.reset(text);
  ui.summary.hidden = true;
  run = { text, started: performance.now(), workerDone: false, summary: null, cancelled: false };
  ui.progress.value = 0;
  setState('working');
  say('status.working', { n: formatNumber(0) });
  client.classify(text);
}

// Done when the worker has sent everything and every paragraph is on screen.
function maybeFinish() {
  if (!run?.workerDone || view.busy || document.body.dataset.state !== 'working') return;
  const n = formatNumber(view.records.length);
  setState(run.cancelled ? 'cancelled' : 'done');
  if (run.cancelled) say('status.cancelled', { n });
  else say('status.done', { n, s: formatNumber((performance.now() - run.started) / 1000, 1) });
  showSummary();
}

function showSummary() {
  if (!run?.workerDone) return;
  renderSummary(summaryEls, view.records, run.summary, view.threshold);
  ui.summary.hidden = false;
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case 'ready':
      version = msg.version;
      model = msg.model;
      showModel();
      setState('ready');
      say('status.ready');
      break;
    case 'init-error':
      setState('failed');
      say(null);
      showError(msg.code === 'no-wasm' || msg.code === 'model' ? msg.code : 'module', msg.message);
      break;
    case 'chunk':
      view.append(msg.paragraphs);
      ui.progress.value = msg.total ? msg.done / msg.total : 1;
      say('status.working', { n: formatNumber(view.records.length) });
      break;
    case 'done':
      Object.assign(run, { workerDone: true, summary: msg.summary, cancelled: msg.cancelled });
      maybeFinish();
      break;
    case 'error':
      setState('error');
      say('status.ready');
      showError(msg.code, msg.code === 'empty' ? '' : msg.message);
      break;
    case 'model':
      model = msg.model;
      showModel();
      clearError();
      say('model.loaded', { name: model.name || t('model.builtin') });
      break;
    case 'model-error':
      showError('model', msg.message);
      break;
  }
}

ui.classify.addEventListener('click', start);
ui.cancel.addEventListener('click', () => {
  ui.cancel.disabled = true;
  client.cancel();
});
// Ctrl/Cmd+Enter in the text area classifies without leaving the keyboard's home row.
ui.input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !ui.classify.disabled) start();
});

// --- threshold ----------------------------------------------------------------------------------
function applyThreshold(value) {
  ui.thresholdValue.textContent = new Intl.NumberFormat(currentLang(), { style: 'percent' }).format(value);
  view.setThreshold(value);
  if (!ui.summary.hidden) showSummary();
}
{
  const saved = Number.parseFloat(settings.get('threshold'));
  const min = Number(ui.threshold.min);
  const max = Number(ui.threshold.max);
  if (saved >= min && saved <= max) ui.threshold.value = String(saved);
  applyThreshold(Number(ui.threshold.value));
}
ui.threshold.addEventListener('input', () => {
  settings.set('threshold', ui.threshold.value);
  applyThreshold(Number(ui.threshold.value));
});

// --- language -----------------------------------------------------------------------------------
ui.lang.addEventListener('change', () => {
  setLang(ui.lang.value);
  relabelTheme();
  showModel();
  say(status.key, status.vars);
  if (error) showError(error.code, error.message);
  applyThreshold(Number(ui.threshold.value)); // re-marks the paragraphs in the new language
  detail.refresh();
});

// --- files: open or drop ------------------------------------------------------------------------
onFile(ui.file, async (file) => {
  try {
    ui.input.value = await fileText(file);
  } catch (e) {
    showError('file', String(e?.message ?? e));
    return;
  }
  if (!ui.classify.disabled) start(); // else still loading, or the classifier failed: the text waits
});

// --- another model ------------------------------------------------------------------------------
ui.modelFile.addEventListener('change', async () => {
  const [file] = ui.modelFile.files;
  ui.modelFile.value = '';
  if (!file) return;
  try {
    client.useModel(await file.arrayBuffer(), file.name);
  } catch (e) {
    showError('file', String(e?.message ?? e));
  }
});
ui.modelReset.addEventListener('click', () => client.useModel(null, ''));

// --- paragraph details: hover, focus, tap, arrow keys -------------------------------------------
detail.listen(ui.output);

// --- export -------------------------------------------------------------------------------------
async function exportAs(kind) {
  if (!run?.workerDone) return;
  const doc = {
    text: run.text,
    records: view.records,
    summary: run.summary,
    threshold: view.threshold,
    model: model.name || 'built-in',
    version,
    complete: !run.cancelled,
  };
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  if (kind === 'json') download(await jsonBlob(doc), `stance-lens-${stamp}.json`);
  else download(await csvBlob(doc), `stance-lens-${stamp}.csv`);
}
$('export-json').addEventListener('click', () => exportAs('json'));
$('export-csv').addEventListener('click', () => exportAs('csv'));

// --- offline ------------------------------------------------------------------------------------
// The service worker caches the page, module and model so the next visit works offline. Without
// it (an old browser, a private window refusing it) the page still works online.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('./sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(() => {
      offlineReady = true;
      showModel();
    })
    .catch(() => {});
}
