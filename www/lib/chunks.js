// Cuts a long text into pieces the worker classifies one per turn, so it can report progress
// and notice a cancel in between. Pieces end just after a '\n': a line break is always a
// paragraph boundary for the core, so no paragraph is ever cut in two (and '\r\n' stays whole).

/** Chunk size in UTF-16 units: ~32 K characters give ~300 paragraphs: a message the page reads back in a few ms. */
const CHUNK_SIZE = 32 * 1024;

/** Yields [start, end) UTF-16 ranges covering `text`, each about `size` long, cut after a '\n'. */
export function* chunkBounds(text, size = CHUNK_SIZE) {
  let start = 0;
  while (start < text.length) {
    let end = start + size;
    if (end >= text.length) {
      end = text.length;
    } else {
      const nl = text.indexOf('\n', end - 1);
      end = nl < 0 ? text.length : nl + 1;
    }
    yield [start, end];
    start = end;
  }
}
