import type { Baton } from '../app/baton.js';
import { BatonError, isBatonError } from '../core/errors.js';

/** Options every command accepts. */
export interface GlobalOptions {
  json?: boolean;
  db?: string;
  /** A `baton serve` to talk to instead of a store (env BATON_SERVER). */
  server?: string;
  /**
   * API key for the server (`--api-key`, or the global `--token` of commands without a fencing
   * `--token` of their own; env BATON_TOKEN).
   */
  apiKey?: string;
}

/** What a command holds: the in-process `LocalBaton`, or a `RemoteBaton` over `--server`. */
export type CliBaton = Baton;

/** The server named by `--server` or BATON_SERVER, if any. */
export function serverOf(opts: GlobalOptions): string | undefined {
  return opts.server ?? (process.env.BATON_SERVER || undefined);
}

/** Thrown by a command to end with an exit code after it printed what it had to say. */
export class ExitSignal {
  constructor(readonly code: number) {}
}

export interface Output {
  json: boolean;
  /** Prints a result: JSON when `--json`, else the human text `human()` returns. */
  result(value: unknown, human: () => string): void;
  info(line: string): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    info(line) {
      if (!json) process.stdout.write(`${line}\n`);
    },
  };
}

/** Opens the store named by the global options, runs `fn`, always closes. */
export async function withBaton<T>(
  opts: GlobalOptions,
  fn: (baton: CliBaton, out: Output) => Promise<T>,
  openOptions: { create?: boolean; here?: boolean } = {},
): Promise<T> {
  const server = serverOf(opts);
  let baton: CliBaton;
  if (server) {
    const { RemoteBaton } = await import('../client/remote-baton.js');
    baton = new RemoteBaton({ url: server, token: opts.apiKey ?? (process.env.BATON_TOKEN || undefined) });
  } else {
    const { openBaton } = await import('../app/open.js');
    baton = await openBaton({ db: opts.db, create: openOptions.create, here: openOptions.here });
  }
  try {
    return await fn(baton, makeOutput(Boolean(opts.json)));
  } finally {
    await baton.close();
  }
}

/** Prints an error as SPEC §5 says and returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  const error = isBatonError(err) ? err : new BatonError('internal', (err as Error)?.message ?? String(err), undefined);
  if (json) process.stderr.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
  else process.stderr.write(`error: ${error.code}: ${error.message}\n`);
  if (!isBatonError(err) && process.env.BATON_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
  return error.exitCode;
}
