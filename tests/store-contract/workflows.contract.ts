import { describe, expect, it } from 'vitest';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

const BUILD = `# the nightly build
name: build
description: Build and test
params:
  ref: { type: string, default: main }
steps:
  - id: compile
    task: { title: "Compile \${{ params.ref }}", capabilities: [build] }
  - id: test
    needs: [compile]
    if: \${{ steps.compile.status == 'completed' }}
    task: { title: Test, capabilities: [test] }
`;

/** Workflow definitions: registered by version, read back as registered, refused when invalid. */
export function workflowContract(store: () => StoreHarness): void {
  describe('workflow definitions', () => {
    it('registers a definition as version 1, the same one again changes nothing, a changed one is version 2', async () => {
      const baton = await store().open();
      const first = await baton.addWorkflow(BUILD);
      expect(first.created).toBe(true);
      expect(first.workflow).toMatchObject({ name: 'build', version: 1, description: 'Build and test', source: BUILD });
      expect(first.workflow.createdBy).toBe(store().actor);
      expect(first.workflow.definition.steps.map((s) => s.id)).toEqual(['compile', 'test']);

      // Comments and layout are not the definition: the same steps keep version 1.
      const again = await baton.addWorkflow(`${BUILD}\n# a comment\n`);
      expect(again.created).toBe(false);
      expect(again.workflow.version).toBe(1);
      expect(again.workflow.source).toBe(BUILD);

      const changed = BUILD.replace('capabilities: [test]', 'capabilities: [test, linux]');
      const second = await baton.addWorkflow(changed);
      expect(second).toMatchObject({ created: true, workflow: { name: 'build', version: 2, source: changed } });

      expect(await baton.listWorkflows()).toEqual([
        expect.objectContaining({ name: 'build', version: 2, description: 'Build and test', steps: 2, triggers: 0 }),
      ]);
      expect((await baton.getWorkflow('build')).version).toBe(2);
      const v1 = await baton.getWorkflow('build', { version: 1 });
      expect(v1.source).toBe(BUILD);
      expect(v1.definition.steps[1]?.task?.capabilities).toEqual(['test']);
      const events = (await baton.events()).filter((e) => e.type === 'workflow_added');
      expect(events.map((e) => e.data)).toEqual([
        { name: 'build', version: 1, steps: 2 },
        { name: 'build', version: 2, steps: 2 },
      ]);
    });

    it('lists the latest version of each workflow, by name', async () => {
      const baton = await store().open();
      await baton.addWorkflow(BUILD.replace('name: build', 'name: zeta'));
      await baton.addWorkflow(BUILD);
      await baton.addWorkflow(BUILD.replace('default: main', 'default: dev'));
      expect((await baton.listWorkflows()).map((w) => [w.name, w.version])).toEqual([
        ['build', 2],
        ['zeta', 1],
      ]);
    });

    it('concurrent registrations of one name get distinct versions, and the same definition only one', async () => {
      const baton = await store().open();
      const same = await Promise.all(Array.from({ length: 6 }, () => baton.addWorkflow(BUILD)));
      expect(same.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(same.map((r) => r.workflow.version))).toEqual(new Set([1]));
      const variants = await Promise.all(
        Array.from({ length: 5 }, (_, i) => baton.addWorkflow(BUILD.replace('default: main', `default: b${i}`))),
      );
      expect(variants.map((r) => r.workflow.version).sort()).toEqual([2, 3, 4, 5, 6]);
      expect((await baton.getWorkflow('build')).version).toBe(6);
    });

    it('refuses an invalid definition with every problem and its line, and writes nothing', async () => {
      const baton = await store().open();
      const bad = BUILD.replace('needs: [compile]', 'needs: [compyle]').replace(
        '    task: { title: Test',
        '    taks: { title: Test',
      );
      const err = await expectRefusedUnchanged(baton, () => baton.addWorkflow(bad, { file: 'build.yaml' }), 'invalid_workflow');
      expect(err.message).toMatch(/^build\.yaml:\d+:\d+: /);
      const problems = err.details?.problems as { line: number; message: string }[];
      expect(problems.map((p) => [p.line, p.message])).toEqual([
        [9, 'step "test" does nothing: give it one of task, approval, wait or workflow'],
        [10, 'step "test" needs "compyle", which is not a step of this workflow'],
        [11, 'expression refers to steps.compile, which is not upstream of step "test" (add it to needs)'],
        [12, 'steps.1: unknown key "taks"'],
      ]);
      expect(await baton.listWorkflows()).toEqual([]);
    });

    it('validates without registering: problems with file, line and column', async () => {
      const baton = await store().open();
      const ok = await baton.validateWorkflow(BUILD);
      expect(ok).toMatchObject({ valid: true, problems: [], definition: { name: 'build' } });
      const bad = await baton.validateWorkflow(BUILD.replace("== 'completed'", "== 'completed' &&"), { file: 'b.yaml' });
      expect(bad.valid).toBe(false);
      expect(bad.definition).toBeNull();
      expect(bad.problems).toEqual([
        expect.objectContaining({
          file: 'b.yaml',
          line: 11,
          column: 51,
          message: expect.stringMatching(/^expression .* cannot be read/),
        }),
      ]);
      expect(await baton.listWorkflows()).toEqual([]);
    });

    it('an unknown workflow or version is workflow_not_found; a bad name or version is refused', async () => {
      const baton = await store().open();
      await baton.addWorkflow(BUILD);
      expect((await refusal(baton.getWorkflow('nope'))).code).toBe('workflow_not_found');
      expect((await refusal(baton.getWorkflow('build', { version: 2 }))).code).toBe('workflow_not_found');
      expect((await refusal(baton.getWorkflow('../etc'))).code).toBe('invalid_argument');
      expect((await refusal(baton.getWorkflow('build', { version: 0 }))).code).toBe('invalid_argument');
      await expectRefusedUnchanged(baton, () => baton.addWorkflow('  '), 'invalid_argument', 'source');
    });
  });
}
