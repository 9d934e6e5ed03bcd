import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { seconds, trimmed, workerIdSchema } from './fields.js';

/** `bid(id, { workerId, score, etaSeconds, note })`: a worker's bid in a task's auction. */
export const bidSchema = z.strictObject({
  workerId: workerIdSchema,
  /** Higher is better: 0 (would rather not) to 1 (best placed). */
  score: z.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1'),
  /** How long the worker expects the task to take, in seconds. */
  etaSeconds: seconds(LIMITS.durationSeconds).optional(),
  /** Why this worker, in a few words. */
  note: trimmed(LIMITS.reasonChars).optional(),
});
export type BidInput = z.input<typeof bidSchema>;
