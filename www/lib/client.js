// The page's side of the worker protocol (lib/protocol.js): starts the worker, numbers the jobs,
// validates what comes back and hands it to one callback. Messages of a job that is no longer the
// current one (cancelled, replaced) are dropped here, so the UI never mixes two texts.
import { checkFromWorker, checkToWorker } from './protocol.js';

export class ClassifierClient {
  /** `onMessage(msg)` receives every valid message of the current job and every model message. */
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.job = 0;
    if (typeof WebAssembly !== 'object') {
      // Checked here too: without WebAssembly the worker could only fail, less clearly.
      queueMicrotask(() => onMessage({ type: 'init-error', code: 'no-wasm', message: 'WebAssembly is not available' }));
      return;
    }
    this.worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event) => this.#receive(event.data);
    // A worker script that fails to load or parse ends up here, without a message of its own.
    this.worker.onerror = (event) => {
      event.preventDefault();
      onMessage({ type: 'init-error', code: 'module', message: event.message || 'the worker script failed to load' });
    };
    this.worker.onmessageerror = () => onMessage({ type: 'error', job: this.job, code: 'internal', message: 'unreadable message from the worker' });
  }

  /** Starts classifying `text`; returns the job number. */
  classify(text) {
    this.job += 1;
    this.#send({ type: 'classify', job: this.job, text });
    return this.job;
  }

  /** Asks the running job to stop after its current chunk; its 'done' says cancelled: true. */
  cancel() {
    this.#send({ type: 'cancel', job: this.job });
  }

  /** Loads a model file's bytes (ArrayBuffer, transferred), or the built-in model with null. */
  useModel(bytes, name) {
    this.#send({ type: 'use-model', bytes, name }, bytes ? [bytes] : []);
  }

  #send(msg, transfer = []) {
    this.worker?.postMessage(checkToWorker(msg), transfer);
  }

  #receive(data) {
    let msg;
    try {
      msg = checkFromWorker(data);
    } catch (e) {
      this.onMessage({ type: 'error', job: this.job, code: 'internal', message: e.message });
      return;
    }
    if ('job' in msg && msg.job !== this.job && msg.job !== 0) return;
    this.onMessage(msg);
  }
}
