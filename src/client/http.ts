import { BatonError, ERROR_CODES, type ErrorCode } from '../core/errors.js';

/**
 * When a call that did not get through is tried again:
 * - `always`: it is safe to repeat (reads, heartbeats, progress) — on any network failure or 503;
 * - `unsent`: only when the connection was refused, so the server cannot have acted on it.
 */
type Retry = 'always' | 'unsent';

export interface CallOptions {
  body?: unknown;
  /** A JSON body sent byte for byte as given (a signed one), instead of `body`. */
  rawBody?: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  retry?: Retry;
  signal?: AbortSignal | undefined;
  /** Statuses besides 2xx whose body is the answer (health answers 503 with its report). */
  answerOn?: readonly number[];
}

/** JSON over HTTP to a Baton server: coded errors back as `BatonError`, retries where it is safe. */
export class HttpClient {
  /** Aborted by `close`: calls still retrying give up, so a client that is done keeps no process alive. */
  private readonly closing = new AbortController();

  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
    private readonly retryMs: number,
  ) {}

  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const retry = options.retry ?? (method === 'GET' ? 'always' : 'unsent');
    const giveUpAt = Date.now() + this.retryMs;
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.urlOf(path, options.query), this.init(method, { ...options, signal }));
      } catch (err) {
        if (options.signal?.aborted) throw err;
        const repeat = (retry === 'always' || refused(err)) && !untrusted(err);
        if (this.closing.signal.aborted || !repeat || Date.now() >= giveUpAt) throw this.unreachable(err);
        await backoff(attempt, giveUpAt, this.closing.signal);
        continue;
      }
      if (options.answerOn?.includes(res.status)) return (await res.json()) as T;
      if (res.status === 503 && retry === 'always' && Date.now() < giveUpAt && !this.closing.signal.aborted) {
        await res.body?.cancel();
        await backoff(attempt, giveUpAt, this.closing.signal);
        continue;
      }
      return this.answer<T>(res);
    }
  }

  /** A text document outside the JSON API (`/metrics`): its body, or the server's coded refusal. */
  async text(path: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    } catch (err) {
      throw this.unreachable(err);
    }
    if (res.ok) return res.text();
    return this.answer<string>(res);
  }

  /** Ends every call still in flight or waiting to try again. */
  close(): void {
    this.closing.abort();
  }

  urlOf(path: string, query: CallOptions['query'] = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.base}/api/v1${path}${qs ? `?${qs}` : ''}`;
  }

  private init(method: string, options: CallOptions): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    Object.assign(headers, options.headers);
    const init: RequestInit = { method, headers };
    if (options.body !== undefined || options.rawBody !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = options.rawBody ?? JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;
    return init;
  }

  private async answer<T>(res: Response): Promise<T> {
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      throw new BatonError('server_unavailable', `${this.base} answered ${res.status} with something that is not JSON`);
    }
    if (res.ok) return body as T;
    const error = (body as { error?: WireError } | null)?.error;
    throw wireError(error, statusCode(res.status), `${res.status} ${res.statusText}`);
  }

  private unreachable(err: unknown): BatonError {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (err as Error).message;
    if (untrusted(err)) {
      return new BatonError(
        'server_unavailable',
        `the TLS certificate of ${this.base} is not trusted (${reason}: ${cause?.message ?? ''}); if it is signed by your own authority, start the client with NODE_EXTRA_CA_CERTS=FILE naming its certificate`,
        { server: this.base, tls: reason },
      );
    }
    return new BatonError('server_unavailable', `cannot reach the Baton server at ${this.base} (${reason})`, {
      server: this.base,
    });
  }
}

export interface WireError {
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}

/** A refusal as the server sent it (`{code, message, details}`), as the `BatonError` it was. */
export function wireError(error: WireError | undefined, fallback: ErrorCode, fallbackMessage: string): BatonError {
  const code = error?.code && error.code in ERROR_CODES ? (error.code as ErrorCode) : fallback;
  return new BatonError(code, error?.message ?? fallbackMessage, error?.details);
}

/** The connection was never made: the server did not see the request. */
function refused(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

function statusCode(status: number): ErrorCode {
  if (status === 400) return 'invalid_argument';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'route_not_found';
  if (status === 409) return 'illegal_transition';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'server_unavailable';
  return 'internal';
}

/** A TLS handshake that failed on the certificate: trying again cannot help. */
function untrusted(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|ERR_TLS|ERR_SSL|UNABLE_TO_VERIFY|HOSTNAME/.test(code);
}

/** Doubling from 100 ms to 2 s, with jitter, never past the deadline; cut short by `signal`. */
function backoff(attempt: number, giveUpAt: number, signal: AbortSignal): Promise<void> {
  const base = Math.min(2_000, 100 * 2 ** attempt);
  const ms = Math.min(base / 2 + Math.random() * (base / 2), Math.max(0, giveUpAt - Date.now()));
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
