// The content script: reads paragraph-like blocks of the page and marks them, nothing else. It
// never runs the model (the text goes to the extension's own context, which answers with labels)
// and never writes page text: the only changes to the page's DOM are the `data-stance` and
// `data-confidence` attributes on the blocks and one overlay element outside <body> whose shadow
// root holds the side bars, badges and tooltip, positioned absolutely, so the page's layout and
// its text content stay exactly as they were. Everything it writes is set with textContent.
//
// Injected by the background (executeScript of messages.js + this file) when the user marks a
// page, or registered for the sites of the always-mark list. Injecting it again is a no-op.
(() => {
  'use strict';
  if (globalThis.__stanceLensContent) return;
  globalThis.__stanceLensContent = true;

  const ext = globalThis.browser ?? globalThis.chrome;
  const M = globalThis.StanceLensMessages;

  /** Shorter blocks are captions, buttons and menu items, and too short for the model anyway. */
  const MIN_CHARS = 40;
  /** Block elements that are paragraphs by themselves. */
  const NAMED = 'p, li, blockquote, dd, figcaption';
  /** Containers that count as a text block when no block element is inside (article text in divs). */
  const GENERIC = 'div, article, section';
  const BLOCK_INSIDE = `${NAMED}, ${GENERIC}, main, aside, header, footer, nav, ul, ol, dl, table, form, pre, h1, h2, h3, h4, h5, h6`;
  /** Never marked: code, controls, navigation, editable text, hidden content, our own overlay. */
  const SKIP =
    'script, style, noscript, template, textarea, input, select, button, svg, math, code, pre, nav, ' +
    '[contenteditable=""], [contenteditable="true"], [aria-hidden="true"], [hidden], stance-lens-overlay';
  const HOST_TAG = 'stance-lens-overlay';
  /** Mutations are gathered for this long after the last one (infinite scroll adds in bursts)... */
  const QUIET_MS = 250;
  /** ...but never delayed more than this after the first. */
  const MAX_WAIT_MS = 1500;

  const COLORS = {
    pro_moscow: '#d55e00', // Okabe-Ito, as the reader's page: safe for common colour blindness
    pro_washington: '#0072b2',
    neutral: '#6b6b6b',
    unsure: '#8a8a8a',
  };
  // Every style is set through the CSSOM (element.style), never a stylesheet or a style
  // attribute: no page CSP can block it (style-src applies to sheets and attributes), and it
  // needs no constructed sheet, which Firefox's content-script wrappers do not always adopt.
  const FONT = { fontFamily: 'system-ui, sans-serif', fontStyle: 'normal', fontWeight: '600', letterSpacing: 'normal', textTransform: 'none' };
  const BAR = { position: 'absolute', width: '4px', borderRadius: '2px', pointerEvents: 'none', margin: '0' };
  const BADGE = {
    ...FONT, position: 'absolute', transform: 'translate(-100%, -60%)', pointerEvents: 'auto', cursor: 'help',
    fontSize: '11px', lineHeight: '16px', padding: '0 5px', borderRadius: '4px', whiteSpace: 'nowrap',
    boxShadow: '0 1px 2px rgba(0,0,0,.35)', opacity: '.93', outline: 'none', margin: '0',
  };
  const TOOLTIP = {
    ...FONT, fontWeight: '400', position: 'absolute', zIndex: '1', width: 'max-content', maxWidth: '24rem',
    padding: '6px 8px', borderRadius: '6px', background: '#1f1f1f', color: '#fff', fontSize: '12px',
    lineHeight: '1.45', pointerEvents: 'none', boxShadow: '0 2px 8px rgba(0,0,0,.4)', whiteSpace: 'normal',
    transform: 'translateX(-100%)', textAlign: 'left',
  };
  const css = (el, props) => Object.assign(el.style, props);
  const show = (el, visible) => {
    el.style.display = visible ? 'block' : 'none';
  };

  function paint(bar, badge, stance) {
    const color = COLORS[stance];
    bar.style.background = stance === 'unsure' ? `repeating-linear-gradient(to bottom, ${color} 0 6px, transparent 6px 10px)` : color;
    css(badge, stance === 'unsure'
      ? { background: '#fff', color: '#333', border: '1px dashed #666' }
      : { background: color, color: '#fff', border: '0' });
  }

  const t = (key, subs) => ext.i18n.getMessage(key, subs) || key;
  const labelName = (stance) => t(`label_${stance}`);
  const pct = (p) => `${Math.round(p * 100)}%`;

  const state = { enabled: false, threshold: M.DEFAULT_THRESHOLD };
  /** Element -> {id, text, result}: every block seen, with its classification once known. */
  const entries = new Map();
  /** Element -> {bar, badge}: what the overlay shows for each marked block. */
  const marks = new Map();
  let nextId = 1;
  let host = null;
  let shadow = null;
  let tooltip = null;

  // One thing at a time: marking, a threshold change and a mutation batch never interleave.
  let queue = Promise.resolve();
  function serial(fn) {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  }

  // --- finding blocks -------------------------------------------------------------------------
  function blockText(el) {
    // innerText: what a reader sees (no hidden text, <br> as a break); cut to the message limit.
    return (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, M.LIMITS.charsPerBlock);
  }

  function isCandidate(el) {
    if (!el.matches(NAMED) && !(el.matches(GENERIC) && !el.querySelector(BLOCK_INSIDE))) return false;
    if (el.closest(SKIP)) return false;
    if ((el.textContent ?? '').length < MIN_CHARS) return false; // cheap test before innerText
    if (el.getClientRects().length === 0) return false; // not rendered
    return blockText(el).length >= MIN_CHARS;
  }

  /** Paragraph-like blocks in `root` (itself included); of nested ones, the innermost. */
  function findBlocks(root) {
    if (!(root instanceof Element)) return [];
    const found = [root, ...root.querySelectorAll(`${NAMED}, ${GENERIC}`)].filter(isCandidate);
    const holders = new Set();
    for (const el of found) {
      for (let p = el.parentElement; p && !holders.has(p); p = p.parentElement) holders.add(p);
    }
    return found.filter((el) => !holders.has(el));
  }

  // --- classifying ----------------------------------------------------------------------------
  async function classifyAndMark(elements) {
    // All reads (innerText lays the page out) before any write: interleaved, every read after a
    // write would lay the whole page out again, quadratic on long pages.
    const texts = elements.map(blockText);
    const todo = [];
    for (const [i, el] of elements.entries()) {
      const text = texts[i];
      const known = entries.get(el);
      if (known?.result && known.text === text) {
        render(el);
        continue;
      }
      entries.set(el, { id: nextId++, text, result: null });
      todo.push(el);
    }
    for (let i = 0; i < todo.length; i += M.LIMITS.blocksPerBatch) {
      const batch = todo.slice(i, i + M.LIMITS.blocksPerBatch);
      const byId = new Map(batch.map((el) => [entries.get(el).id, el]));
      const blocks = batch.map((el) => ({ id: entries.get(el).id, text: entries.get(el).text }));
      const reply = M.parse(await ext.runtime.sendMessage({ type: 'classify', blocks }), ['classified']);
      for (const r of reply.results) {
        const el = byId.get(r.id);
        const entry = el && entries.get(el);
        if (!entry || entry.id !== r.id) continue; // the block changed meanwhile: a newer request covers it
        entry.result = r;
        if (state.enabled) render(el);
      }
    }
  }

  // --- the overlay ----------------------------------------------------------------------------
  function ensureHost() {
    if (host?.isConnected) return;
    host = document.createElement(HOST_TAG);
    host.style.all = 'initial'; // nothing inherited from the page's styles of <html>
    css(host, {
      position: 'absolute', top: '0', left: '0', width: '0', height: '0', overflow: 'visible',
      margin: '0', padding: '0', border: '0', zIndex: '2147483647', pointerEvents: 'none', display: 'block',
    });
    shadow = host.attachShadow({ mode: 'open' });
    tooltip = document.createElement('div');
    tooltip.className = 'tooltip';
    css(tooltip, TOOLTIP);
    show(tooltip, false);
    tooltip.setAttribute('role', 'tooltip');
    tooltip.id = 'tip';
    shadow.append(tooltip);
    for (const m of marks.values()) shadow.append(m.bar, m.badge);
    // Outside <body>: the body's text and layout are untouched by the overlay.
    document.documentElement.append(host);
    resizeObserver.observe(document.documentElement);
  }

  function stanceOf(result) {
    return result.confidence >= state.threshold ? result.label : 'unsure';
  }

  function render(el) {
    const entry = entries.get(el);
    if (!entry?.result || !state.enabled) return;
    ensureHost();
    const stance = stanceOf(entry.result);
    const confidence = entry.result.confidence.toFixed(3);
    // Written only when they change: each write invalidates the page's style.
    if (el.getAttribute('data-stance') !== stance) el.setAttribute('data-stance', stance);
    if (el.getAttribute('data-confidence') !== confidence) el.setAttribute('data-confidence', confidence);
    let m = marks.get(el);
    if (!m) {
      const bar = document.createElement('div');
      bar.className = 'bar';
      css(bar, BAR);
      const badge = document.createElement('span');
      badge.className = 'badge';
      css(badge, BADGE);
      badge.tabIndex = -1; // focusable by click for the tooltip, without entering the page's tab order
      badge.setAttribute('aria-describedby', 'tip');
      const on = () => {
        css(badge, { opacity: '1', outline: '2px solid #000', outlineOffset: '1px' });
        showTooltip(el, badge);
      };
      const off = () => {
        css(badge, { opacity: BADGE.opacity, outline: 'none' });
        hideTooltip();
      };
      badge.addEventListener('mouseenter', on);
      badge.addEventListener('focus', on);
      badge.addEventListener('mouseleave', off);
      badge.addEventListener('blur', off);
      shadow.append(bar, badge);
      m = { bar, badge };
      marks.set(el, m);
      resizeObserver.observe(el);
    }
    const label = `${labelName(stance)} ${pct(entry.result.confidence)}`;
    if (m.badge.textContent !== label) {
      m.bar.dataset.stance = stance;
      m.badge.dataset.stance = stance;
      m.badge.textContent = label;
      paint(m.bar, m.badge, stance);
    }
    schedulePosition();
  }

  function showTooltip(el, badge) {
    const r = entries.get(el)?.result;
    if (!r || !tooltip) return;
    const head = document.createElement('div');
    head.style.fontWeight = '600';
    head.textContent =
      stanceOf(r) === 'unsure'
        ? t('tooltipUnsure', [labelName(r.label), pct(r.confidence), pct(state.threshold)])
        : `${labelName(r.label)} — ${pct(r.confidence)}`;
    const probs = document.createElement('div');
    probs.textContent = M.LABELS.map((l) => `${labelName(l)} ${pct(r.probabilities[l])}`).join(' · ');
    const why = document.createElement('div');
    why.style.color = '#ddd';
    const words = r.reasons.filter((w) => w.weight > 0).map((w) => `${w.term} (${labelName(w.label)})`);
    why.textContent = words.length ? `${t('why')} ${words.join(', ')}` : t('whyNone');
    tooltip.replaceChildren(head, probs, why);
    css(tooltip, { left: badge.style.left, top: `${parseFloat(badge.style.top) + 12}px` });
    show(tooltip, true);
  }

  function hideTooltip() {
    if (tooltip) show(tooltip, false);
  }

  // Positions follow layout: recomputed once per frame after renders, resizes and reflows.
  let positionFrame = 0;
  const resizeObserver = new ResizeObserver(() => schedulePosition());
  function schedulePosition() {
    if (!positionFrame) positionFrame = requestAnimationFrame(position);
  }
  function position() {
    positionFrame = 0;
    if (!host) return;
    for (const el of [...marks.keys()]) if (!el.isConnected) unmark(el);
    // Every rectangle first, then every write: one layout, not one per mark.
    const origin = host.getBoundingClientRect();
    const rects = [...marks.keys()].map((el) => el.getBoundingClientRect());
    let i = 0;
    for (const m of marks.values()) {
      const r = rects[i++];
      const visible = r.width > 0 || r.height > 0;
      show(m.bar, visible);
      show(m.badge, visible);
      if (!visible) continue;
      const x = r.left - origin.left;
      const y = r.top - origin.top;
      Object.assign(m.bar.style, { left: `${Math.max(0, x - 7)}px`, top: `${y}px`, height: `${r.height}px` });
      Object.assign(m.badge.style, { left: `${x + r.width}px`, top: `${y}px` });
    }
  }
  addEventListener('resize', schedulePosition, { passive: true });
  // The overlay scrolls with the document by itself; blocks in inner scrolling boxes or sticky
  // ones move without a resize, so any scroll (captured: inner ones do not bubble) re-places too.
  addEventListener('scroll', schedulePosition, { passive: true, capture: true });

  function unmark(el) {
    const m = marks.get(el);
    if (m) {
      m.bar.remove();
      m.badge.remove();
      marks.delete(el);
      resizeObserver.unobserve(el);
    }
    if (el.isConnected) {
      el.removeAttribute('data-stance');
      el.removeAttribute('data-confidence');
    } else {
      entries.delete(el);
    }
  }

  // --- new content ----------------------------------------------------------------------------
  let observer = null;
  const pendingRoots = new Set();
  let quietTimer = 0;
  let firstPending = 0;

  function onMutations(records) {
    for (const rec of records) {
      if (rec.type === 'characterData') {
        if (rec.target.parentElement) pendingRoots.add(rec.target.parentElement);
        continue;
      }
      for (const n of rec.addedNodes) {
        if (n === host) continue;
        const el = n.nodeType === Node.ELEMENT_NODE ? n : n.parentElement;
        if (el) pendingRoots.add(el);
      }
    }
    if (!pendingRoots.size) return;
    const now = performance.now();
    firstPending ||= now;
    clearTimeout(quietTimer);
    const wait = Math.max(0, Math.min(QUIET_MS, firstPending + MAX_WAIT_MS - now));
    quietTimer = setTimeout(() => serial(flush).catch(warn), wait);
  }

  /** Classifies and marks the blocks in (or around) everything added since the last batch. */
  async function flush() {
    firstPending = 0;
    if (!state.enabled) {
      pendingRoots.clear();
      return;
    }
    // A node added inside a paragraph (a link, a word) changes that paragraph: scan from the
    // nearest block around it; a block or container added whole is scanned from itself.
    const roots = new Set();
    for (const el of pendingRoots) {
      if (!el.isConnected || el === host) continue;
      roots.add(el.closest(`${NAMED}, ${GENERIC}`) ?? el);
    }
    pendingRoots.clear();
    const blocks = new Set();
    for (const root of roots) {
      if ([...roots].some((r) => r !== root && r.contains(root))) continue; // scanned with its ancestor
      for (const b of findBlocks(root)) blocks.add(b);
    }
    for (const el of marks.keys()) if (!el.isConnected) unmark(el);
    if (blocks.size) await classifyAndMark([...blocks]);
  }

  function observe() {
    if (observer) return;
    observer = new MutationObserver(onMutations);
    observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  }

  // --- commands -------------------------------------------------------------------------------
  async function mark(threshold) {
    state.enabled = true;
    state.threshold = threshold;
    observe(); // before the scan, so nothing added during it is missed
    await classifyAndMark(findBlocks(document.body));
  }

  function clear() {
    state.enabled = false;
    observer?.disconnect();
    observer = null;
    clearTimeout(quietTimer);
    pendingRoots.clear();
    for (const el of [...marks.keys()]) unmark(el);
    for (const el of entries.keys()) {
      el.removeAttribute('data-stance');
      el.removeAttribute('data-confidence');
    }
    resizeObserver.disconnect();
    host?.remove();
    host = shadow = tooltip = null;
  }

  function summary() {
    const counts = Object.fromEntries(M.STANCES.map((s) => [s, 0]));
    const chars = Object.fromEntries(M.STANCES.map((s) => [s, 0]));
    let blocks = 0;
    let totalChars = 0;
    for (const [el, e] of entries) {
      const stance = el.getAttribute('data-stance');
      if (!e.result || !el.isConnected || !marks.has(el) || !M.STANCES.includes(stance)) continue;
      counts[stance] += 1;
      chars[stance] += e.text.length;
      blocks += 1;
      totalChars += e.text.length;
    }
    return {
      type: 'summary',
      marked: state.enabled,
      blocks,
      counts,
      chars,
      totalChars,
      threshold: state.threshold,
    };
  }

  async function handle(msg) {
    switch (msg.type) {
      case 'mark':
        await mark(msg.threshold);
        break;
      case 'clear':
        clear();
        break;
      case 'setThreshold':
        state.threshold = msg.threshold;
        for (const el of entries.keys()) if (el.isConnected) render(el);
        break;
      case 'getSummary':
        break;
      default:
        throw new Error(`unhandled message type ${msg.type}`);
    }
    return summary();
  }

  function warn(e) {
    console.warn('Stance Lens:', e?.message ?? e);
  }

  ext.runtime.onMessage.addListener((raw, sender, sendResponse) => {
    if (sender.id !== ext.runtime.id) return false;
    let msg;
    try {
      msg = M.parse(raw, M.TO_CONTENT);
    } catch (e) {
      sendResponse(M.error(e));
      return false;
    }
    serial(() => handle(msg)).then(sendResponse, (e) => sendResponse(M.error(e)));
    return true;
  });

  // Loaded by the always-mark registration, the page is marked straight away; loaded by the
  // toolbar action, the background's `mark` message follows (queued behind this).
  serial(async () => {
    const s = M.parse(await ext.runtime.sendMessage({ type: 'hello' }), ['settings']);
    state.threshold = s.threshold;
    if (s.autoMark) await mark(s.threshold);
  }).catch(warn);
})();
