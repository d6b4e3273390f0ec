// Runs the WASM classifier off the main thread, so the page stays responsive whatever the size of
// the text. A job is classified chunk by chunk with one Session; after each chunk the worker posts
// the paragraphs and yields, which lets a 'cancel' (or a newer job) in. Protocol: lib/protocol.js.
import { checkFromWorker, checkToWorker, errorCode, packParagraph } from './lib/protocol.js';
import { chunkBounds } from './lib/chunks.js';

let wasm = null; // the pkg/stance.js module once loaded
let classifier = null;
let current = null; // the running job: {job, cancelled}

const send = (msg, transfer) => postMessage(checkFromWorker(msg), transfer ?? []);
const messageOf = (e) => String(e?.message ?? e);

function modelInfo(c, name) {
  let info = {};
  try {
    info = JSON.parse(c.modelInfo());
  } catch {
    // A model without readable metadata still classifies; the page just shows its name.
  }
  return { name, info };
}

// Loaded with a dynamic import, not a static one: a failed static import kills the worker with an
// anonymous error event, while here the page gets a message saying which step failed.
async function start() {
  if (typeof WebAssembly !== 'object') {
    send({ type: 'init-error', code: 'no-wasm', message: 'WebAssembly is not available' });
    return;
  }
  try {
    wasm = await import('./pkg/stance.js');
    await wasm.default();
  } catch (e) {
    send({ type: 'init-error', code: 'module', message: messageOf(e) });
    return;
  }
  try {
    classifier = new wasm.Classifier();
  } catch (e) {
    send({ type: 'init-error', code: 'model', message: messageOf(e) });
    return;
  }
  send({ type: 'ready', version: wasm.version(), model: modelInfo(classifier, '') });
}
const ready = start();

// A macrotask boundary: messages queued meanwhile (a cancel) are handled before the next chunk.
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

async function classify(job, text) {
  if (current) current.cancelled = true; // a newer job replaces the running one
  const run = { job, cancelled: false };
  current = run;
  await ready;
  if (!classifier || run.cancelled) return;
  const session = classifier.session();
  let count = 0;
  try {
    for (const [start, end] of chunkBounds(text)) {
      const paragraphs = session.classifyChunk(text.slice(start, end), start).map(packParagraph);
      count += paragraphs.length;
      send({ type: 'chunk', job, paragraphs, done: end, total: text.length });
      await nextTurn();
      if (run.cancelled) break;
    }
    if (count === 0 && !run.cancelled) {
      // Blank text or lines without a letter or digit: the core finds no paragraph, not an error.
      send({ type: 'error', job, code: 'empty', message: 'no paragraph with a letter or digit' });
    } else {
      send({ type: 'done', job, summary: session.summary(), cancelled: run.cancelled });
    }
  } catch (e) {
    const message = messageOf(e);
    send({ type: 'error', job, code: errorCode(message), message });
  } finally {
    session.free();
    if (current === run) current = null;
  }
}

async function useModel(bytes, name) {
  await ready;
  if (!wasm) return; // the init error was already reported
  try {
    const next = bytes ? wasm.Classifier.fromBytes(new Uint8Array(bytes)) : new wasm.Classifier();
    classifier?.free();
    classifier = next;
    send({ type: 'model', model: modelInfo(next, name) });
  } catch (e) {
    const message = messageOf(e);
    send({ type: 'model-error', code: errorCode(message), message });
  }
}

onmessage = (event) => {
  let msg;
  try {
    msg = checkToWorker(event.data);
  } catch (e) {
    send({ type: 'error', job: 0, code: 'internal', message: messageOf(e) });
    return;
  }
  if (msg.type === 'classify') classify(msg.job, msg.text);
  else if (msg.type === 'cancel' && current?.job === msg.job) current.cancelled = true;
  else if (msg.type === 'use-model') useModel(msg.bytes, msg.name);
};
