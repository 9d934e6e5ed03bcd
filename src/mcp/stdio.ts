import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

/** The longest JSON-RPC line read from an agent; a longer one is answered with an error and skipped. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/**
 * MCP over stdio, one JSON-RPC message per line, that never drops the session over bad input: a
 * line that is not JSON is answered with a parse error, a line that is JSON but not a JSON-RPC
 * message with an invalid-request error, and a line longer than `maxLineBytes` is skipped up to its
 * newline and answered with an invalid-request error — the agent learns what went wrong and can go
 * on. (A transport that closes on such input ends the session without a word, and the agent sees a
 * server that silently went away.)
 */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of an oversized line skipped so far; 0 when not skipping. */
  private skipping = 0;
  private closed = false;

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    this.chunks = [];
    this.onclose?.();
  }

  private readonly onInputError = (error: Error) => this.onerror?.(error);

  private readonly onData = (data: Buffer | string) => {
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    for (;;) {
      const newline = chunk.indexOf(0x0a);
      if (newline === -1) {
        this.keep(chunk);
        return;
      }
      this.keep(chunk.subarray(0, newline));
      this.endLine();
      chunk = chunk.subarray(newline + 1);
    }
  };

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    if (this.skipping > 0 || this.buffered + part.length > this.maxLineBytes) {
      // Memory stays bounded: an oversized line is counted, not kept.
      this.skipping += this.buffered + part.length;
      this.chunks = [];
      this.buffered = 0;
      return;
    }
    this.chunks.push(part);
    this.buffered += part.length;
  }

  private endLine(): void {
    if (this.skipping > 0) {
      const bytes = this.skipping;
      this.skipping = 0;
      this.reject(INVALID_REQUEST, `message too large: ${bytes} bytes (at most ${this.maxLineBytes} on one line)`);
      return;
    }
    const line = Buffer.concat(this.chunks, this.buffered).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.buffered = 0;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      this.reject(PARSE_ERROR, `parse error: ${(err as Error).message}`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      const id = (value as { id?: unknown } | null)?.id;
      this.reject(
        INVALID_REQUEST,
        'invalid request: not a JSON-RPC 2.0 message',
        typeof id === 'string' || typeof id === 'number' ? id : null,
      );
      return;
    }
    this.onmessage?.(parsed.data);
  }

  /** Answers per JSON-RPC 2.0: an error the agent can read, with the request's id when it is known. */
  private reject(code: number, message: string, id: string | number | null = null): void {
    this.onerror?.(new Error(message));
    this.output.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);
  }
}
