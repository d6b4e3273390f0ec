// Long work on the main thread (rendering 50,000 paragraphs, re-marking them, serialising an
// export) is cut into slices of a few milliseconds with a yield to the event loop in between, so
// input, paint and the worker's messages are never held up for long.

/** Slice length in ms: far under the 50 ms a "long task" starts at, with room for style and layout. */
const BUDGET_MS = 8;

const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Calls `step()` until it returns false, yielding every BUDGET_MS. Resolves to true when done, or
 * to false as soon as `isCancelled()` says so.
 */
export async function runSliced(step, isCancelled = () => false) {
  for (;;) {
    const end = performance.now() + BUDGET_MS;
    do {
      if (!step()) return true;
    } while (performance.now() < end);
    await yieldToLoop();
    if (isCancelled()) return false;
  }
}
