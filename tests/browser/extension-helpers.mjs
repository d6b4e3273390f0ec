// What the extension's browser tests share: Chromium with the unpacked extension loaded, the
// toolbar click, and a DevTools-protocol session with the popup it opens.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Headless Chromium with the unpacked extension in `dir`, its UI in `lang` (chrome.i18n follows
 * the browser's language). Resolves to {context, worker (the background service worker), id,
 * close()}.
 */
export async function launchWithExtension(dir, lang = 'en-US') {
  const userDataDir = mkdtempSync(join(tmpdir(), 'stance-ext-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--disable-extensions-except=${dir}`, `--load-extension=${dir}`,
      '--enable-unsafe-extension-debugging', // for Extensions.triggerAction, the toolbar click
      `--lang=${lang}`,
    ],
  });
  const isOurs = (w) => w.url().startsWith('chrome-extension://') && w.url().endsWith('/background.js');
  const worker = context.serviceWorkers().find(isOurs) ??
    (await context.waitForEvent('serviceworker', { predicate: isOurs, timeout: 20_000 }));
  return {
    context, worker, id: new URL(worker.url()).host,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The user's click on the extension's toolbar button for the tab showing `url` (grants activeTab, opens the popup). */
export async function clickToolbarButton(e, url) {
  const cdp = await e.context.browser().newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets', { filter: [{ type: 'tab' }] });
    const tab = targetInfos.find((t) => t.url === url);
    assert.ok(tab, `no tab target shows ${url}`);
    await cdp.send('Extensions.triggerAction', { id: e.id, targetId: tab.targetId });
  } finally {
    await cdp.detach();
  }
}

/**
 * A protocol session with the popup the toolbar click opened. Headless Chromium shows it as a
 * target of its own, which Playwright does not list among the context's pages, so tests speak to
 * it over the DevTools protocol: `call(method, params)` sends one command to the popup and
 * resolves to its result (rejects with its error); `onEvent(message)` sees every message the popup
 * sends (events included); `detach()` ends the session.
 */
export async function popupSession(e, onEvent = () => {}) {
  const cdp = await e.context.browser().newBrowserCDPSession();
  const url = `chrome-extension://${e.id}/popup.html`;
  let target;
  for (let i = 0; i < 100 && !target; i++) {
    const { targetInfos } = await cdp.send('Target.getTargets', { filter: [{ type: 'page' }] });
    target = targetInfos.find((t) => t.url === url);
    if (!target) await sleep(100);
  }
  if (!target) await cdp.detach();
  assert.ok(target, 'the toolbar click opened the popup');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  const waiting = new Map();
  let nextId = 0;
  cdp.on('Target.receivedMessageFromTarget', (m) => {
    if (m.sessionId !== sessionId) return;
    const reply = JSON.parse(m.message);
    onEvent(reply);
    waiting.get(reply.id)?.(reply);
  });
  return {
    url,
    targetId: target.targetId,
    call: (method, params) => new Promise((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, (reply) => (reply.error ? reject(new Error(reply.error.message)) : resolve(reply.result)));
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    }),
    closeTarget: () => cdp.send('Target.closeTarget', { targetId: target.targetId }),
    detach: () => cdp.detach(),
  };
}
