import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/limits.js';
import { createDeps, LIMIT_CASES, type LimitCase, PARKED } from '../helpers/limit-cases.js';
import { useProject } from './helpers.js';

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
  let deps: number[];
  const project = useProject({
    workerId: 'mcp-limit-agent',
    prepare: async (baton) => {
      deps = await createDeps(baton);
    },
  });

  /** The task a case writes to: claimed by this agent's session when the call needs a lease. */
  async function target(c: LimitCase): Promise<number> {
    if (c.call === 'create') return 0;
    if (c.call === 'note' || c.call === 'depend') {
      return (await project.baton.createTask({ title: 'target', capabilities: [PARKED], noBreakdown: true })).id;
    }
    // Retried never, so that a failed target does not come back to a later claim.
    const task = await project.baton.createTask({ title: 'target', priority: 'critical', maxRetries: 0, noBreakdown: true });
    const claimed = await project.agent.call('next_task');
    expect(claimed.data.task.id).toBe(task.id);
    return task.id;
  }

  const args = (c: LimitCase, id: number, input: Record<string, unknown>) => (c.call === 'create' ? input : { id, ...input });

  it.each(LIMIT_CASES.map((c) => [c.name, c] as const))('%s: refused one past the limit, kept at it', async (_, c) => {
    const id = await target(c);
    const before = {
      total: (await project.baton.listTasks({ limit: 1 })).total,
      version: id ? (await project.baton.getTask(id)).version : 0,
    };
    const refused = await project.agent.call(TOOL[c.call], args(c, id, c.over(deps)));
    expect(refused.isError).toBe(true);
    expect(refused.data.error.code).toBe('invalid_argument');
    expect(refused.data.error.message.startsWith(`${c.field}: `), refused.data.error.message).toBe(true);
    const after = {
      total: (await project.baton.listTasks({ limit: 1 })).total,
      version: id ? (await project.baton.getTask(id)).version : 0,
    };
    expect(after).toEqual(before);
    const kept = await project.agent.call(TOOL[c.call], args(c, id, c.at(deps)));
    expect(kept.isError, kept.summary.slice(0, 300)).toBe(false);
  });

  it('waits at most as long as MCP clients do, and pages as much as an agent reads', async () => {
    const wait = await project.agent.call('next_task', { waitSeconds: LIMITS.mcpClaimWaitSeconds + 1 });
    expect(wait.data.error.message).toMatch(/^waitSeconds: /);
    const page = await project.agent.call('list_tasks', { limit: LIMITS.mcpListLimit + 1 });
    expect(page.data.error.message).toMatch(/^limit: /);
    const note = await project.agent.call('release_task', { id: deps[0], note: 'x'.repeat(LIMITS.noteChars) });
    expect(note.data.error.message).toMatch(/^note: /);
  });
});
