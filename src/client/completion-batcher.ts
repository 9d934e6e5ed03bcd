import type { CompleteTaskInput, CompletionResult } from '../app/baton.js';
import { isBatonError } from '../core/errors.js';
import { LIMITS } from '../core/limits.js';
import { completionItemSchema } from '../core/schemas.js';
import type { Task } from '../core/types.js';

export interface CompletionSender {
  /** `POST /completions` with this body (the items, already JSON), answered per item in order. */
  batch(body: string): Promise<CompletionResult[]>;
  /** `POST /tasks/{id}/complete`: the single call. */
  single(id: number, input: CompleteTaskInput): Promise<Task>;
}

/**
 * A batch's body stays well under any server's body limit: a larger completion (a big result) is
 * sent on its own, as the single call, where the limit answers it alone.
 */
const BATCH_BYTES = 64 * 1024;

interface Pending {
  id: number;
  input: CompleteTaskInput;
  /** The item as the batch carries it. */
  json: string;
  resolve(task: Task): void;
  reject(err: unknown): void;
}

/**
 * Completions asked in the same turn of the event loop (the tasks a worker finishes together)
 * travel as one `POST /completions`. Each caller gets what its own `POST /tasks/{id}/complete`
 * would have answered: its task, or its refusal with the same code and message. A completion the
 * server would refuse as malformed is not batched (it would refuse its batch whole), and neither
 * is a single one: both go as the single call.
 */
export class CompletionBatcher {
  private pending: Pending[] = [];
  /** The server has no `/completions` (an older one): every completion goes as the single call. */
  private unsupported = false;

  constructor(private readonly send: CompletionSender) {}

  complete(id: number, input: CompleteTaskInput): Promise<Task> {
    if (this.unsupported || !completionItemSchema.safeParse({ ...input, id }).success) return this.send.single(id, input);
    const json = JSON.stringify({ ...input, id });
    if (json.length > BATCH_BYTES) return this.send.single(id, input);
    return new Promise((resolve, reject) => {
      if (this.pending.push({ id, input, json, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    let chunk: Pending[] = [];
    let bytes = 0;
    for (const p of this.pending) {
      if (chunk.length === LIMITS.completionBatch || bytes + p.json.length > BATCH_BYTES) {
        void this.sendChunk(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(p);
      bytes += p.json.length;
    }
    this.pending = [];
    void this.sendChunk(chunk);
  }

  private async sendChunk(chunk: Pending[]): Promise<void> {
    const [only] = chunk;
    if (chunk.length === 1 && only) return this.settle(only, () => this.send.single(only.id, only.input));
    let answers: CompletionResult[];
    try {
      answers = await this.send.batch(`{"items":[${chunk.map((p) => p.json).join(',')}]}`);
    } catch (err) {
      if (isBatonError(err) && err.code === 'route_not_found') {
        this.unsupported = true;
        for (const p of chunk) void this.settle(p, () => this.send.single(p.id, p.input));
        return;
      }
      for (const p of chunk) p.reject(err);
      return;
    }
    for (const [i, p] of chunk.entries()) {
      const answer = answers[i];
      if (answer?.ok) p.resolve(answer.task);
      else if (answer) p.reject(answer.error);
      else p.reject(new Error(`the server answered ${answers.length} completions for ${chunk.length}`));
    }
  }

  private async settle(p: Pending, call: () => Promise<Task>): Promise<void> {
    try {
      p.resolve(await call());
    } catch (err) {
      p.reject(err);
    }
  }
}
