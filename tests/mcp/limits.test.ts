import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { LIMITS } from '../../src/core/limits.js';
import { createDeps, LIMIT_CASES, type LimitCase, PARKED } from '../helpers/limit-cases.js';
import { type Agent, connect, freshProject, openStore } from './helpers.js';

/** MCP tools hold an agent's input to the app's limits, refusing with the same code and field. */

const TOOL: Record<LimitCase['call'], string> = {
  create: 'create_task',
  progress: 'report_progress',
  note: 'add_note',
  complete: 'complete_task',
  fail: 'fail_task',
  depend: 'add_dependency',
};

describe('baton mcp: the limits of the core schemas', () => {
  let project: ReturnType<typeof freshProject>;
  let baton: LocalBaton;
  let agent: Agent;
  let deps: number[];

  beforeAll(async () => {
    project = freshProject();
    baton = await openStore(project.dir);
    deps = await createDeps(baton);
    agent = await connect(project.dir, { env: { BATON_WORKER_ID: 'mcp-limit-agent' } });
  });
  afterAll(async () => {
    await agent?.close();
    await baton?.close();
    project?.cleanup();
  });

  /** The task a case writes to: claimed by this agent's session when the call needs a lease. */
  async function target(c: LimitCase): Promise<number> {
    if (c.call === 'create') return 0;
    if (c.call === 'note' || c.call === 'depend') {
      return (await baton.createTask({ title: 'target', capabilities: [PARKED], noBreakdown: true })).id;
    }
    // Retried never, so that a failed target does not come back to a later claim.
    const task = await baton.createTask({ title: 'target', priority: 'critical', maxRetries: 0, noBreakdown: true });
    const claimed = await agent.call('next_task');
    expect(claimed.data.task.id).toBe(task.id);
    return task.id;
  }

  const args = (c: LimitCase, id: number, input: Record<string, unknown>) => (c.call === 'create' ? input : { id, ...input });

  it.each(LIMIT_CASES.map((c) => [c.name, c] as const))('%s: refused one past the limit, kept at it', async (_, c) => {
    const id = await target(c);
    const before = { total: (await baton.listTasks({ limit: 1 })).total, version: id ? (await baton.getTask(id)).version : 0 };
    const refused = await agent.call(TOOL[c.call], args(c, id, c.over(deps)));
    expect(refused.isError).toBe(true);
    expect(refused.data.error.code).toBe('invalid_argument');
    expect(refused.data.error.message.startsWith(`${c.field}: `), refused.data.error.message).toBe(true);
    const after = { total: (await baton.listTasks({ limit: 1 })).total, version: id ? (await baton.getTask(id)).version : 0 };
    expect(after).toEqual(before);
    const kept = await agent.call(TOOL[c.call], args(c, id, c.at(deps)));
    expect(kept.isError, kept.summary.slice(0, 300)).toBe(false);
  });

  it('waits at most as long as MCP clients do, and pages as much as an agent reads', async () => {
    const wait = await agent.call('next_task', { waitSeconds: LIMITS.mcpClaimWaitSeconds + 1 });
    expect(wait.data.error.message).toMatch(/^waitSeconds: /);
    const page = await agent.call('list_tasks', { limit: LIMITS.mcpListLimit + 1 });
    expect(page.data.error.message).toMatch(/^limit: /);
    const note = await agent.call('release_task', { id: deps[0], note: 'x'.repeat(LIMITS.noteChars) });
    expect(note.data.error.message).toMatch(/^note: /);
  });
});
