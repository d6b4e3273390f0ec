// The typed messages of the extension and their validators: ONE definition shared by the
// background (imported for its side effect), the popup and the content script (injected before
// content.js). It is a classic script that only assigns `globalThis.StanceLensMessages`, so the
// same file loads as an ES module import, a <script> and an executeScript file, and injecting it
// twice is harmless (no top-level `const` to redeclare).
//
// Every message is a plain `{type: ...}` object. A receiver calls `parse(raw, allowedTypes)`,
// which returns the message or throws a TypeError saying what was wrong: anything malformed,
// of an unknown type, of a type that receiver does not accept, or oversized is rejected before
// it reaches any handler (the page can reach the content script's world only through the DOM,
// but a compromised renderer can send anything to the background).
(() => {
  'use strict';
  if (globalThis.StanceLensMessages) return;

  const LABELS = ['pro_moscow', 'pro_washington', 'neutral'];
  const STANCES = [...LABELS, 'unsure'];
  /** Limits that keep one message small and one page's work bounded. */
  const LIMITS = Object.freeze({
    blocksPerBatch: 64, // a batch is classified in one service-worker turn
    charsPerBlock: 10_000, // longer blocks are cut before sending: a paragraph, not a book
    reasonsPerBlock: 8,
    termChars: 200,
    sites: 200,
    messageChars: 2_000,
  });
  /** Below this top probability a block is shown as "unsure" (the popup changes it). */
  const DEFAULT_THRESHOLD = 0.5;

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const isId = (v) => Number.isSafeInteger(v) && v >= 0;
  const isProb = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
  const isThreshold = isProb;
  const isCount = (v) => Number.isSafeInteger(v) && v >= 0;

  function fail(why) {
    throw new TypeError(`malformed message: ${why}`);
  }
  function need(cond, why) {
    if (!cond) fail(why);
  }
  function onlyKeys(msg, keys) {
    for (const k of Object.keys(msg)) need(k === 'type' || keys.includes(k), `unexpected field "${k}" in ${msg.type}`);
  }

  /** "https://example.org" style origins only: what the site list stores and asks permission for. */
  function isOrigin(v) {
    if (typeof v !== 'string' || v.length > 300) return false;
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  }

  /**
   * The host permission pattern for a listed site. No port: Firefox's match patterns take none,
   * so a site's permission covers its host on any port (the list itself keeps the exact origin).
   */
  function sitePattern(origin) {
    const u = new URL(origin);
    return `${u.protocol}//${u.hostname}/*`;
  }

  function checkResult(r) {
    need(isObject(r), 'result is not an object');
    onlyKeys({ type: 'result', ...r }, ['id', 'label', 'confidence', 'probabilities', 'reasons']);
    need(isId(r.id), 'result id');
    need(LABELS.includes(r.label), 'result label');
    need(isProb(r.confidence), 'result confidence');
    need(isObject(r.probabilities) && LABELS.every((l) => isProb(r.probabilities[l])), 'result probabilities');
    need(Array.isArray(r.reasons) && r.reasons.length <= LIMITS.reasonsPerBlock, 'result reasons');
    for (const w of r.reasons) {
      need(isObject(w) && typeof w.term === 'string' && w.term.length <= LIMITS.termChars, 'reason term');
      need(typeof w.weight === 'number' && Number.isFinite(w.weight), 'reason weight');
      need(LABELS.includes(w.label), 'reason label');
    }
  }

  function checkSummary(m) {
    onlyKeys(m, ['marked', 'blocks', 'counts', 'chars', 'totalChars', 'threshold']);
    need(typeof m.marked === 'boolean', 'summary.marked');
    need(isCount(m.blocks) && isCount(m.totalChars), 'summary totals');
    need(isThreshold(m.threshold), 'summary.threshold');
    for (const k of ['counts', 'chars']) {
      need(isObject(m[k]) && STANCES.every((s) => isCount(m[k][s])), `summary.${k}`);
    }
  }

  /** One validator per message type; each throws on anything but the documented shape. */
  const VALIDATORS = {
    // content script -> background
    hello(m) {
      onlyKeys(m, []);
    },
    classify(m) {
      onlyKeys(m, ['blocks']);
      need(Array.isArray(m.blocks) && m.blocks.length > 0, 'classify.blocks must be a non-empty array');
      need(m.blocks.length <= LIMITS.blocksPerBatch, `at most ${LIMITS.blocksPerBatch} blocks per batch`);
      for (const b of m.blocks) {
        need(isObject(b) && isId(b.id), 'block id');
        need(typeof b.text === 'string' && b.text.trim() !== '', 'block text must be a non-empty string');
        need(b.text.length <= LIMITS.charsPerBlock, `block text over ${LIMITS.charsPerBlock} characters`);
      }
    },
    // background -> content script (replies)
    settings(m) {
      onlyKeys(m, ['threshold', 'autoMark']);
      need(isThreshold(m.threshold), 'settings.threshold');
      need(typeof m.autoMark === 'boolean', 'settings.autoMark');
    },
    classified(m) {
      onlyKeys(m, ['results']);
      need(Array.isArray(m.results) && m.results.length <= LIMITS.blocksPerBatch, 'classified.results');
      m.results.forEach(checkResult);
    },
    // background -> content script (requests)
    mark(m) {
      onlyKeys(m, ['threshold']);
      need(isThreshold(m.threshold), 'mark.threshold');
    },
    clear(m) {
      onlyKeys(m, []);
    },
    setThreshold(m) {
      onlyKeys(m, ['threshold', 'tabId']);
      need(isThreshold(m.threshold), 'setThreshold.threshold');
      need(m.tabId === undefined || isId(m.tabId), 'setThreshold.tabId');
    },
    getSummary(m) {
      onlyKeys(m, ['tabId']);
      need(m.tabId === undefined || isId(m.tabId), 'getSummary.tabId');
    },
    // content script -> background / popup (replies)
    summary: checkSummary,
    // popup -> background
    markTab(m) {
      onlyKeys(m, ['tabId']);
      need(isId(m.tabId), 'markTab.tabId');
    },
    clearTab(m) {
      onlyKeys(m, ['tabId']);
      need(isId(m.tabId), 'clearTab.tabId');
    },
    getSettings(m) {
      onlyKeys(m, []);
    },
    popupSettings(m) {
      onlyKeys(m, ['threshold', 'sites']);
      need(isThreshold(m.threshold), 'popupSettings.threshold');
      need(Array.isArray(m.sites) && m.sites.every(isOrigin), 'popupSettings.sites');
    },
    setSite(m) {
      onlyKeys(m, ['origin', 'always']);
      need(isOrigin(m.origin), 'setSite.origin must be an http(s) origin: scheme, host and port only');
      need(typeof m.always === 'boolean', 'setSite.always');
    },
    // any direction
    ok(m) {
      onlyKeys(m, []);
    },
    error(m) {
      onlyKeys(m, ['message']);
      need(typeof m.message === 'string' && m.message.length <= LIMITS.messageChars, 'error.message');
    },
  };

  /**
   * Returns `raw` if it is a well-formed message whose type is in `allowed`; throws otherwise.
   * An `{type: 'error'}` reply is always accepted and turned into a thrown Error, so callers see
   * the far side's failure as an exception.
   */
  function parse(raw, allowed) {
    need(isObject(raw), 'not an object');
    need(typeof raw.type === 'string' && Object.hasOwn(VALIDATORS, raw.type), `unknown type ${JSON.stringify(raw.type)}`.slice(0, 200));
    if (raw.type === 'error') {
      VALIDATORS.error(raw);
      throw new Error(raw.message);
    }
    need(allowed.includes(raw.type), `type "${raw.type}" not accepted here`);
    VALIDATORS[raw.type](raw);
    return raw;
  }

  /** An error reply carrying a readable message (cut to the size limit). */
  function error(e) {
    return { type: 'error', message: String(e?.message ?? e).slice(0, LIMITS.messageChars) };
  }

  globalThis.StanceLensMessages = Object.freeze({
    LABELS,
    STANCES,
    LIMITS,
    DEFAULT_THRESHOLD,
    isOrigin,
    sitePattern,
    parse,
    error,
    /** What each receiver accepts. */
    TO_BACKGROUND_FROM_CONTENT: Object.freeze(['hello', 'classify']),
    TO_BACKGROUND_FROM_POPUP: Object.freeze(['markTab', 'clearTab', 'getSummary', 'setThreshold', 'getSettings', 'setSite']),
    TO_CONTENT: Object.freeze(['mark', 'clear', 'setThreshold', 'getSummary']),
  });
})();
