// Writes one browser's manifest.json from manifest.template.json: the common keys, plus the
// keys under "$<browser>" (Chromium: background.service_worker; Firefox: background.scripts and
// browser_specific_settings), with ${VERSION} replaced. One template, so the two builds cannot
// drift apart. Used by `./build.sh extension`; not shipped in the builds.
//   node build-manifest.mjs <chromium|firefox> <version> <out/manifest.json>
import { readFileSync, writeFileSync } from 'node:fs';

const BROWSERS = ['chromium', 'firefox'];
const [browser, version, out] = process.argv.slice(2);
if (!BROWSERS.includes(browser) || !/^\d+(\.\d+){0,3}$/.test(version ?? '') || !out) {
  console.error('usage: node build-manifest.mjs <chromium|firefox> <version: 1-4 dot-separated integers> <out>');
  process.exit(2);
}
const template = JSON.parse(readFileSync(new URL('./manifest.template.json', import.meta.url), 'utf8'));
const manifest = {};
for (const [key, value] of Object.entries(template)) {
  if (key.startsWith('$')) continue;
  manifest[key] = value === '${VERSION}' ? version : value;
}
Object.assign(manifest, template[`$${browser}`]);
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
