// The classified text shown back: one focusable element per paragraph, in text order, carrying the
// page contract (data-stance, data-confidence; ../shared/ARCHITECTURE.md) plus data-label (the
// model's label whatever the threshold) and data-start/data-end (UTF-16 offsets in the text).
// Elements are created and re-marked in time slices, so 50,000 paragraphs never freeze the page,
// and grouped in blocks of PAGE_SIZE that the browser lays out only when on screen
// (content-visibility: auto): 50,000 direct children would make every frame's layout walk them all.
// Paragraph text is only ever set with textContent.
import { runSliced } from './slices.js';
import { currentLang, t } from './i18n.js';

const PAGE_SIZE = 50;

/** What a paragraph shows: its label, or 'unsure' when the model is less confident than `threshold`. */
export const stanceOf = (p, threshold) => (p.confidence >= threshold ? p.label : 'unsure');

export class ParagraphView {
  /** `container`: the element the paragraphs go in; `onIdle`: called when all are shown and marked. */
  constructor(container, onIdle) {
    this.container = container;
    this.onIdle = onIdle;
    this.threshold = 0.5;
    this.list = null;
    this.discarding = 0; // old lists still being taken apart
    this.reset('');
  }

  /** Forgets the previous result; `text` is the whole text the next paragraphs index into. */
  reset(text) {
    this.text = text;
    this.records = []; // paragraph objects from the worker, in text order
    this.created = 0; // paragraphs with an element so far (the work loop creates them in order)
    this.remarkFrom = 0; // elements before this index are marked with the current settings
    this.generation = (this.generation ?? 0) + 1; // stops the loop of a previous text
    this.running = false;
    this.percent = new Intl.NumberFormat(currentLang(), { style: 'percent' });
    if (this.list) this.#discard(this.list);
    this.list = document.createElement('div');
    this.container.append(this.list);
  }

  // Removing 50,000 paragraphs at once is one long task; the old list is hidden at once
  // (content-visibility: hidden keeps its layout, so hiding is cheap) and removed block by block.
  #discard(list) {
    list.className = 'discarded';
    this.discarding += 1;
    runSliced(() => {
      if (!list.lastChild) return false;
      list.lastChild.remove();
      return true;
    }).then(() => {
      list.remove();
      this.discarding -= 1;
      if (!this.busy) this.onIdle();
    });
  }

  /** Queues paragraphs for display. */
  append(paragraphs) {
    for (const p of paragraphs) this.records.push(p);
    this.#kick();
  }

  /** Marks paragraphs under `threshold` as unsure, on every element already shown. */
  setThreshold(threshold) {
    this.threshold = threshold;
    this.refresh();
  }

  /** Re-marks every element (after a threshold or language change). */
  refresh() {
    this.percent = new Intl.NumberFormat(currentLang(), { style: 'percent' });
    this.remarkFrom = 0;
    this.#kick();
  }

  /** True while paragraphs wait to be shown or re-marked, or old ones to be removed. */
  get busy() {
    return this.running || this.discarding > 0;
  }

  /** The paragraph object behind one of this view's elements (or undefined). */
  recordOf(el) {
    return this.records[Number(el?.dataset.index)];
  }

  /** The paragraph element `step` places after `el` (-1: before), or null. */
  neighbour(el, step) {
    return this.#element(Number(el.dataset.index) + step);
  }

  /** The paragraph's own text. */
  textOf(p) {
    return this.text.slice(p.start, p.end);
  }

  #kick() {
    if (this.running) return;
    this.running = true;
    const generation = this.generation;
    const step = () => {
      if (this.remarkFrom < this.created) {
        const i = this.remarkFrom++;
        this.#mark(this.#element(i), this.records[i]);
        return true;
      }
      if (this.created < this.records.length) {
        this.#create(this.created);
        this.remarkFrom = this.created;
        return true;
      }
      return false;
    };
    runSliced(step, () => generation !== this.generation).then((finished) => {
      if (!finished) return;
      this.running = false;
      if (!this.busy) this.onIdle();
    });
  }

  // Found through the blocks rather than kept in an array: 50,000 element references would keep
  // as many wrappers alive for the garbage collector to trace again and again.
  #element(i) {
    if (i < 0 || i >= this.created) return null;
    return this.list.children[Math.floor(i / PAGE_SIZE)].children[i % PAGE_SIZE];
  }

  #create(i) {
    const p = this.records[i];
    const el = document.createElement('p');
    el.className = 'para';
    el.tabIndex = 0;
    el.dataset.index = String(i);
    el.dataset.label = p.label;
    el.dataset.confidence = p.confidence.toFixed(4);
    el.dataset.start = String(p.start);
    el.dataset.end = String(p.end);
    const badge = document.createElement('span');
    badge.className = 'badge';
    // The confidence bar is drawn by CSS from this property (CSSOM is allowed by the CSP).
    badge.style.setProperty('--confidence', p.confidence.toFixed(3));
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = this.textOf(p);
    el.append(badge, body);
    this.#mark(el, p);
    if (i % PAGE_SIZE === 0) {
      this.page = document.createElement('div');
      this.page.className = 'page';
      this.list.append(this.page);
    }
    this.created += 1;
    this.page.append(el);
  }

  #mark(el, p) {
    const stance = stanceOf(p, this.threshold);
    el.dataset.stance = stance;
    el.firstChild.textContent = `${t(`label.${stance}`)} · ${this.percent.format(p.confidence)}`;
  }
}
