import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ListQuery, TaskPage, UpdateTaskInput } from '../../app/baton.js';
import { BatonError, invalid } from '../../core/errors.js';
import type { TaskSort } from '../../core/search.js';
import type { Task } from '../../core/types.js';
import { parseList, parsePriority, parseTaskId } from '../../core/values.js';
import { runBulk, selection } from '../bulk.js';
import { completionScript } from '../completion.js';
import { type GlobalOptions, withBaton } from '../context.js';
import { formatTaskLine } from '../format.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** Steering by hand: `note`, `edit`, `completion`, and the filters and bulk forms of `list` and `update`. */
export function registerSteerCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });

  program
    .command('note')
    .description('add a note to a task (in any state), kept in its history')
    .argument('<id>', 'task id')
    .argument('<text...>', 'the note')
    .action(async (id: string, words: string[], opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.addNote(taskId, { text: words.join(' ') });
        out.result(task, () => `noted on ${formatTaskLine(task)}`);
      });
    });

  program
    .command('edit')
    .description("edit a task's fields as YAML in $VISUAL or $EDITOR; refused if the task changed meanwhile")
    .argument('<id>', 'task id')
    .action(async (id: string, opts: Opts) => {
      const taskId = parseTaskId(id);
      await withBaton(g(opts), async (baton, out) => {
        const task = await baton.getTask(taskId);
        const changes = await editInEditor(task);
        if (Object.keys(changes).length === 0) {
          out.result(task, () => `no change to ${formatTaskLine(task)}`);
          return;
        }
        const updated = await baton.updateTask(taskId, changes, { ifVersion: task.version });
        out.result(
          updated,
          () => `updated ${formatTaskLine(updated)} (version ${updated.version}): ${Object.keys(changes).join(', ')}`,
        );
      });
    });

  program
    .command('completion')
    .description('print a shell completion script: eval "$(baton completion bash)" (or zsh, fish)')
    .argument('<shell>', 'bash | zsh | fish')
    .action((shell: string) => {
      process.stdout.write(completionScript(program, shell));
    });
}

/** The filters of `list` beyond status, worker, tag and parent. */
export function listFilters(opts: Opts, json: boolean): Partial<ListQuery> {
  // People read what is still to do; scripts (--json) keep getting everything unless --open.
  const hideClosed = !json && opts.all !== true && opts.status === undefined && opts.ready !== true;
  return {
    ...(opts.priority !== undefined && {
      priority: parseList(String(opts.priority), 'priority').map((p) => parsePriority(p)),
    }),
    ...(opts.capability !== undefined && { capability: parseList(String(opts.capability), 'capability') }),
    ...(opts.search !== undefined && { q: String(opts.search) }),
    ...(opts.sort !== undefined && { sort: String(opts.sort) as TaskSort }),
    ...((opts.open === true || hideClosed) && { open: true }),
    ...(typeof opts.parents === 'boolean' && { parents: opts.parents }),
  };
}

/** A page in tree order: each parent followed by its subtasks (those on the page), with their depth. */
export function treeOrder(page: TaskPage): { tasks: Task[]; depth: Map<number, number> } {
  const onPage = new Set(page.tasks.map((t) => t.id));
  const children = new Map<number, Task[]>();
  for (const t of page.tasks) {
    if (t.parentId !== null && onPage.has(t.parentId)) children.set(t.parentId, [...(children.get(t.parentId) ?? []), t]);
  }
  const tasks: Task[] = [];
  const depth = new Map<number, number>();
  const visit = (t: Task, d: number) => {
    tasks.push(t);
    depth.set(t.id, d);
    for (const c of children.get(t.id) ?? []) visit(c, d + 1);
  };
  for (const t of page.tasks) if (t.parentId === null || !onPage.has(t.parentId)) visit(t, 0);
  return { tasks, depth };
}

const UPDATE_FIELDS = ['title', 'description', 'type', 'capabilities', 'addCap', 'removeCap', 'tags', 'addTag', 'removeTag'];
const MORE_FIELDS = ['estimate', 'command', 'maxRetries', 'review', 'runAfter', 'ifVersion'];

/** `update ID ID … --priority P` or `update --where … --priority P`: one bulk change. */
export async function bulkUpdate(ids: string[], opts: Opts): Promise<void> {
  const other = [...UPDATE_FIELDS, ...MORE_FIELDS].filter((f) => opts[f] !== undefined);
  if (other.length > 0) throw new BatonError('usage', `several tasks take only --priority (not ${other.join(', ')})`);
  if (opts.priority === undefined) throw new BatonError('usage', 'several tasks: give the new --priority');
  const input = { action: 'update' as const, ...selection(ids, opts.where), priority: parsePriority(String(opts.priority)) };
  await withBaton(opts, (baton, out) => runBulk(baton, out, input, opts));
}

/** The fields `edit` offers, in the order shown. */
const EDITABLE = [
  'title',
  'description',
  'priority',
  'type',
  'capabilities',
  'tags',
  'estimateMinutes',
  'command',
  'maxRetries',
  'review',
] as const;

/** Opens the task's editable fields as YAML in the editor; returns the fields that changed. */
async function editInEditor(task: Task): Promise<UpdateTaskInput> {
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) throw new BatonError('usage', 'set EDITOR (or VISUAL) to the editor to open, e.g. EDITOR=nano');
  const YAML = await import('yaml');
  const before = Object.fromEntries(EDITABLE.map((k) => [k, task[k] ?? null]));
  const dir = mkdtempSync(join(tmpdir(), 'baton-edit-'));
  const file = join(dir, `task-${task.id}.yaml`);
  try {
    const header = `# Task #${task.id} (version ${task.version}). Save and quit to apply; delete everything to cancel.\n`;
    writeFileSync(file, header + YAML.stringify(before, { lineWidth: 0 }));
    const r = spawnSync(`${editor} "${file}"`, { shell: true, stdio: 'inherit' });
    if (r.status !== 0)
      throw new BatonError('usage', `the editor (${editor}) exited with ${r.status ?? r.signal}: nothing changed`);
    const text = readFileSync(file, 'utf8');
    if (text.replace(/^#.*$/gm, '').trim() === '') return {};
    let after: unknown;
    try {
      after = YAML.parse(text);
    } catch (err) {
      throw invalid('yaml', `the edited task is not valid YAML: ${(err as Error).message.split('\n')[0]}; nothing changed`);
    }
    if (after === null || typeof after !== 'object' || Array.isArray(after)) {
      throw invalid('yaml', 'the edited task must be a mapping of fields; nothing changed');
    }
    const unknown = Object.keys(after).filter((k) => !(EDITABLE as readonly string[]).includes(k));
    if (unknown.length > 0) {
      throw invalid(
        unknown[0] ?? 'yaml',
        `cannot edit ${unknown.join(', ')} (editable: ${EDITABLE.join(', ')}); nothing changed`,
      );
    }
    const changes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(after)) {
      if (JSON.stringify(value ?? null) !== JSON.stringify(before[key])) changes[key] = value === undefined ? null : value;
    }
    for (const key of ['capabilities', 'tags']) if (changes[key] === null) changes[key] = [];
    return changes as UpdateTaskInput;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
