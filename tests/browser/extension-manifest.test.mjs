// Manifest validation for both extension builds (target/extension/, written by
// `./build.sh extension`), and the message validators. No browser here: Firefox's side is Mozilla's
// own linter (web-ext lint = addons-linter); Chromium has no published linter, so its side is a
// check of the rules this project holds the builds to (MV3, least privilege, strict CSP, no remote
// code, every referenced file and message present), and Chromium loading the build in
// extension.test.mjs is the final word that it parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(root, 'target', 'extension');
const BROWSERS = ['chromium', 'firefox'];
const cargoVersion = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "(.+)"$/m)[1];

function build(browser) {
  const dir = join(out, browser);
  assert.ok(existsSync(join(dir, 'manifest.json')), `${dir} is missing: run ./build.sh extension first`);
  return { dir, manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) };
}

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => relative(dir, f).split('\\').join('/'))
    .sort();
}

/** The entries of a zip file (stored or deflated), read from its central directory. */
function unzip(path) {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, `${path} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    if (!name.endsWith('/')) entries.set(name, method === 0 ? data : inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

for (const browser of BROWSERS) {
  test(`${browser} build: Manifest V3, least privilege, strict CSP, no remote code`, () => {
    const { dir, manifest: m } = build(browser);
    assert.equal(m.manifest_version, 3);
    assert.equal(m.version, cargoVersion, 'the extension carries the crate version');
    assert.deepEqual([...m.permissions].sort(), ['activeTab', 'scripting', 'storage']);
    assert.equal(m.host_permissions, undefined, 'no blanket host permission: activeTab, or sites the user opts in to');
    for (const p of m.optional_host_permissions) assert.match(p, /^https?:\/\/\*\/\*$/, p);
    assert.equal(m.content_scripts, undefined, 'no content script on every page: injected on demand');
    assert.equal(m.web_accessible_resources, undefined, 'pages cannot load any extension file (the WASM stays out)');
    assert.equal(m.externally_connectable, undefined, 'no web page or other extension may message it');
    assert.equal(m.update_url, undefined);

    const csp = m.content_security_policy.extension_pages;
    assert.match(csp, /(^|;)\s*script-src 'self' 'wasm-unsafe-eval'\s*(;|$)/, csp);
    assert.doesNotMatch(csp, /https?:|'unsafe-eval'|'unsafe-inline'|\*/, 'no remote or inline script source');

    // Every file the manifest names exists.
    const named = [
      m.action.default_popup,
      ...Object.values(m.icons),
      ...Object.values(m.action.default_icon),
      ...(m.background.scripts ?? []),
      ...(m.background.service_worker ? [m.background.service_worker] : []),
    ];
    for (const f of named) assert.ok(existsSync(join(dir, f)), `${browser}: ${f} is named in the manifest but missing`);

    // No remote code: nothing shipped points off the device, and nothing compiles strings to code.
    for (const f of files(dir).filter((f) => /\.(js|html|css)$/.test(f))) {
      const src = readFileSync(join(dir, f), 'utf8');
      const code = src.replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, '$1'); // comments may cite URLs
      // assert.ok, not doesNotMatch: on failure, name the match rather than print the whole file.
      const find = (re) => code.match(re)?.[0];
      assert.ok(!find(/\b(https?|wss?):\/\/\S*/), `${f} names a remote URL: ${find(/\b(https?|wss?):\/\/\S*/)}`);
      assert.ok(!find(/\beval\s*\(|new Function\s*\(|importScripts\s*\(/), `${f} compiles code from strings`);
      if (f !== 'pkg/stance.js') {
        const request = find(/\bfetch\s*\(|XMLHttpRequest|WebSocket|sendBeacon|EventSource/);
        assert.ok(!request, `${f} makes requests: ${request}`);
        // Text goes into any DOM through textContent only, never parsed as HTML.
        const html = find(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/);
        assert.ok(!html, `${f} writes HTML: ${html}`);
      }
    }
  });

  test(`${browser} build: the same WASM package as www/pkg, the locales complete`, () => {
    const { dir, manifest: m } = build(browser);
    const pkg = join(root, 'www', 'pkg');
    assert.deepEqual(files(join(dir, 'pkg')), files(pkg), 'the whole package is copied');
    for (const f of files(pkg)) {
      assert.ok(readFileSync(join(dir, 'pkg', f)).equals(readFileSync(join(pkg, f))), `pkg/${f} differs from www/pkg/${f}`);
    }

    const locales = Object.fromEntries(
      readdirSync(join(dir, '_locales')).map((l) => [l, JSON.parse(readFileSync(join(dir, '_locales', l, 'messages.json'), 'utf8'))]),
    );
    assert.deepEqual(Object.keys(locales).sort(), ['en', 'fr'], 'English and French');
    assert.ok(locales[m.default_locale], 'default_locale has messages');
    assert.deepEqual(Object.keys(locales.fr).sort(), Object.keys(locales.en).sort(), 'fr and en have the same keys');
    const used = new Set();
    for (const [, key] of JSON.stringify(m).matchAll(/__MSG_(\w+)__/g)) used.add(key);
    for (const f of ['popup.html', 'popup.js', 'content.js']) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const [, attr, call] of src.matchAll(/data-i18n="(\w+)"|\bt\('(\w+)'/g)) used.add(attr ?? call);
    }
    for (const stance of ['pro_moscow', 'pro_washington', 'neutral', 'unsure']) used.add(`label_${stance}`);
    for (const [lang, msgs] of Object.entries(locales)) {
      for (const key of used) assert.ok(msgs[key]?.message, `${lang}: message "${key}" is used but missing`);
      // The Chrome Web Store's limits, which AMO's are wider than.
      assert.ok(msgs.extName.message.length <= 45, `${lang}: name over 45 characters`);
      assert.ok(msgs.extDescription.message.length <= 132, `${lang}: description over 132 characters`);
    }
  });

  test(`${browser} build: the zip holds the unpacked build at its root`, () => {
    const { dir } = build(browser);
    const zip = unzip(join(out, `stance-lens-${browser}.zip`));
    assert.deepEqual([...zip.keys()].sort(), files(dir));
    for (const [name, data] of zip) assert.ok(data.equals(readFileSync(join(dir, name))), `${name} differs in the zip`);
  });
}

test('chromium build: a module service worker, nothing Firefox-only', () => {
  const { manifest: m } = build('chromium');
  assert.deepEqual(m.background, { service_worker: 'background.js', type: 'module' });
  assert.equal(m.browser_specific_settings, undefined);
});

test('firefox build: background scripts, an add-on id, and web-ext lint finds no problem', async () => {
  const { dir, manifest: m } = build('firefox');
  assert.deepEqual(m.background, { scripts: ['background.js'], type: 'module' });
  assert.match(m.browser_specific_settings.gecko.id, /^[\w.-]+@[\w.-]+$/);
  process.env.NO_UPDATE_NOTIFIER = '1'; // no update check: the linter must not touch the network
  const { default: webExt } = await import('web-ext');
  // output 'none': the report comes back as an object, and failures below print its findings.
  const report = await webExt.cmd.lint({ sourceDir: dir, output: 'none', boring: true }, { shouldExitProgram: false });
  const describe = (list) => list.map((x) => `${x.code}: ${x.message} (${x.file ?? 'manifest'})`).join('\n');
  assert.equal(report.errors.length, 0, describe(report.errors));
  assert.equal(report.warnings.length, 0, describe(report.warnings));
});

test('messages: well-formed ones pass, malformed ones are rejected with a reason', async () => {
  // messages.js is a classic script that only sets globalThis.StanceLensMessages: load it as-is.
  await import(pathToFileURL(join(root, 'www', 'extension', 'messages.js')).href);
  const M = globalThis.StanceLensMessages;
  const ok = (msg, allowed) => assert.equal(M.parse(msg, allowed), msg);
  const bad = (msg, allowed, why) => assert.throws(() => M.parse(msg, allowed), why, JSON.stringify(msg));

  ok({ type: 'classify', blocks: [{ id: 1, text: 'Un paragraphe.' }] }, M.TO_BACKGROUND_FROM_CONTENT);
  ok({ type: 'hello' }, M.TO_BACKGROUND_FROM_CONTENT);
  ok({ type: 'mark', threshold: 0.5 }, M.TO_CONTENT);
  ok({ type: 'setSite', origin: 'https://example.org', always: true }, M.TO_BACKGROUND_FROM_POPUP);

  bad(null, M.TO_BACKGROUND_FROM_CONTENT, /not an object/);
  bad('classify', M.TO_BACKGROUND_FROM_CONTENT, /not an object/);
  bad({ type: 'nope' }, M.TO_BACKGROUND_FROM_CONTENT, /unknown type/);
  bad({ type: 'classify', blocks: 'text' }, M.TO_BACKGROUND_FROM_CONTENT, /non-empty array/);
  bad({ type: 'classify', blocks: [] }, M.TO_BACKGROUND_FROM_CONTENT, /non-empty array/);
  bad({ type: 'classify', blocks: [{ id: -1, text: 'x' }] }, M.TO_BACKGROUND_FROM_CONTENT, /block id/);
  bad({ type: 'classify', blocks: [{ id: 1, text: 42 }] }, M.TO_BACKGROUND_FROM_CONTENT, /block text/);
  bad({ type: 'classify', blocks: [{ id: 1, text: '   ' }] }, M.TO_BACKGROUND_FROM_CONTENT, /block text/);
  bad({ type: 'classify', blocks: [{ id: 1, text: 'x'.repeat(M.LIMITS.charsPerBlock + 1) }] }, M.TO_BACKGROUND_FROM_CONTENT, /over/);
  const many = Array.from({ length: M.LIMITS.blocksPerBatch + 1 }, (_, i) => ({ id: i, text: 'x' }));
  bad({ type: 'classify', blocks: many }, M.TO_BACKGROUND_FROM_CONTENT, /at most/);
  bad({ type: 'classify', blocks: [{ id: 1, text: 'x' }], extra: 1 }, M.TO_BACKGROUND_FROM_CONTENT, /unexpected field/);
  bad({ type: 'mark', threshold: 2 }, M.TO_CONTENT, /threshold/);
  bad({ type: 'mark', threshold: Number.NaN }, M.TO_CONTENT, /threshold/);
  // A content script (a page's renderer) may not use the popup's messages, nor the reverse.
  bad({ type: 'setSite', origin: 'https://example.org', always: true }, M.TO_BACKGROUND_FROM_CONTENT, /not accepted here/);
  bad({ type: 'markTab', tabId: 1 }, M.TO_BACKGROUND_FROM_CONTENT, /not accepted here/);
  bad({ type: 'classify', blocks: [{ id: 1, text: 'x' }] }, M.TO_BACKGROUND_FROM_POPUP, /not accepted here/);
  bad({ type: 'setSite', origin: 'https://example.org/path', always: true }, M.TO_BACKGROUND_FROM_POPUP, /origin/);
  bad({ type: 'setSite', origin: 'file:///etc', always: true }, M.TO_BACKGROUND_FROM_POPUP, /origin/);
  // A result from the background that is not what the content script renders is refused too.
  const result = { id: 1, label: 'pro_moscow', confidence: 0.7, probabilities: { pro_moscow: 0.7, pro_washington: 0.1, neutral: 0.2 }, reasons: [] };
  ok({ type: 'classified', results: [result] }, ['classified']);
  bad({ type: 'classified', results: [{ ...result, label: '<img onerror=x>' }] }, ['classified'], /label/);
  bad({ type: 'classified', results: [{ ...result, probabilities: { pro_moscow: 0.7 } }] }, ['classified'], /probabilities/);
  // A listed site's permission pattern: host only, as Firefox's match patterns take no port.
  assert.equal(M.sitePattern('https://example.org'), 'https://example.org/*');
  assert.equal(M.sitePattern('http://127.0.0.1:8080'), 'http://127.0.0.1/*');
  // An error reply becomes an exception carrying the far side's message.
  assert.throws(() => M.parse({ type: 'error', message: 'empty input: nothing' }, ['classified']), /empty input/);
});
