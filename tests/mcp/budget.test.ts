import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { newTaskRecord } from '../../src/core/task-records.js';
import type { Task } from '../../src/core/types.js';
import { type Agent, connect, freshProject, openStore, type Reply } from './helpers.js';

const TASKS = 10_000;
const BUDGET = 8000;

/** An export of `n` queued tasks with the longest titles and capability lists allowed, to load fast. */
function bulkyDump(n: number, schemaVersion: number) {
  const now = Date.now();
  const at = new Date(now).toISOString();
  const tasks: Task[] = [];
  for (let id = 1; id <= n; id++) {
    const input = {
      title: `Task ${id} "${'x'.repeat(180)}"`.slice(0, 200),
      description: 'd'.repeat(2000),
      tags: ['bulk', `t${id % 50}`],
    };
    const created = newTaskRecord(input, { now, policy: DEFAULT_POLICY, actor: 'test', complexity: 'simple', depsOpen: false });
    tasks.push({ ...created, id, updatedAt: at, version: 1 });
  }
  return { format: 'baton-export', formatVersion: 1, schemaVersion, exportedAt: at, tasks, events: [], workers: [] };
}

const long = (n: number, unit = 'word "quoted"\n') => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const names = (prefix: string) => Array.from({ length: 50 }, (_, i) => `${prefix}${i}-${'c'.repeat(90)}`);

