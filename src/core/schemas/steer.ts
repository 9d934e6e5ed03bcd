import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { PRIORITIES, TASK_STATUSES } from '../types.js';
import { nameSchema, taskIdSchema, tooMany, trimmed, workerIdSchema } from './fields.js';
import { taskFilterShape } from './tasks.js';

/** Inputs of the steering calls of `Baton`: counts for a filter, and bulk changes. */

/** Which tasks: the filters of a listing, without paging or order. */
export const taskFilterSchema = z.strictObject({
  status: z.array(z.enum(TASK_STATUSES)).max(TASK_STATUSES.length, tooMany(TASK_STATUSES.length)).optional(),
  worker: workerIdSchema.optional(),
  tag: nameSchema.optional(),
  parentId: taskIdSchema.optional(),
  ...taskFilterShape,
});
export type TaskFilter = z.input<typeof taskFilterSchema>;

export const BULK_ACTIONS = ['cancel', 'retry', 'pause', 'resume', 'update'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** `bulk(input)`: one action on several tasks, named by id or selected by a filter, all or nothing. */
export const bulkSchema = z
  .strictObject({
    action: z.enum(BULK_ACTIONS, { error: `must be one of ${BULK_ACTIONS.join(', ')}` }),
    ids: z
      .array(taskIdSchema)
      .min(1, 'expected one or more task ids')
      .max(LIMITS.bulkTasks, tooMany(LIMITS.bulkTasks))
      .optional(),
    where: taskFilterSchema.optional(),
    /** `update`: the new priority. */
    priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` }).optional(),
    /** `cancel`: why, kept in each task's history. */
    reason: trimmed(LIMITS.reasonChars).optional(),
    /** Checks the whole change and writes nothing: the tasks it would change. */
    dryRun: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.ids === undefined) === (v.where === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give either ids or where (not both)' });
    }
    if (v.where !== undefined && Object.values(v.where).every((f) => f === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['where'], message: 'must have at least one filter (it would select every task)' });
    }
    if (v.action === 'update' && v.priority === undefined) {
      ctx.addIssue({ code: 'custom', path: ['priority'], message: 'update needs the new priority' });
    }
    if (v.action !== 'update' && v.priority !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['priority'], message: 'only update takes a priority' });
    }
    if (v.action !== 'cancel' && v.reason !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'only cancel takes a reason' });
    }
  });
export type BulkInput = z.input<typeof bulkSchema>;
