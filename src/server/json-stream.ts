import { Readable } from 'node:stream';

/** Characters gathered before a piece is handed to the socket. */
const CHUNK_CHARS = 64 * 1024;

/**
 * `value` as JSON, written piece by piece: each element of its top-level arrays is serialised on
 * its own, so a large export never becomes one string of hundreds of megabytes, and a slow client
 * holds back the serialising (the stream is pulled) instead of filling the server's memory.
 */
export function jsonStream(value: Record<string, unknown>): Readable {
  function* pieces(): Generator<string> {
    let buffer = '{';
    let firstField = true;
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue;
      buffer += `${firstField ? '' : ','}${JSON.stringify(key)}:`;
      firstField = false;
      if (!Array.isArray(field)) {
        buffer += JSON.stringify(field);
        continue;
      }
      buffer += '[';
      for (let i = 0; i < field.length; i++) {
        buffer += (i > 0 ? ',' : '') + (JSON.stringify(field[i]) ?? 'null');
        if (buffer.length >= CHUNK_CHARS) {
          yield buffer;
          buffer = '';
        }
      }
      buffer += ']';
    }
    yield `${buffer}}`;
  }
  return Readable.from(pieces(), { objectMode: false });
}
