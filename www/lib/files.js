// Opening or dropping a file: plain text as is; HTML reduced to its text. The HTML is parsed with
// DOMParser into an inert document — no browsing context, so its scripts never run and its images,
// styles and frames are never fetched — and only text nodes are read out of it; nothing of it is
// ever inserted into the page.

const HTML_NAME = /\.x?html?$/i;
// Elements whose text is not part of the article.
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'SVG', 'MATH', 'IFRAME', 'OBJECT', 'CANVAS', 'SELECT', 'BUTTON']);
// Elements that start a new line: each becomes its own paragraph for the classifier.
const BLOCK = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BR', 'DD', 'DETAILS', 'DIV', 'DL', 'DT', 'FIELDSET',
  'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LI',
  'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'SUMMARY', 'TABLE', 'TD', 'TH', 'TR', 'UL',
]);

/** The readable text of an HTML document: one line per block, inline runs of spaces collapsed. */
function htmlToText(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const lines = [];
  let line = '';
  const breakLine = () => {
    const clean = line.replace(/\s+/g, ' ').trim();
    if (clean) lines.push(clean);
    line = '';
  };
  const walk = (node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === Node.TEXT_NODE) {
        line += child.data;
      } else if (child.nodeType === Node.ELEMENT_NODE && !SKIP.has(child.nodeName.toUpperCase())) {
        const block = BLOCK.has(child.nodeName.toUpperCase());
        if (block) breakLine();
        walk(child);
        if (block) breakLine();
      }
    }
  };
  if (doc.body) walk(doc.body);
  breakLine();
  return lines.join('\n');
}

/** True when `file` should be read as HTML (by its type or, failing that, its name). */
const isHtml = (file) => file.type === 'text/html' || file.type === 'application/xhtml+xml' || HTML_NAME.test(file.name);

/** The text to classify from a .txt or .html File. */
export async function fileText(file) {
  const raw = await file.text();
  return isHtml(file) ? htmlToText(raw) : raw;
}

/**
 * Calls `open(file)` for a file chosen with `input` (type=file) or dropped anywhere on the page.
 * Drags of text, not files, keep their default (dropping text into the text area).
 */
export function onFile(input, open) {
  input.addEventListener('change', () => {
    const [file] = input.files;
    input.value = ''; // so choosing the same file again fires 'change'
    if (file) open(file);
  });
  const hasFiles = (e) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    const [file] = e.dataTransfer.files;
    if (file) open(file);
  });
}
