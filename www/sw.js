// Service worker: makes the page work offline after one visit. On install it caches every file
// the page needs (page, scripts, styles, the WASM module with its embedded model); on fetch it goes
// to the network first — so an online reader always gets the current files — and falls back to
// the cache when the network is gone. Bump VERSION when the list of files changes; activate
// deletes the caches of other versions.
const VERSION = 1;
const CACHE = `stance-lens-v${VERSION}`;
const ASSETS = [
  './',
  'index.html',
  'icon.svg',
  'style.css',
  'app.js',
  'worker.js',
  'lib/chunks.js',
  'lib/client.js',
  'lib/detail.js',
  'lib/export.js',
  'lib/files.js',
  'lib/highlight.js',
  'lib/i18n.js',
  'lib/paragraphs.js',
  'lib/protocol.js',
  'lib/settings.js',
  'lib/slices.js',
  'lib/summary.js',
  'lib/theme.js',
  'pkg/stance.js',
  'pkg/stance_bg.wasm',
];
const ASSET_URLS = new Set(ASSETS.map((path) => new URL(path, self.registration.scope).href));

self.addEventListener('install', (event) => {
  // cache: 'reload' skips the HTTP cache, so a new version never caches an old file.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS.map((path) => new Request(path, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('stance-lens-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkThenCache(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    const url = new URL(request.url);
    url.search = '';
    if (response.ok && ASSET_URLS.has(url.href)) await cache.put(url.href, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request, { ignoreSearch: true });
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkThenCache(request));
});
