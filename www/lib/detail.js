// The "why" of one paragraph, shown while it is hovered, focused or tapped: the three
// probabilities as a small bar chart in a floating panel, and the reason terms highlighted in the
// paragraph itself. One paragraph at a time; the previous one gets its plain text back.
import { LABELS, reasonsOf } from './protocol.js';
import { currentLang, t } from './i18n.js';
import { highlightInto } from './highlight.js';

export class Detail {
  /** `panel`: the floating element; `view`: the ParagraphView whose paragraphs it explains. */
  constructor(panel, view) {
    this.panel = panel;
    this.view = view;
    this.active = null;
  }

  /** Shows the detail of paragraph element `el` (no-op if it is already shown). */
  show(el) {
    if (el === this.active) return;
    this.hide();
    const p = this.view.recordOf(el);
    if (!p) return;
    this.active = el;
    const text = this.view.textOf(p);
    highlightInto(el.querySelector('.text'), p, text);
    this.#fill(p);
    el.setAttribute('aria-describedby', this.panel.id);
    el.classList.add('active');
    this.panel.hidden = false;
    this.#place(el);
  }

  /** Hides the panel and gives the active paragraph its plain text back. */
  hide() {
    const el = this.active;
    if (!el) return;
    this.active = null;
    this.panel.hidden = true;
    el.removeAttribute('aria-describedby');
    el.classList.remove('active');
    const p = this.view.recordOf(el);
    if (p) el.querySelector('.text').textContent = this.view.textOf(p);
  }

  /**
   * Shows the detail of the paragraph of `output` under the mouse, focused or tapped; arrow keys
   * move between paragraphs, Escape closes the panel.
   */
  listen(output) {
    const paraOf = (node) => node?.closest?.('.para') ?? null;
    // Moves of a real mouse only: a tap arrives as focus, and 'mouseover' also fires when the page
    // moves under a still cursor, which would take the detail away from the tapped paragraph.
    const isMouse = (e) => e.pointerType === 'mouse' || e.pointerType === 'pen';
    output.addEventListener('pointermove', (e) => {
      const el = isMouse(e) && paraOf(e.target);
      if (el) this.show(el);
    });
    output.addEventListener('pointerleave', (e) => {
      if (!isMouse(e)) return;
      const focused = paraOf(document.activeElement);
      if (focused) this.show(focused);
      else this.hide();
    });
    output.addEventListener('focusin', (e) => {
      const el = paraOf(e.target);
      if (el) this.show(el);
    });
    output.addEventListener('focusout', (e) => {
      if (!output.contains(e.relatedTarget)) this.hide();
    });
    output.addEventListener('keydown', (e) => {
      const el = paraOf(e.target);
      if (!el) return;
      if (e.key === 'Escape') {
        this.hide();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const next = this.view.neighbour(el, e.key === 'ArrowDown' ? 1 : -1);
        if (next) {
          e.preventDefault();
          next.focus();
        }
      }
    });
  }

  /** Rebuilds the panel in the current language if it is open. */
  refresh() {
    const el = this.active;
    if (!el) return;
    this.hide();
    this.show(el);
  }

  #fill(p) {
    const percent = new Intl.NumberFormat(currentLang(), { style: 'percent' });
    const title = document.createElement('p');
    title.className = 'detail-title';
    title.dataset.label = p.label;
    title.textContent = `${t(`label.${p.label}`)} · ${percent.format(p.confidence)}`;

    const chart = document.createElement('div');
    chart.className = 'probabilities';
    chart.setAttribute('role', 'list');
    chart.setAttribute('aria-label', t('detail.probabilities'));
    for (const label of LABELS) {
      const row = document.createElement('div');
      row.className = 'prob-row';
      row.setAttribute('role', 'listitem');
      row.dataset.label = label;
      const name = document.createElement('span');
      name.className = 'prob-name';
      name.textContent = t(`label.${label}`);
      const bar = document.createElement('span');
      bar.className = 'prob-bar';
      const fill = document.createElement('span');
      fill.className = 'prob-fill';
      fill.style.width = `${(p.probabilities[label] * 100).toFixed(1)}%`;
      bar.append(fill);
      const value = document.createElement('span');
      value.className = 'prob-value';
      value.textContent = percent.format(p.probabilities[label]);
      row.append(name, bar, value);
      chart.append(row);
    }

    const pro = reasonsOf(p).filter((r) => r.label === p.label);
    const counter = reasonsOf(p).filter((r) => r.label !== p.label);
    this.panel.replaceChildren(
      title,
      chart,
      ...termList(t('detail.for'), pro, p.label),
      ...termList(t('detail.against'), counter, p.label),
    );
    if (pro.length === 0 && counter.length === 0) {
      const none = document.createElement('p');
      none.textContent = t('detail.none');
      this.panel.append(none);
    }
  }

  // Below the paragraph, kept inside the viewport's width; on a phone the stylesheet pins the
  // panel to the bottom of the screen instead and ignores these coordinates.
  #place(el) {
    const rect = el.getBoundingClientRect();
    const width = this.panel.offsetWidth;
    const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    this.panel.style.left = `${left + window.scrollX}px`;
    this.panel.style.top = `${rect.bottom + window.scrollY + 4}px`;
  }
}

// Terms that pulled toward another label say which one in words, not by colour alone.
function termList(heading, reasons, paragraphLabel) {
  if (reasons.length === 0) return [];
  const title = document.createElement('p');
  title.className = 'terms-title';
  title.textContent = heading;
  const list = document.createElement('ul');
  list.className = 'reason-terms';
  for (const r of reasons) {
    const item = document.createElement('li');
    item.dataset.label = r.label;
    item.textContent = r.label === paragraphLabel ? r.term : `${r.term} → ${t(`label.${r.label}`)}`;
    list.append(item);
  }
  return [title, list];
}
