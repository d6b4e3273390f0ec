// Runs the WASM classifier off the main thread so the page never freezes.
// Messages in:  {type: 'classify', id, text}
// Messages out: {type: 'ready'} | {type: 'result', id, result} | {type: 'error', id, message}
import init, { Classifier } from './pkg/stance.js';

let classifier = null;
const ready = init()
  .then(() => {
    classifier = new Classifier();
    postMessage({ type: 'ready' });
  })
  .catch((e) => postMessage({ type: 'error', id: null, message: String(e?.message ?? e) }));

onmessage = async (event) => {
  const msg = event.data;
  if (!msg || msg.type !== 'classify' || typeof msg.text !== 'string') {
    postMessage({ type: 'error', id: msg?.id ?? null, message: 'bad message to the classifier worker' });
    return;
  }
  await ready;
  if (!classifier) return;
  try {
    postMessage({ type: 'result', id: msg.id, result: classifier.classify(msg.text) });
  } catch (e) {
    postMessage({ type: 'error', id: msg.id, message: String(e?.message ?? e) });
  }
};
