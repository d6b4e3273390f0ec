// Light and dark themes: the system's preference (prefers-color-scheme) until the reader picks one
// with the toggle, which is remembered. The stylesheet reads html[data-theme] through color-scheme.
import { settings } from './settings.js';
import { t } from './i18n.js';

/** Wires the toggle `button`; returns a function that re-labels it (after a language change). */
export function initTheme(button) {
  const root = document.documentElement;
  const media = matchMedia('(prefers-color-scheme: dark)');
  let choice = ['light', 'dark'].includes(settings.get('theme')) ? settings.get('theme') : null;
  const effective = () => choice ?? (media.matches ? 'dark' : 'light');
  const apply = () => {
    if (choice) root.dataset.theme = choice;
    else delete root.dataset.theme;
    // The button names the theme it switches to.
    button.textContent = t(effective() === 'dark' ? 'theme.toLight' : 'theme.toDark');
  };
  button.addEventListener('click', () => {
    choice = effective() === 'dark' ? 'light' : 'dark';
    settings.set('theme', choice);
    apply();
  });
  media.addEventListener('change', apply);
  apply();
  return apply;
}
