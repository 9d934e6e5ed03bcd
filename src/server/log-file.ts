import { closeSync, openSync, write } from 'node:fs';
import { Writable } from 'node:stream';
import type { LogHealth } from './routes-system.js';

/** After a failed write, the file is tried again (reopened) at most this often. */
const RETRY_MS = 1_000;
/** Lines waiting for the disk beyond this are dropped rather than held in memory. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * The server's log file, written so that the log can never hold the server up: writes are
 * asynchronous, a failed one (a full disk, a removed folder) drops its lines and counts them instead
 * of throwing, retrying or blocking, and the file is reopened a second later — so logging resumes
 * by itself once space returns. `health()` says whether lines are being lost.
 */
export class LogFile extends Writable {
  private fd: number | null = null;
  private failingSince: number | null = null;
  private retryAt = 0;
  private dropped = 0;

  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    super({ highWaterMark: MAX_PENDING_BYTES, decodeStrings: true });
  }

  health(): LogHealth {
    return {
      ok: this.failingSince === null,
      dropped: this.dropped,
      since: this.failingSince === null ? null : new Date(this.failingSince).toISOString(),
    };
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.failingSince !== null && this.now() < this.retryAt) {
      this.dropped++;
      done();
      return;
    }
    const fd = this.open();
    if (fd === null) {
      done();
      return;
    }
    write(fd, chunk, (err) => {
      if (err) this.fail();
      else this.failingSince = null;
      done();
    });
  }

  override _final(done: (error?: Error | null) => void): void {
    this.closeFd();
    done();
  }

  /** Lines written faster than the disk takes them are dropped past the limit, never queued without end. */
  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (this.writableLength > MAX_PENDING_BYTES) {
      this.dropped++;
      return false;
    }
    return super.write(chunk as Buffer, encoding as BufferEncoding, cb as () => void);
  }

  private open(): number | null {
    if (this.fd !== null && this.failingSince === null) return this.fd;
    this.closeFd();
    try {
      this.fd = openSync(this.path, 'a', 0o600);
      return this.fd;
    } catch {
      this.fail();
      return null;
    }
  }

  private fail(): void {
    this.dropped++;
    this.failingSince ??= this.now();
    this.retryAt = this.now() + RETRY_MS;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already gone: nothing more to release.
    }
    this.fd = null;
  }
}
