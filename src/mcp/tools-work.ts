import type { Baton } from '../app/baton.js';
import type { BreakerState } from '../core/breaker.js';
import {
  addNoteInput,
  claimTaskInput,
  completeTaskInput,
  failTaskInput,
  nextTaskInput,
  RELEASE_NOTE_PREFIX,
  releaseTaskInput,
  reportProgressInput,
  reviewTaskInput,
} from './schemas.js';
import type { AgentSession } from './session.js';
import { defineTool, type Tool, type ToolContext, WRITE } from './tool.js';
import { clip, label, summary, taskView } from './views.js';

/** The worker's side: claim, report, finish. Every write names this session's lease. */

export const STATUS_MEANINGS =
  'Statuses: queued = ready for anyone to claim; assigned = reserved for one worker; blocked = waits for its dependencies; ' +
  'executing = a worker holds it (or it is a parent whose subtasks run); paused = put on hold by a person; ' +
  'reviewing = done, awaiting review by a different worker; skipped = will not run (a condition of a dependency was not met); ' +
  'completed, failed, cancelled, skipped = final.';

/** Runs a write on a task this agent may hold; a lost lease stops its renewal. */
async function leased<T>(session: AgentSession, id: number, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    session.dropIfGone(id, err);
    throw err;
  }
}

/** This agent's breaker when it is open or half-open: why a claim answers nothing. */
async function openBreaker(baton: Baton, workerId: string): Promise<BreakerState | null> {
  const me = (await baton.listWorkers()).find((w) => w.id === workerId);
  return me?.breaker && me.breaker.mode !== 'closed' ? me.breaker : null;
}

const nextTask = defineTool({
  name: 'next_task',
  title: 'Claim the next task',
  description:
    'Claim the best ready task you can do (by priority, then age, then fit to your capabilities) and hold it under a lease ' +
    'that this session renews for you until you finish it or disconnect. No two agents ever get the same task. ' +
    'Returns the task (long fields cut; get_task reads them) or null when nothing fits: then wait with waitSeconds or stop. ' +
    'Next: do the work, call report_progress now and then, and finish with complete_task (or fail_task / release_task). ' +
    'Pass capabilities once; they are kept for the session and a task needing a capability you lack is never given to you.',
  input: nextTaskInput,
  annotations: WRITE,
  async run(args, { baton, session, signal }: ToolContext) {
    session.useCapabilities(args.capabilities);
    const task = await baton.claim({
      workerId: session.workerId,
      capabilities: session.capabilities,
      leaseSeconds: session.leaseSeconds,
      waitSeconds: args.waitSeconds ?? 0,
      signal: AbortSignal.any([signal, session.signal]),
    });
    if (!task) {
      const breaker = await openBreaker(baton, session.workerId);
      if (breaker) {
        return {
          summary: `no task for ${session.workerId}: your circuit breaker is open (${breaker.reason}); claims resume after ${breaker.reopensAt}`,
          data: {
            task: null,
            held: session.heldIds,
            breaker,
            next: 'find out why your attempts fail (fail_task errors), then call next_task after that time',
          },
        };
      }
      return {
        summary: `no task available for ${session.workerId} now`,
        data: {
          task: null,
          held: session.heldIds,
          next: 'call next_task again with waitSeconds to wait for work, or list_tasks {"status":["blocked"]} to see what waits',
        },
      };
    }
    // Held before anything else can fail, so that a disconnect from here on releases it.
    session.hold(task);
    const parent = task.parentId !== null ? await baton.getTask(task.parentId).catch(() => null) : null;
    return {
      summary: `claimed ${label(task)} [${task.priority}]: do it, report_progress as you go, then complete_task {"id": ${task.id}}`,
      data: {
        task: taskView(task),
        ...(parent && { parent: { id: parent.id, title: clip(parent.title, 120) } }),
        lease: { workerId: session.workerId, token: task.lease?.token, expiresAt: task.lease?.expiresAt, renewedBySession: true },
        held: session.heldIds,
      },
    };
  },
});

const claimTask = defineTool({
  name: 'claim_task',
  title: 'Claim one task by id',
  description:
    'Claim this one ready task (queued, or reserved for you) when you were asked to do it or chose it from list_tasks; ' +
    'the same lease and rules as next_task, renewed by this session. Refused with the reason when it is blocked, reserved ' +
    'for another worker, waiting for a retry backoff, needs a capability you lack, or someone else holds it. ' +
    'Next: do the work, report_progress, then complete_task.',
  input: claimTaskInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    session.useCapabilities(args.capabilities);
    const task = await baton.claimTask(args.id, {
      workerId: session.workerId,
      capabilities: session.capabilities,
      leaseSeconds: session.leaseSeconds,
    });
    session.hold(task);
    return {
      summary: `claimed ${label(task)} [${task.priority}]: do it, report_progress as you go, then complete_task {"id": ${task.id}}`,
      data: {
        task: taskView(task),
        lease: { workerId: session.workerId, token: task.lease?.token, expiresAt: task.lease?.expiresAt, renewedBySession: true },
        held: session.heldIds,
      },
    };
  },
});

