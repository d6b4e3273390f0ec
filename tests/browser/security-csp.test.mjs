// The page's defences, read from its files (no browser): every HTML page under www/ declares the
// strict Content-Security-Policy (default-src 'self', script-src 'self' 'wasm-unsafe-eval', no
// 'unsafe-inline', no 'unsafe-eval', no remote source), has no inline script, no inline event
// handler and no inline style; the dev and test server sends the same policy; and no script of
// the page writes HTML (innerHTML / outerHTML / insertAdjacentHTML / document.write) or compiles
// strings to code, so text a reader pastes or opens can only ever be text; and in use (classify,
// hover, theme, language, export) the page triggers no CSP violation. The extension's files get
// the same scan in extension-manifest.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  classify, closePage, launch, load, openPage, SAMPLE, startServer,
} from './page-helpers.mjs';
import { CSP as SERVER_CSP } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const www = join(here, '..', '..', 'www');

/** Files under www/ with one of `exts`, leaving out the generated pkg/ and the extension. */
function files(dir, exts) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(www, path).split('\\').join('/');
    if (rel === 'pkg' || rel === 'extension') continue;
    if (statSync(path).isDirectory()) out.push(...files(path, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(rel);
  }
  return out;
}

/** A policy as a Map from directive to its list of sources. */
function parsePolicy(policy) {
  return new Map(
    policy.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...sources] = d.split(/\s+/);
      return [name.toLowerCase(), sources];
    }),
  );
}

function assertStrict(policy, where) {
  const p = parsePolicy(policy);
  assert.deepEqual(p.get('default-src'), ["'self'"], `${where}: default-src`);
  assert.deepEqual(p.get('script-src'), ["'self'", "'wasm-unsafe-eval'"], `${where}: script-src`);
  assert.deepEqual(p.get('object-src'), ["'none'"], `${where}: object-src`);
  assert.deepEqual(p.get('base-uri'), ["'none'"], `${where}: base-uri`);
  assert.deepEqual(p.get('form-action'), ["'none'"], `${where}: form-action`);
  for (const [name, sources] of p) {
    for (const s of sources) {
      assert.ok(!/^'unsafe-(inline|eval|hashes)'$/.test(s), `${where}: ${name} allows ${s}`);
      assert.ok(!/^(\*|https?:|wss?:|blob:|filesystem:)$/.test(s) && !/:\/\//.test(s), `${where}: ${name} allows ${s}`);
      if (s === 'data:') assert.equal(name, 'img-src', `${where}: data: only for images, not ${name}`);
    }
  }
}

/** The policy an HTML file declares in its <meta http-equiv> tag. */
function metaPolicy(html) {
  const m = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
  return m?.[1];
}

test('every page under www/ declares the strict CSP, and the server sends the same', () => {
  const pages = files(www, ['.html']);
  assert.ok(pages.includes('index.html'));
  for (const f of pages) {
    const policy = metaPolicy(readFileSync(join(www, f), 'utf8'));
    assert.ok(policy, `${f} declares no Content-Security-Policy`);
    assertStrict(policy, f);
  }
  assertStrict(SERVER_CSP, 'serve.mjs');
  // The header adds what a <meta> policy cannot carry (frame-ancestors); the rest is identical.
  const page = parsePolicy(metaPolicy(readFileSync(join(www, 'index.html'), 'utf8')));
  const server = parsePolicy(SERVER_CSP);
  assert.deepEqual(server.get('frame-ancestors'), ["'none'"]);
  server.delete('frame-ancestors');
  assert.deepEqual(server, page, 'serve.mjs and index.html declare the same policy');
});

test('no inline script, event handler, style or javascript: URL in any page', () => {
  for (const f of files(www, ['.html'])) {
    const html = readFileSync(join(www, f), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
      assert.match(tag, /\bsrc="[^"]+"/, `${f}: inline script ${tag.slice(0, 80)}`);
      assert.match(tag, />\s*<\/script>$/i, `${f}: script with a src and a body`);
    }
    const handler = html.match(/<[^>]*\son[a-z]+\s*=/i)?.[0];
    assert.ok(!handler, `${f}: inline event handler ${handler}`);
    const style = html.match(/<[^>]*\sstyle\s*=/i)?.[0] ?? html.match(/<style\b/i)?.[0];
    assert.ok(!style, `${f}: inline style ${style}`);
    assert.ok(!/javascript:/i.test(html), `${f}: javascript: URL`);
  }
});

test("no script of the page writes HTML or compiles strings to code", () => {
  const scripts = files(www, ['.js', '.mjs']);
  assert.ok(scripts.includes('app.js') && scripts.includes('worker.js'));
  for (const f of scripts) {
    const src = readFileSync(join(www, f), 'utf8');
    const code = src.replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, '$1'); // comments may name them
    const find = (re) => code.match(re)?.[0];
    const html = find(/\.(innerHTML|outerHTML)\s*\+?=|insertAdjacentHTML|document\.write(ln)?\s*\(|createContextualFragment|DOMParser\b.*\btext\/html\b.*\bappend|srcdoc\s*=/);
    assert.ok(!html, `${f} writes HTML: ${html}`);
    const compile = find(/\beval\s*\(|new Function\s*\(|set(Timeout|Interval)\s*\(\s*['"`]|importScripts\s*\(\s*[^'"`]/);
    assert.ok(!compile, `${f} compiles code from strings: ${compile}`);
    const handler = find(/\.setAttribute\s*\(\s*['"]on[a-z]+['"]|\.on[a-z]+\s*=\s*['"`]/);
    assert.ok(!handler, `${f} sets an event handler from a string: ${handler}`);
  }
});

test('in use, the page triggers no CSP violation: the policy blocks nothing it needs', async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const ctx = await openPage(browser, server.base);
    const { page } = ctx;
    // Recorded from the first script on: every violation the browser reports, with what it blocked.
    await page.addInitScript(() => {
      globalThis.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        globalThis.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    await load(page, server.base);
    await classify(page, SAMPLE);
    await page.hover('#output .para >> nth=0');
    await page.click('#theme');
    await page.selectOption('#lang', 'fr');
    const download = page.waitForEvent('download');
    await page.click('#export-json');
    await download;
    assert.deepEqual(await page.evaluate(() => globalThis.__violations), []);
    await closePage(ctx);
  } finally {
    await browser.close();
    await server.close();
  }
});
