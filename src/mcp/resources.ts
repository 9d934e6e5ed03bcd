import type { Baton } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import { parseTaskId } from '../core/values.js';
import { taskView } from './views.js';

/** Resources (`baton://status`, `baton://task/{id}`) and the `work_loop` prompt. */

export const STATUS_RESOURCE = {
  uri: 'baton://status',
  name: 'status',
  title: 'Board status',
  description: 'Counts of tasks by status, ready work by priority, workers and throughput (JSON).',
  mimeType: 'application/json',
};

export const TASK_TEMPLATE = {
  uriTemplate: 'baton://task/{id}',
  name: 'task',
  title: 'A task',
  description: 'One task with its notes, blockers, subtasks and recent history; long fields cut (JSON).',
  mimeType: 'application/json',
};

/** The JSON text of a resource, or a coded not-found error. */
export async function readResource(baton: Baton, uri: string): Promise<string> {
  if (uri === STATUS_RESOURCE.uri) return JSON.stringify(await baton.status());
  const match = /^baton:\/\/task\/([^/?#]+)$/.exec(uri);
  if (!match?.[1]) {
    throw new BatonError('invalid_argument', `uri: unknown resource ${uri} (expected baton://status or baton://task/{id})`);
  }
  const { task, ...detail } = await baton.showTask(parseTaskId(match[1], 'uri'));
  return JSON.stringify(taskView(task, detail));
}

export const WORK_LOOP_PROMPT = {
  name: 'work_loop',
  title: 'Work through the board',
  description: 'How to work as one of several agents sharing a Baton board: claim, do, report, repeat.',
  arguments: [
    { name: 'capabilities', description: 'what you can do, comma-separated (e.g. typescript,tests)', required: false },
    { name: 'stopWhenEmpty', description: '"yes" to stop when no task is left (default: wait for more)', required: false },
  ],
};

export function workLoopText(args: Record<string, string | undefined>): string {
  const caps = args.capabilities
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const claim = caps?.length ? `next_task {"capabilities": ${JSON.stringify(caps)}}` : 'next_task';
  const stop = /^(y|yes|true|1)$/i.test(args.stopWhenEmpty ?? '');
  return [
    'You are one of several agents sharing a Baton task board. Other agents work on the same board at the same time;',
    'Baton makes sure no two of you ever hold the same task. Work in this loop:',
    '',
    `1. Call ${claim} to claim the best task you can do. Read its title, description and notes;`,
    '   if something was cut, read it with get_task {"id": …, "field": …}. If it is a subtask, its parent gives context.',
    '2. Do the work. Every few minutes, or at each milestone, call report_progress with a percentage and a short note.',
    '   Record findings or decisions others need with add_note.',
    '3. Finish: complete_task with a short result (what you did, where it is) and artifacts (files, URLs).',
    '   If the attempt failed, call fail_task with what went wrong; if you cannot or should not do it, release_task with a note.',
    stop
      ? '4. Repeat from 1. When next_task returns null, stop and summarise what you completed.'
      : '4. Repeat from 1. When next_task returns null, call it again with waitSeconds 30 to wait for more work.',
    '',
    'Rules:',
    '- Only report on tasks you hold. If a call says your lease expired or another worker holds the task, drop that work',
    '  at once (do not complete it) and call next_task.',
    '- If a task is too big, split it with breakdown_task before claiming, or create_task smaller tasks with dependsOn.',
    '- Tasks in reviewing need a different agent: when asked to review, use list_tasks {"status":["reviewing"]} and review_task.',
    '- Keep reads small: list_tasks pages and summarises; get_task shows one task.',
  ].join('\n');
}