describe('baton mcp: token budget at 10,000 tasks', () => {
  let project: ReturnType<typeof freshProject>;
  let baton: LocalBaton;
  let agent: Agent;
  let reviewer: Agent;
  const sizes: [string, number][] = [];

  /** Calls a tool, requires success, and records how much the agent had to read. */
  const measured = async (who: Agent, tool: string, args: Record<string, unknown> = {}): Promise<Reply> => {
    const reply = await who.call(tool, args);
    expect(reply.isError, `${tool}: ${reply.summary}`).toBe(false);
    // The last-resort guard must never be what kept a response small: views fit by construction.
    expect(reply.data?.tooLarge, tool).toBeUndefined();
    sizes.push([`${tool} ${JSON.stringify(args).slice(0, 60)}`, reply.size]);
    return reply;
  };

  beforeAll(async () => {
    project = freshProject();
    baton = await openStore(project.dir);
    const { schemaVersion } = await baton.exportData();
    await baton.importData(bulkyDump(TASKS, schemaVersion));
    agent = await connect(project.dir, { args: ['--worker', 'big-agent'] });
    reviewer = await connect(project.dir, { args: ['--worker', 'big-reviewer'] });
  }, 120_000);
  afterAll(async () => {
    await agent?.close();
    await reviewer?.close();
    await baton?.close();
    project?.cleanup();
  });

  it('keeps every tool response under 8,000 characters', async () => {
    // The fullest task the schemas allow: every long field at or near its limit.
    const fat = await baton.createTask({
      title: `"${'T'.repeat(198)}"`,
      description: long(20_000),
      capabilities: names('cap'),
      tags: names('tag'),
      dependsOn: Array.from({ length: 1000 }, (_, i) => i + 1),
      input: { blob: long(15_000) },
      command: long(20_000),
      review: true,
      noBreakdown: true,
    });
    for (let i = 0; i < 40; i++) await baton.addNote(fat.id, { workerId: 'someone', text: long(2000) });

    await measured(agent, 'system_status');
    await measured(agent, 'list_tasks');
    await measured(agent, 'list_tasks', { limit: 100 });
    await measured(agent, 'list_tasks', { limit: 100, offset: 9950, status: ['queued'] });
    await measured(agent, 'list_tasks', { ready: true, tag: 't7', limit: 100 });
    await measured(agent, 'list_tasks', { q: 'task', priority: ['normal'], limit: 100 });
    await measured(agent, 'search_tasks', { q: 'task', limit: 100 });
    await measured(agent, 'search_tasks', { q: 'xxx', all: true, limit: 100, offset: 9900 });
    await measured(agent, 'update_task', { id: fat.id, priority: 'high' });
    await measured(agent, 'pause_task', { id: fat.id });
    await measured(agent, 'resume_task', { id: fat.id });
    await measured(agent, 'get_task', { id: fat.id });
    for (const field of ['description', 'notes', 'history', 'dependsOn', 'input', 'command'] as const) {
      await measured(agent, 'get_task', { id: fat.id, field });
    }
    await measured(agent, 'get_task', { id: fat.id, field: 'notes', offset: 30_000 });

    const created = await measured(agent, 'create_task', {
      title: `"${'N'.repeat(198)}"`,
      description: long(20_000),
      capabilities: names('cap'),
      tags: names('tag'),
      dependsOn: Array.from({ length: 1000 }, (_, i) => i + 1),
      noBreakdown: true,
    });
    const epic = await measured(agent, 'create_task', {
      title: `Build a REST API ${'for the billing service '.repeat(7)}`.slice(0, 200),
      estimateMinutes: 5_000_000,
      capabilities: names('cap'),
    });
    expect(epic.data.subtasks.total).toBeGreaterThan(0);

    const checklist = Array.from({ length: 110 }, (_, i) => `- [ ] step ${i} ${'s'.repeat(150)}`).join('\n');
    const split = await baton.createTask({ title: 'Checklist work', description: checklist, noBreakdown: true });
    await measured(agent, 'breakdown_task', { id: split.id, dryRun: true });
    await measured(agent, 'breakdown_task', { id: split.id });
    await measured(agent, 'add_dependency', {
      id: created.data.task.id,
      dependsOn: Array.from({ length: 100 }, (_, i) => 2000 + i),
    });

    // The worker's side, on a task claimed from the 10,000 (all with 200-character titles).
    const claim = await measured(agent, 'next_task', { capabilities: names('cap') });
    const id = claim.data.task.id as number;
    await measured(agent, 'report_progress', { id, progress: 50, note: long(20_000), step: 's'.repeat(200) });
    await measured(agent, 'add_note', { id, text: long(20_000) });
    await measured(agent, 'release_task', { id, note: long(19_900) });
    const again = await measured(agent, 'next_task');
    await measured(agent, 'fail_task', { id: again.data.task.id, error: long(10_000) });
    const third = await measured(agent, 'next_task');
    await measured(agent, 'complete_task', {
      id: third.data.task.id,
      result: { report: long(100_000) },
      artifacts: Array.from({ length: 100 }, (_, i) => `${i}/${'a'.repeat(990)}`),
    });

    // Review, with the longest feedback allowed, of a task as full as a claimable one can be.
    const reviewed = await baton.createTask({
      title: `"${'R'.repeat(198)}"`,
      description: long(20_000),
      capabilities: names('cap'),
      tags: names('tag'),
      input: { blob: long(15_000) },
      priority: 'critical',
      review: true,
      noBreakdown: true,
    });
    for (let i = 0; i < 10; i++) await baton.addNote(reviewed.id, { workerId: 'someone', text: long(2000) });
    const reviewClaim = await measured(agent, 'next_task');
    expect(reviewClaim.data.task.id).toBe(reviewed.id);
    await measured(agent, 'complete_task', { id: reviewed.id, result: { report: long(100_000) } });
    await measured(reviewer, 'review_task', { id: reviewed.id, pass: false, feedback: long(20_000), score: 10 });
    await measured(agent, 'get_task', { id: reviewed.id });

    const largest = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (process.env.BATON_MCP_SIZES) console.table(sizes);
    console.log(`largest MCP tool response at ${TASKS} tasks: ${largest[1]} characters (${largest[0]})`);
    for (const [call, size] of sizes) expect(size, call).toBeLessThanOrEqual(BUDGET);
    expect(sizes.length).toBeGreaterThanOrEqual(30);
  });
});
