// The popup: opening it (the toolbar button) marks the active tab, then shows that page's
// summary (paragraphs per stance and share of the text), the confidence threshold, a switch that
// clears the marks, and the opt-in always-mark site list. It speaks the browser's language (FR or
// EN, from _locales) and talks only to the background, with typed messages.
const ext = globalThis.browser ?? globalThis.chrome;
const M = globalThis.StanceLensMessages;
const t = (key, subs) => ext.i18n.getMessage(key, subs) || key;
const $ = (id) => document.getElementById(id);

const ui = {
  status: $('status'),
  summary: $('summary'),
  rows: $('rows'),
  threshold: $('threshold'),
  thresholdValue: $('threshold-value'),
  show: $('show'),
  mark: $('mark'),
  always: $('always'),
  alwaysLabel: $('always-label'),
  sites: $('sites'),
};
let tab = null;
let origin = null;
let sites = [];

async function send(msg, accept) {
  return M.parse(await ext.runtime.sendMessage(msg), accept);
}

function say(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

function translate() {
  // The language the messages came in (the browser's, where _locales has it), not the UI's own.
  document.documentElement.lang = t('lang');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

const percent = (x) => `${Math.round(x * 100)}%`;

function showSummary(s) {
  ui.show.checked = Boolean(s?.marked);
  if (!s || !s.marked) {
    ui.summary.hidden = true;
    return;
  }
  ui.summary.hidden = false;
  const rows = M.STANCES.map((stance) => {
    const tr = document.createElement('tr');
    tr.dataset.stance = stance;
    const name = document.createElement('td');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    name.append(swatch, document.createTextNode(t(`label_${stance}`)));
    const count = document.createElement('td');
    count.className = 'num';
    count.textContent = String(s.counts[stance]);
    const share = document.createElement('td');
    const fraction = s.totalChars ? s.chars[stance] / s.totalChars : 0;
    const meter = document.createElement('meter');
    meter.min = 0;
    meter.max = 1;
    meter.value = fraction;
    const value = document.createElement('span');
    value.textContent = percent(fraction);
    const box = document.createElement('div');
    box.className = 'share';
    box.append(meter, value);
    share.append(box);
    tr.append(name, count, share);
    return tr;
  });
  ui.rows.replaceChildren(...rows);
  say(t('summaryLine', [String(s.blocks)]));
}

function showThreshold(value) {
  ui.threshold.value = String(value);
  ui.thresholdValue.textContent = percent(value);
}

function showSites() {
  ui.always.disabled = !origin;
  ui.always.checked = Boolean(origin && sites.includes(origin));
  ui.alwaysLabel.textContent = origin ? t('alwaysHere', [new URL(origin).host]) : t('alwaysUnavailable');
  ui.sites.replaceChildren(
    ...sites.map((site) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = site;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = t('remove');
      remove.setAttribute('aria-label', t('removeSite', [site]));
      remove.addEventListener('click', () => setSite(site, false));
      li.append(name, remove);
      return li;
    }),
  );
}

async function setSite(site, always) {
  try {
    const s = await send({ type: 'setSite', origin: site, always }, ['popupSettings']);
    sites = s.sites;
  } catch (e) {
    say(e.message, true);
  }
  showSites();
}

async function mark() {
  if (!tab) return;
  say(t('marking'));
  try {
    showSummary(await send({ type: 'markTab', tabId: tab.id }, ['summary']));
  } catch (e) {
    // chrome://, the web store, PDF viewers...: pages no extension may script.
    say(t('cannotMark', [e.message]), true);
    ui.show.checked = false;
  }
}

ui.mark.addEventListener('click', mark);

ui.show.addEventListener('change', async () => {
  if (ui.show.checked) {
    await mark();
  } else {
    try {
      const reply = await send({ type: 'clearTab', tabId: tab.id }, ['summary', 'ok']);
      showSummary(reply.type === 'summary' ? reply : null);
      say(t('cleared'));
    } catch (e) {
      say(e.message, true);
    }
  }
});

let thresholdTimer = 0;
ui.threshold.addEventListener('input', () => {
  const value = Number(ui.threshold.value);
  showThreshold(value);
  clearTimeout(thresholdTimer);
  // Re-marking is cheap (no reclassification) but the slider fires on every pixel.
  thresholdTimer = setTimeout(async () => {
    try {
      const reply = await send({ type: 'setThreshold', threshold: value, tabId: tab?.id }, ['summary', 'ok']);
      if (reply.type === 'summary') showSummary(reply);
    } catch (e) {
      say(e.message, true);
    }
  }, 120);
});

ui.always.addEventListener('change', () => {
  if (!origin) return;
  if (ui.always.checked) {
    // permissions.request must run in the click's own task (no await before it): the browser
    // then asks the user for this one site, nothing broader.
    ext.permissions.request({ origins: [M.sitePattern(origin)] }).then(
      (granted) => (granted ? setSite(origin, true) : showSites()),
      (e) => {
        say(e.message, true);
        showSites();
      },
    );
  } else {
    setSite(origin, false);
  }
});

async function start() {
  translate();
  const settings = await send({ type: 'getSettings' }, ['popupSettings']);
  showThreshold(settings.threshold);
  sites = settings.sites;
  [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  // The URL is visible because opening the popup granted activeTab on this tab.
  try {
    const o = new URL(tab?.url ?? '').origin;
    origin = M.isOrigin(o) ? o : null;
  } catch {
    origin = null;
  }
  showSites();
  if (!tab) {
    say(t('noTab'), true);
    return;
  }
  const reply = await send({ type: 'getSummary', tabId: tab.id }, ['summary', 'ok']).catch(() => null);
  if (reply?.type === 'summary' && !reply.marked) {
    showSummary(reply); // cleared by the switch: stays cleared
    say(t('cleared'));
  } else {
    // The toolbar button's action: mark this page, or mark it again. Blocks already classified
    // keep their results, so this is cheap; and a failure (a damaged model) is said again in
    // words instead of a stale "0 paragraphs marked".
    await mark();
  }
}

start().catch((e) => say(e.message, true));
