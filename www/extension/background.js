// The extension's own context (Chromium: the MV3 service worker; Firefox: the background
// script). It alone loads the WASM classifier, so no model code or weights ever enter the pages
// people read: content scripts send paragraph text here and get labels back. It also injects the
// content script on demand (activeTab + scripting) and keeps the opt-in "always mark on these
// sites" list. It makes no network request: the only fetch is the packaged stance_bg.wasm.
//
// `self.stanceLens.markTab(tabId)` is the toolbar action (the popup calls it) and the hook
// tests drive through the worker.
import './messages.js';
import init, { Classifier, version } from './pkg/stance.js';

const ext = globalThis.browser ?? globalThis.chrome;
const M = globalThis.StanceLensMessages;
const CONTENT_FILES = ['messages.js', 'content.js'];
const ALWAYS_ID = 'stance-lens-always-mark';

// --- the classifier -------------------------------------------------------------------------
// Loaded on first use: a service worker is started and stopped by the browser at will, and most
// starts (popup opened on a page never marked) need no model.
let classifierPromise = null;
function classifier() {
  classifierPromise ??= init({ module_or_path: new URL('./pkg/stance_bg.wasm', import.meta.url) })
    .then(() => new Classifier())
    .catch((e) => {
      classifierPromise = null; // let the next request try again rather than fail forever
      throw e;
    });
  return classifierPromise;
}

/** Counters for tests and bug reports: how batched the content script's requests are. */
const stats = { classifyRequests: 0, blocksClassified: 0 };

/** Classifies each block as one paragraph; only what the content script shows is sent back. */
async function classifyBlocks(blocks) {
  const c = await classifier();
  stats.classifyRequests += 1;
  stats.blocksClassified += blocks.length;
  const results = [];
  for (const { id, text } of blocks) {
    let r;
    try {
      r = c.classifyBlock(text);
    } catch (e) {
      // One block the core refuses stays unmarked; it must not cost the page its other marks.
      console.warn(`Stance Lens: block ${id} not classified: ${e.message}`);
      continue;
    }
    results.push({
      id,
      label: r.label,
      confidence: r.confidence,
      probabilities: {
        pro_moscow: r.probabilities.pro_moscow,
        pro_washington: r.probabilities.pro_washington,
        neutral: r.probabilities.neutral,
      },
      reasons: r.reasons.slice(0, M.LIMITS.reasonsPerBlock).map((w) => ({
        term: String(w.term).slice(0, M.LIMITS.termChars),
        weight: w.weight,
        label: w.label,
      })),
    });
  }
  return results;
}

// --- settings -------------------------------------------------------------------------------
async function settings() {
  const s = await ext.storage.local.get({ threshold: M.DEFAULT_THRESHOLD, sites: [] });
  return {
    threshold: typeof s.threshold === 'number' && s.threshold >= 0 && s.threshold <= 1 ? s.threshold : M.DEFAULT_THRESHOLD,
    sites: Array.isArray(s.sites) ? s.sites.filter(M.isOrigin) : [],
  };
}

const pattern = M.sitePattern;

/**
 * Registers the content script for the listed sites whose permission the user granted (and only
 * those): a site whose permission was withdrawn in the browser's settings stops being marked.
 */
async function syncAlwaysMark() {
  const { sites } = await settings();
  const matches = new Set(); // two listed ports of one host share one pattern
  for (const origin of sites) {
    if (await ext.permissions.contains({ origins: [pattern(origin)] })) matches.add(pattern(origin));
  }
  const existing = await ext.scripting.getRegisteredContentScripts({ ids: [ALWAYS_ID] });
  if (existing.length) await ext.scripting.unregisterContentScripts({ ids: [ALWAYS_ID] });
  if (matches.size) {
    await ext.scripting.registerContentScripts([
      { id: ALWAYS_ID, matches: [...matches], js: CONTENT_FILES, runAt: 'document_idle', persistAcrossSessions: true },
    ]);
  }
  return [...matches];
}

async function setSite(origin, always) {
  const { sites } = await settings();
  const next = sites.filter((s) => s !== origin);
  if (always) {
    // The popup asked the user (permissions.request needs its click); here we only check it.
    if (!(await ext.permissions.contains({ origins: [pattern(origin)] }))) {
      throw new Error(`no permission for ${origin}: it is granted from the popup's switch`);
    }
    if (next.length >= M.LIMITS.sites) throw new Error(`at most ${M.LIMITS.sites} sites`);
    next.push(origin);
  } else {
    await ext.permissions.remove({ origins: [pattern(origin)] }).catch(() => false);
  }
  await ext.storage.local.set({ sites: next.sort() });
  await syncAlwaysMark();
  return next;
}

// --- tabs -----------------------------------------------------------------------------------
/** The active tab of the last focused window: the one the toolbar button acts on. */
async function activeTabId() {
  const [tab] = await ext.tabs.query({ active: true, lastFocusedWindow: true });
  if (!tab) throw new Error('no active tab');
  return tab.id;
}

/**
 * The id of the tab showing `url`. Tab URLs are visible only for the tabs the extension may
 * access (activeTab after the toolbar click, or a granted site), so this finds no other tab.
 */
