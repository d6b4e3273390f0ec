// Interface strings in English and French. The language comes from the reader's choice (kept in
// localStorage), else from the browser's languages, else English. Static text in index.html
// carries data-i18n="key" (textContent) or data-i18n-attr="attr:key,attr:key"; dynamic text asks t().
import { settings } from './settings.js';

const STRINGS = {
  en: {
    'app.tagline': 'Which side does each paragraph take — pro-Moscow, pro-Washington or neutral? Classified on your device: nothing you paste leaves this page.',
    'app.skip': 'Skip to the result',
    'lang.label': 'Language',
    'theme.toDark': 'Dark theme',
    'theme.toLight': 'Light theme',
    'input.label': 'Text to classify',
    'input.placeholder': 'Paste an article here, or drop a .txt or .html file…',
    'input.open': 'Open a file…',
    'action.classify': 'Classify',
    'action.cancel': 'Cancel',
    'threshold.label': 'Confidence threshold',
    'threshold.help': 'Paragraphs below it stay unmarked (“not sure”).',
    'status.loading': 'Loading the model…',
    'status.ready': 'Ready. Nothing you paste leaves this page.',
    'status.working': 'Classifying… {n} paragraphs so far.',
    'status.done': 'Done: {n} paragraphs in {s} s.',
    'status.cancelled': 'Cancelled: {n} paragraphs were classified before stopping.',
    'progress.label': 'Progress',
    'label.pro_moscow': 'Pro-Moscow',
    'label.pro_washington': 'Pro-Washington',
    'label.neutral': 'Neutral',
    'label.unsure': 'Not sure',
    'summary.title': 'Summary',
    'summary.count': '{n} paragraphs',
    'summary.chart': 'Share of the text by stance: {parts}.',
    'summary.terms': 'Most telling phrases',
    'summary.noTerms': 'No phrase leaned to either side.',
    'summary.termCount': '{n} ¶',
    'export.json': 'Export JSON',
    'export.csv': 'Export CSV',
    'output.label': 'Classified text',
    'detail.probabilities': 'Probabilities',
    'detail.for': 'Drove the label',
    'detail.against': 'Pulled the other way',
    'detail.none': 'No telling word.',
    'model.title': 'Model',
    'model.load': 'Load another model file…',
    'model.reset': 'Use the built-in model',
    'model.builtin': 'built-in model',
    'model.current': 'Model: {name}',
    'model.loaded': 'Model loaded: {name}.',
    'model.trained': 'trained on {n} paragraphs',
    'footer.privacy': 'Runs entirely in your browser with WebAssembly; no text is sent anywhere.',
    'footer.version': 'Stance Lens {v}',
    'footer.offline': 'Available offline.',
    'err.module': 'The classifier could not be loaded. Reload the page; if this persists, a network filter or an extension may be blocking it.',
    'err.no-wasm': 'This browser cannot run WebAssembly, which Stance Lens needs. Please use a recent Firefox, Chrome, Edge or Safari.',
    'err.model': 'The model could not be read: the file is damaged or is not a Stance Lens model.',
    'err.empty': 'There is nothing to classify: paste or type a text with some words in it.',
    'err.binary': 'This looks like a binary file, not text.',
    'err.too-large': 'This text is too large to classify in one go.',
    'err.file': 'The file could not be read.',
    'err.internal': 'Something went wrong while classifying.',
    'err.detail': 'Details: {message}',
  },
  fr: {
    'app.tagline': 'De quel côté penche chaque paragraphe — pro-Moscou, pro-Washington ou neutre ? L’analyse se fait sur votre appareil : rien de ce que vous collez ne quitte cette page.',
    'app.skip': 'Aller au résultat',
    'lang.label': 'Langue',
    'theme.toDark': 'Thème sombre',
    'theme.toLight': 'Thème clair',
    'input.label': 'Texte à analyser',
    'input.placeholder': 'Collez un article ici, ou déposez un fichier .txt ou .html…',
    'input.open': 'Ouvrir un fichier…',
    'action.classify': 'Analyser',
    'action.cancel': 'Annuler',
    'threshold.label': 'Seuil de confiance',
    'threshold.help': 'En dessous, un paragraphe reste non marqué (« pas sûr »).',
    'status.loading': 'Chargement du modèle…',
    'status.ready': 'Prêt. Rien de ce que vous collez ne quitte cette page.',
    'status.working': 'Analyse en cours… {n} paragraphes pour l’instant.',
    'status.done': 'Terminé : {n} paragraphes en {s} s.',
    'status.cancelled': 'Annulé : {n} paragraphes ont été analysés avant l’arrêt.',
    'progress.label': 'Avancement',
    'label.pro_moscow': 'Pro-Moscou',
    'label.pro_washington': 'Pro-Washington',
    'label.neutral': 'Neutre',
    'label.unsure': 'Pas sûr',
    'summary.title': 'Résumé',
    'summary.count': '{n} paragraphes',
    'summary.chart': 'Part du texte par position : {parts}.',
    'summary.terms': 'Expressions les plus marquantes',
    'summary.noTerms': 'Aucune expression ne penche d’un côté.',
    'summary.termCount': '{n} §',
    'export.json': 'Exporter en JSON',
    'export.csv': 'Exporter en CSV',
    'output.label': 'Texte analysé',
    'detail.probabilities': 'Probabilités',
    'detail.for': 'Ont décidé',
    'detail.against': 'Tiraient dans l’autre sens',
    'detail.none': 'Aucun mot marquant.',
    'model.title': 'Modèle',
    'model.load': 'Charger un autre fichier de modèle…',
    'model.reset': 'Revenir au modèle intégré',
    'model.builtin': 'modèle intégré',
    'model.current': 'Modèle : {name}',
    'model.loaded': 'Modèle chargé : {name}.',
    'model.trained': 'entraîné sur {n} paragraphes',
    'footer.privacy': 'Tout se passe dans votre navigateur, en WebAssembly ; aucun texte n’est envoyé nulle part.',
    'footer.version': 'Stance Lens {v}',
    'footer.offline': 'Disponible hors ligne.',
    'err.module': 'Le classifieur n’a pas pu être chargé. Rechargez la page ; si le problème persiste, un filtre réseau ou une extension le bloque peut-être.',
    'err.no-wasm': 'Ce navigateur ne sait pas exécuter WebAssembly, dont Stance Lens a besoin. Utilisez un Firefox, Chrome, Edge ou Safari récent.',
    'err.model': 'Le modèle n’a pas pu être lu : le fichier est abîmé ou n’est pas un modèle Stance Lens.',
    'err.empty': 'Il n’y a rien à analyser : collez ou tapez un texte qui contient des mots.',
    'err.binary': 'Ce fichier semble binaire, ce n’est pas du texte.',
    'err.too-large': 'Ce texte est trop grand pour être analysé d’un coup.',
    'err.file': 'Le fichier n’a pas pu être lu.',
    'err.internal': 'Une erreur est survenue pendant l’analyse.',
    'err.detail': 'Détails : {message}',
  },
};

const LANGUAGES = Object.freeze(Object.keys(STRINGS));
let lang = 'en';

function detect() {
  const saved = settings.get('lang');
  if (LANGUAGES.includes(saved)) return saved;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

/** The current language code. */
export const currentLang = () => lang;

/** The string `key` in the current language with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Formats a number the way the current language writes it. */
export const formatNumber = (n, digits = 0) =>
  n.toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Translates the page's static text (elements marked with data-i18n / data-i18n-attr). */
function translate() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(',')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/** Switches to `code` (remembered when `remember`), and translates the page. */
export function setLang(code, remember = true) {
  lang = LANGUAGES.includes(code) ? code : 'en';
  if (remember) settings.set('lang', lang);
  translate();
}

/** Picks the starting language (saved choice, then browser languages). */
export const initLang = () => setLang(detect(), false);