const reportProgress = defineTool({
  name: 'report_progress',
  title: 'Report progress',
  description:
    'Report how far you are on a task you hold (0–100), optionally with a note and the name of the step reached. ' +
    'Others see it live; it also renews your lease. Only the agent holding the task may report. Next: keep working, then complete_task.',
  input: reportProgressInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    const task = await leased(session, args.id, () =>
      baton.reportProgress(args.id, { ...session.lease(args.id), progress: args.progress, note: args.note, step: args.step }),
    );
    session.renewed(task.id);
    return {
      summary: `${label(task)} at ${task.progress}%`,
      data: { task: summary(task), leaseExpiresAt: task.lease?.expiresAt ?? null },
    };
  },
});

const addNote = defineTool({
  name: 'add_note',
  title: 'Add a note',
  description:
    'Append a note to any task (a finding, a decision, a question for people or other agents) without changing its progress ' +
    'or status. You need not hold the task. Notes show in get_task.',
  input: addNoteInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    const task = await baton.addNote(args.id, { workerId: session.workerId, text: args.text });
    return { summary: `noted on ${label(task)}`, data: { task: summary(task), notes: task.notes.length } };
  },
});

const completeTask = defineTool({
  name: 'complete_task',
  title: 'Complete a task',
  description:
    'Finish a task you hold, with its result (any JSON: a summary, links, numbers) and the files or URLs produced. ' +
    'It becomes completed — or reviewing when it needs review, and then a different agent passes or fails it with review_task. ' +
    'Completing a task unblocks the tasks that depend on it. Next: call next_task for more work.',
  input: completeTaskInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    const task = await leased(session, args.id, () =>
      baton.complete(args.id, { ...session.lease(args.id), result: args.result, artifacts: args.artifacts }),
    );
    session.drop(task.id);
    const outcome = task.status === 'reviewing' ? 'awaits review by a different agent' : 'completed';
    return {
      summary: `${label(task)} ${outcome}; call next_task for more work`,
      data: { task: summary(task), held: session.heldIds },
    };
  },
});

const failTask = defineTool({
  name: 'fail_task',
  title: 'Report a failed attempt',
  description:
    'Give up on a task you hold because the attempt failed, saying what went wrong. It goes back to queued (retried later, ' +
    'after a backoff) while retries are left, else it becomes failed. Use release_task instead when you simply cannot do it. ' +
    'Next: call next_task.',
  input: failTaskInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    const task = await leased(session, args.id, () => baton.fail(args.id, { ...session.lease(args.id), error: args.error }));
    session.drop(task.id);
    const outcome =
      task.status === 'failed'
        ? 'failed for good (no retries left)'
        : `will be retried${task.runAfter ? ` after ${task.runAfter}` : ''} (retry ${task.retries}/${task.maxRetries})`;
    return {
      summary: `${label(task)} ${outcome}`,
      data: { task: summary(task), runAfter: task.runAfter, held: session.heldIds },
    };
  },
});

const releaseTask = defineTool({
  name: 'release_task',
  title: 'Give a task back',
  description:
    'Hand a task you hold back to the queue, untouched, for another agent (for example: it needs skills you lack, or you must stop). ' +
    'An optional note tells the next agent why. Not counted as a failure. Next: call next_task, or stop.',
  input: releaseTaskInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    let task = await leased(session, args.id, () => baton.release(args.id, session.lease(args.id)));
    session.drop(task.id);
    if (args.note)
      task = await baton.addNote(args.id, { workerId: session.workerId, text: `${RELEASE_NOTE_PREFIX}${args.note}` });
    return {
      summary: `released ${label(task)}; it is ${task.status} again`,
      data: { task: summary(task), held: session.heldIds },
    };
  },
});

const reviewTask = defineTool({
  name: 'review_task',
  title: 'Review finished work',
  description:
    'Pass or fail a task in reviewing (find them with list_tasks {"status":["reviewing"]}). You must not be the agent that did it. ' +
    'pass=true makes it completed; pass=false sends it back to queued with your feedback in its notes, for another attempt.',
  input: reviewTaskInput,
  annotations: WRITE,
  async run(args, { baton, session }: ToolContext) {
    const task = await baton.review(args.id, {
      workerId: session.workerId,
      pass: args.pass,
      feedback: args.feedback,
      score: args.score,
    });
    return {
      summary: `${args.pass ? 'passed' : 'sent back'} ${label(task)}; it is ${task.status}`,
      data: {
        task: summary(task),
        review: task.review && { ...task.review, feedback: task.review.feedback && clip(task.review.feedback, 500) },
      },
    };
  },
});

export const WORK_TOOLS: Tool[] = [nextTask, claimTask, reportProgress, addNote, completeTask, failTask, releaseTask, reviewTask];
