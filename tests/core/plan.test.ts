import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../src/core/plan/check.js';
import { flattenPlan, planFromJson, planToMarkdown } from '../../src/core/plan/document.js';
import { PlanSyntaxError, parsePlanMarkdown } from '../../src/core/plan/markdown.js';
import type { ExportedPlanNode, PlanNode } from '../../src/core/plan/types.js';
import { AUTH_PLAN } from '../helpers/auth-plan.js';

function structured(source: string): PlanNode[] {
  const parsed = parsePlanMarkdown(source);
  if (parsed.kind !== 'structured') throw new Error('expected a structured plan');
  return parsed.nodes;
}

const byTitle = (nodes: PlanNode[], title: string) => flattenPlan(nodes).find((n) => n.title === title) as PlanNode;

describe('plans in Markdown', () => {
  it('reads headings, lists and checklists as a tree numbered in reading order', () => {
    const nodes = structured(AUTH_PLAN);
    expect(nodes).toHaveLength(1);
    const all = flattenPlan(nodes);
    expect(all.map((n) => `${n.ref} ${n.title}`)).toEqual([
      '1 Authentication',
      '2 OAuth login',
      '3 Register the OAuth app',
      '4 Callback endpoint',
      '5 Choose the library',
      '6 Password reset',
      '7 Reset email template',
      '8 Reset form',
      '9 Form validation',
      '10 Error messages',
      '11 Reset tests',
    ]);
    expect((nodes[0] as PlanNode).subtasks.map((s) => s.title)).toEqual(['OAuth login', 'Password reset']);
    expect(byTitle(nodes, 'Reset form').subtasks.map((s) => s.title)).toEqual(['Form validation', 'Error messages']);
  });

  it('reads markers, descriptions, ticks and dependency lines', () => {
    const nodes = structured(AUTH_PLAN);
    const root = nodes[0] as PlanNode;
    expect(root).toMatchObject({
      capabilities: ['backend'],
      priority: 'high',
      description: 'Users sign in with Google or a password.',
    });
    expect(byTitle(nodes, 'OAuth login').estimateMinutes).toBe(8 * 60);
    expect(byTitle(nodes, 'Callback endpoint')).toMatchObject({
      capabilities: ['api'],
      description: 'Exchanges the code for a token.',
      dependsOn: [3],
    });
    expect(byTitle(nodes, 'Choose the library').done).toBe(true);
    expect(byTitle(nodes, 'Register the OAuth app').done).toBe(false);
    expect(byTitle(nodes, 'Password reset').dependsOn).toEqual([2]);
    expect(byTitle(nodes, 'Reset tests')).toMatchObject({ dependsOn: [7, 8], dependsOnTasks: [57] });
  });

  it('reads a document without any list as prose for a planner', () => {
    const parsed = parsePlanMarkdown(
      '# Billing revamp\n\nWe need invoices, refunds and a tax report.\n\n## Goals\n\nFewer tickets.',
    );
    expect(parsed).toMatchObject({ kind: 'prose', title: 'Billing revamp' });
    const bare = parsePlanMarkdown('Customers want to export their data as CSV. It should be fast.');
    expect(bare).toMatchObject({ kind: 'prose', title: 'Customers want to export their data as CSV' });
  });

  it('refuses references to nothing, ambiguous titles and self-dependencies, with their lines', () => {
    const source =
      '- A\n  depends on #9\n- B\n  after Nothing here\n- Write docs\n- Write tests\n- C\n  after Write\n- D\n  depends on #6';
    let error: unknown;
    try {
      parsePlanMarkdown(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanSyntaxError);
    const problems = (error as PlanSyntaxError).problems;
    expect(problems.map((p) => p.line)).toEqual([2, 4, 8, 10]);
    expect(problems[0]?.message).toContain('#9 is not an item of this plan');
    expect(problems[1]?.message).toContain('names no item');
    expect(problems[2]?.message).toContain('could be #3, #4');
    expect(problems[3]?.message).toContain('item #6 cannot depend on itself');
  });

  it('finds a cycle, counting that a task waits for its subtasks', () => {
    const nodes = structured('# Epic\n- Child\n  depends on #1\n');
    expect(checkPlan(nodes)[0]?.message).toMatch(/cycle #\d -> #\d/);
    const loop = structured('- A\n  after B\n- B\n  after A\n');
    expect(checkPlan(loop)).toHaveLength(1);
    const fine = structured('# Epic\ndepends on #2\n- Child\n');
    expect(checkPlan(fine)).toEqual([]);
    expect(fine[0]?.dependsOn).toEqual([]);
  });

  it('writes Markdown that reads back as the same tree', () => {
    const nodes = structured(AUTH_PLAN);
    const exported = (n: PlanNode, id: number): ExportedPlanNode => ({
      ...n,
      id: n.ref + id,
      status: n.done ? 'completed' : 'queued',
      progress: 0,
      subtasks: n.subtasks.map((s) => exported(s, id)),
    });
    const markdown = planToMarkdown({ version: 1, tasks: nodes.map((n) => exported(n, 100)) });
    const again = structured(markdown);
    const shape = (list: PlanNode[]) =>
      flattenPlan(list).map(({ line: _line, subtasks, ...rest }) => ({ ...rest, subtasks: subtasks.length }));
    expect(shape(again)).toEqual(shape(nodes));
  });

  it('keeps description lines that look like items when they are escaped', () => {
    const nodes = structured('- Task\n  \\- not an item\n  \\depends on nothing\n');
    expect(nodes).toHaveLength(1);
    expect(nodes[0]?.description).toBe('- not an item\ndepends on nothing');
  });
});

describe('plans in JSON', () => {
  it('numbers tasks in reading order and resolves refs', () => {
    const { nodes, problems } = planFromJson([
      { ref: 'api', title: 'API', subtasks: [{ ref: 'schema', title: 'Schema' }] },
      { ref: 'ui', title: 'UI', dependsOn: ['api'], estimate: '2h' },
    ]);
    expect(problems).toEqual([]);
    expect(flattenPlan(nodes).map((n) => [n.ref, n.title, n.dependsOn])).toEqual([
      [1, 'API', []],
      [2, 'Schema', []],
      [3, 'UI', [1]],
    ]);
    expect(nodes[1]?.estimateMinutes).toBe(120);
  });

  it('says which dependency names nothing', () => {
    const { problems } = planFromJson([{ title: 'A', dependsOn: [5] }]);
    expect(problems[0]?.message).toContain('depends on 5');
  });
});