async function tabIdForUrl(url) {
  const tab = (await ext.tabs.query({})).find((t) => t.url === url);
  if (!tab) throw new Error(`no accessible tab shows ${url}`);
  return tab.id;
}

async function toTab(tabId, msg) {
  const reply = await ext.tabs.sendMessage(tabId, msg);
  return M.parse(reply, ['summary', 'ok']);
}

/** The content script's summary, or null when it is not in that tab (page never marked). */
async function tabSummary(tabId) {
  try {
    return await toTab(tabId, { type: 'getSummary' });
  } catch (e) {
    if (/receiving end|could not establish|no such|missing host/i.test(String(e?.message))) return null;
    throw e;
  }
}

/**
 * Marks the page in `tabId` (default: the active tab): injects the content script (a no-op when
 * it is there already), then asks it to mark; resolves to the page's summary once the blocks
 * present now are marked. Needs host access to the tab: activeTab (granted by the toolbar click),
 * or a site of the always-mark list.
 */
async function markTab(tabId) {
  const id = tabId ?? (await activeTabId());
  M.parse({ type: 'markTab', tabId: id }, ['markTab']); // the same check whoever calls
  await ext.scripting.executeScript({ target: { tabId: id }, files: CONTENT_FILES });
  const { threshold } = await settings();
  return toTab(id, { type: 'mark', threshold });
}

async function clearTab(tabId) {
  return (await tabSummary(tabId)) ? toTab(tabId, { type: 'clear' }) : null;
}

async function setThreshold(threshold, tabId) {
  await ext.storage.local.set({ threshold });
  if (tabId === undefined || !(await tabSummary(tabId))) return null;
  return toTab(tabId, { type: 'setThreshold', threshold });
}

// --- messages -------------------------------------------------------------------------------
function senderIsExtensionPage(sender) {
  return typeof sender.url === 'string' && sender.url.startsWith(ext.runtime.getURL(''));
}

async function handle(msg, sender) {
  switch (msg.type) {
    // from content scripts
    case 'hello': {
      const s = await settings();
      let autoMark = false;
      try {
        const origin = new URL(sender.url).origin;
        autoMark = s.sites.includes(origin) && (await ext.permissions.contains({ origins: [pattern(origin)] }));
      } catch {
        autoMark = false;
      }
      return { type: 'settings', threshold: s.threshold, autoMark };
    }
    case 'classify':
      return { type: 'classified', results: await classifyBlocks(msg.blocks) };
    // from the popup
    case 'markTab':
      return markTab(msg.tabId);
    case 'clearTab':
      return (await clearTab(msg.tabId)) ?? { type: 'ok' };
    case 'getSummary':
      return (await tabSummary(msg.tabId ?? (await activeTabId()))) ?? { type: 'ok' };
    case 'setThreshold':
      return (await setThreshold(msg.threshold, msg.tabId)) ?? { type: 'ok' };
    case 'getSettings': {
      const s = await settings();
      return { type: 'popupSettings', threshold: s.threshold, sites: s.sites };
    }
    case 'setSite': {
      const sites = await setSite(msg.origin, msg.always);
      return { type: 'popupSettings', threshold: (await settings()).threshold, sites };
    }
    default:
      throw new Error(`unhandled message type ${msg.type}`);
  }
}

ext.runtime.onMessage.addListener((raw, sender, sendResponse) => {
  if (sender.id !== ext.runtime.id) return false; // only our own scripts and pages
  let msg;
  try {
    // Content scripts and extension pages may send different things: a page's renderer,
    // if compromised, must not reach the popup's powers (site list, other tabs).
    const allowed = senderIsExtensionPage(sender) ? M.TO_BACKGROUND_FROM_POPUP : M.TO_BACKGROUND_FROM_CONTENT;
    msg = M.parse(raw, allowed);
  } catch (e) {
    sendResponse(M.error(e));
    return false;
  }
  handle(msg, sender).then(sendResponse, (e) => sendResponse(M.error(e)));
  return true; // the reply is asynchronous
});

ext.runtime.onInstalled.addListener(() => void syncAlwaysMark().catch(console.error));
ext.runtime.onStartup?.addListener(() => void syncAlwaysMark().catch(console.error));
// Permissions can be withdrawn in the browser's own settings; follow them.
ext.permissions.onRemoved?.addListener(async ({ origins = [] }) => {
  if (!origins.length) return;
  const { sites } = await settings();
  const left = sites.filter((o) => !origins.includes(pattern(o)));
  if (left.length !== sites.length) await ext.storage.local.set({ sites: left });
  await syncAlwaysMark().catch(console.error);
});

/** The service worker's API: the toolbar action, and what tests drive through the worker. */
self.stanceLens = Object.freeze({
  markTab,
  clearTab,
  setThreshold,
  tabSummary,
  activeTabId,
  tabIdForUrl,
  syncAlwaysMark,
  stats: () => ({ ...stats }),
  /** Warms the classifier up and reports the crate version it runs. */
  ready: async () => {
    await classifier();
    return version();
  },
});
