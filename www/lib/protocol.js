// The typed messages between the page and its classification worker, and their validation.
// Both sides check every message they receive: a malformed one is a bug, and catching it at the
// boundary gives a readable error instead of an `undefined` three calls later.
//
// Page -> worker:
//   {type: 'classify', job, text}       classify `text` in chunks; `job` tags every answer
//   {type: 'cancel', job}               stop after the current chunk, keep what is done
//   {type: 'use-model', bytes, name}    load a model file (ArrayBuffer), or the built-in one (null)
// Worker -> page:
//   {type: 'ready', version, model}                 the module and the built-in model are loaded
//   {type: 'init-error', code, message}             they are not: code 'no-wasm' | 'module' | 'model'
//   {type: 'model', model} / {type: 'model-error', code, message}   answer to 'use-model'
//   {type: 'chunk', job, paragraphs, done, total}   one chunk's paragraphs (packed, see below);
//                                                   done/total in UTF-16 units
//   {type: 'done', job, summary, cancelled}         end of a job (also after a cancel)
//   {type: 'error', job, code, message}             the job failed; code as in errorCode()

export const LABELS = Object.freeze(['pro_moscow', 'pro_washington', 'neutral']);

const isCount = (v) => Number.isInteger(v) && v >= 0;
const CHECKS = {
  count: isCount,
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  array: Array.isArray,
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  bytes: (v) => v === null || v instanceof ArrayBuffer,
};

const TO_WORKER = {
  classify: { job: 'count', text: 'string' },
  cancel: { job: 'count' },
  'use-model': { bytes: 'bytes', name: 'string' },
};

// A paragraph crosses as the core's object with its reasons packed into one JSON string: one
// allocation instead of a dozen small objects per paragraph, which the page would otherwise
// deserialise and garbage-collect by the hundred thousand for a long text.
const isParagraph = (p) =>
  p !== null && typeof p === 'object' && isCount(p.start) && isCount(p.end) && p.end >= p.start &&
  LABELS.includes(p.label) && typeof p.confidence === 'number' && typeof p.reasonsJson === 'string' &&
  LABELS.every((l) => typeof p.probabilities?.[l] === 'number');
CHECKS.paragraphs = (v) => Array.isArray(v) && v.every(isParagraph);

/** The worker's form of a core paragraph result. */
export function packParagraph({ start, end, label, confidence, probabilities, reasons }) {
  return { start, end, label, confidence, probabilities, reasonsJson: JSON.stringify(reasons) };
}

/** The reasons of a packed paragraph: [{term, weight, label, spans}], freshly parsed. */
export const parseReasons = (p) => JSON.parse(p.reasonsJson);

/** The same, kept on the paragraph after the first call (for paragraphs looked at again and again). */
export function reasonsOf(p) {
  p.reasons ??= parseReasons(p);
  return p.reasons;
}

const FROM_WORKER = {
  ready: { version: 'string', model: 'object' },
  'init-error': { code: 'string', message: 'string' },
  model: { model: 'object' },
  'model-error': { code: 'string', message: 'string' },
  chunk: { job: 'count', paragraphs: 'paragraphs', done: 'count', total: 'count' },
  done: { job: 'count', summary: 'object', cancelled: 'boolean' },
  error: { job: 'count', code: 'string', message: 'string' },
};

function check(specs, msg, side) {
  const spec = msg !== null && typeof msg === 'object' ? specs[msg.type] : undefined;
  if (!spec) throw new Error(`${side}: unknown message ${JSON.stringify(msg?.type ?? msg)}`);
  for (const [field, kind] of Object.entries(spec)) {
    if (!CHECKS[kind](msg[field])) {
      throw new Error(`${side}: message '${msg.type}' has a bad '${field}' (expected ${kind})`);
    }
  }
  return msg;
}

/** Validates a message sent to the worker; throws an Error saying what is wrong. */
export const checkToWorker = (msg) => check(TO_WORKER, msg, 'to worker');
/** Validates a message from the worker; throws an Error saying what is wrong. */
export const checkFromWorker = (msg) => check(FROM_WORKER, msg, 'from worker');

// The core's errors start with a fixed phrase (src/error.rs); the page shows a translated
// sentence for each kind and the core's own message as the detail.
const PREFIXES = [
  ['empty input', 'empty'],
  ['binary input', 'binary'],
  ['input too large', 'too-large'],
  ['not a Stance Lens model', 'model'],
  ['unsupported model format', 'model'],
  ['model/featurizer mismatch', 'model'],
  ['truncated model', 'model'],
  ['corrupt model', 'model'],
];

/** The kind of a core error message: 'empty' | 'binary' | 'too-large' | 'model' | 'internal'. */
export function errorCode(message) {
  const hit = PREFIXES.find(([prefix]) => message.startsWith(prefix));
  return hit ? hit[1] : 'internal';
}
