import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Baton } from '../app/baton.js';
import { attemptLogName } from '../core/attempt-logs.js';
import { type Clock, systemClock } from '../core/clock.js';
import { LIMITS } from '../core/limits.js';
import { storableText } from './outcome.js';
import { refusedForNow } from './reports.js';

/** Where an attempt's output is written. */
export function attemptLogPath(logDir: string, taskId: number, attempt: number): string {
  return join(logDir, attemptLogName(taskId, attempt));
}

/** Where the output of one attempt goes as it is printed. */
export interface AttemptLogWriter {
  write(text: string): void;
  /** Writes the last text; settles once everything written is kept (or given up on). */
  end(text: string): Promise<void>;
}

/** The attempt's output in a file of this machine (the store's `logs/` folder). */
export function fileLog(path: string): AttemptLogWriter {
  // What a command prints may be secret: the log is its owner's alone (the API has its own rule).
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const stream = createWriteStream(path, { mode: 0o600 });
  return {
    write: (text) => void stream.write(text),
    end: (text) => new Promise((resolve) => stream.end(text, () => resolve())),
  };
}

export interface UploadedLogOptions {
  taskId: number;
  attempt: number;
  workerId: string;
  token: number;
  /** How often what was printed is sent, in ms (default 1000). */
  everyMs?: number | undefined;
  /** How long `end` waits for the last pieces to be taken, in ms (default 10 s). */
  endWaitMs?: number | undefined;
  clock?: Clock | undefined;
}

/** Output waiting to be sent beyond this is dropped (and the drop noted in the log). */
const MAX_PENDING_CHARS = 4 * LIMITS.logChunkChars;

/**
 * The attempt's output sent to the server that keeps the store (a remote worker keeps no files):
 * every second, in pieces of at most `LIMITS.logChunkChars`, under the attempt's lease. Nothing
 * here holds up the attempt: a piece the server cannot take now is sent with the next one, output
 * piling up past a bound is dropped with a note, and once the server refuses for good (the log is
 * full, the lease is gone) the rest is not sent.
 */
export function uploadedLog(baton: Baton, o: UploadedLogOptions): AttemptLogWriter {
  let pending = '';
  let dropped = 0;
  let stopped = false;
  let sending: Promise<void> | null = null;

  const sendAll = async () => {
    while (pending.length > 0 && !stopped) {
      const cut = pending.length > LIMITS.logChunkChars ? safeCut(pending, LIMITS.logChunkChars) : pending.length;
      const text = storableText(pending.slice(0, cut));
      try {
        if (text.length > 0) {
          await baton.appendAttemptLog(o.taskId, { workerId: o.workerId, token: o.token, attempt: o.attempt, text });
        }
        pending = pending.slice(cut);
      } catch (err) {
        // Not now (the server restarting, rate limited): sent again with the next piece.
        if (refusedForNow(err)) return;
        stopped = true;
        pending = '';
      }
    }
  };
  const flush = (): Promise<void> => {
    sending ??= sendAll().finally(() => {
      sending = null;
    });
    return sending;
  };
  const clock = o.clock ?? systemClock;
  const ended = new AbortController();
  void (async () => {
    for (;;) {
      await clock.sleep(o.everyMs ?? 1000, ended.signal);
      if (ended.signal.aborted) return;
      await flush();
    }
  })();

  return {
    write(text) {
      if (stopped) return;
      pending += text;
      if (pending.length > MAX_PENDING_CHARS) {
        dropped += pending.length - MAX_PENDING_CHARS;
        pending = pending.slice(pending.length - MAX_PENDING_CHARS);
      }
    },
    async end(text) {
      ended.abort();
      if (dropped > 0) pending += `# baton: ${dropped} characters of output were not sent (the server could not take them)\n`;
      pending += text;
      const deadline = clock.now() + (o.endWaitMs ?? 10_000);
      while (pending.length > 0 && !stopped && clock.now() < deadline) {
        await sending;
        await flush();
        if (pending.length > 0) await clock.sleep(250);
      }
    },
  };
}

/** A cut at or before `at` that does not split a surrogate pair. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}
