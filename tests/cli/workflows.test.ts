import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowAdded, WorkflowRecord, WorkflowSummary, WorkflowValidation } from '../../src/app/baton.js';
import { sealedFolder } from '../helpers/sealed.js';
import { cli, freshProject, json } from './run-cli.js';

const EXAMPLE = resolve(import.meta.dirname, '../../docs/examples/release.yaml');

let project: ReturnType<typeof freshProject>;
beforeEach(() => {
  project = freshProject();
  copyFileSync(EXAMPLE, join(project.dir, 'release.yaml'));
});
afterEach(() => project.cleanup());

const run = (...args: string[]) => cli(project.dir, args);
const write = (name: string, text: string) => writeFileSync(join(project.dir, name), text);

const BAD = `name: broken
steps:
  - id: build
    task: { title: Build }
  - id: test
    needs: [biuld]
    task: { title: Test }
    retries: 3
`;

describe('baton workflow validate', () => {
  it('says a valid file is valid (exit 0), with no store needed', () => {
    const dir = sealedFolder('baton-wf');
    copyFileSync(EXAMPLE, join(dir, 'release.yaml'));
    const r = cli(dir, ['workflow', 'validate', 'release.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('release.yaml: valid workflow release (7 steps)\n');
  });

  it('prints FILE:LINE:COL: reason for every problem and exits 2', () => {
    write('broken.yaml', BAD);
    const r = run('workflow', 'validate', 'broken.yaml');
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')).toEqual([
      'broken.yaml:6:13: step "test" needs "biuld", which is not a step of this workflow',
      'broken.yaml:8:5: steps.1: unknown key "retries"',
      'broken.yaml: 2 problems',
      '',
    ]);
  });

  it('--json gives the problems as data, still exiting 2', () => {
    write('broken.yaml', BAD);
    const r = run('workflow', 'validate', 'broken.yaml', '--json');
    expect(r.code).toBe(2);
    const v = JSON.parse(r.stdout) as WorkflowValidation;
    expect(v.valid).toBe(false);
    expect(v.problems.map((p) => [p.file, p.line, p.column, p.path])).toEqual([
      ['broken.yaml', 6, 13, 'steps.1.needs.0'],
      ['broken.yaml', 8, 5, 'steps.1.retries'],
    ]);
  });

  it('a file that cannot be read is a usage error (exit 2)', () => {
    const r = run('workflow', 'validate', 'missing.yaml', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr).error.code).toBe('invalid_argument');
  });
});

describe('baton workflow add, list and show', () => {
  it('registers version 1, changes nothing for the same file, and bumps the version for a changed one', () => {
    const first = json<WorkflowAdded>(run('workflow', 'add', 'release.yaml', '--json'));
    expect(first).toMatchObject({ created: true, workflow: { name: 'release', version: 1 } });
    expect(run('workflow', 'add', 'release.yaml').stdout).toBe(
      'workflow release version 1 already has this definition: nothing changed\n',
    );
    write('release.yaml', readFileSync(EXAMPLE, 'utf8').replace('max: 10,', 'max: 20,'));
    const bumped = run('workflow', 'add', 'release.yaml');
    expect(bumped.stdout).toBe('registered workflow release version 2 (7 steps)\n');

    const list = json<WorkflowSummary[]>(run('workflow', 'list', '--json'));
    expect(list).toEqual([
      expect.objectContaining({
        name: 'release',
        version: 2,
        steps: 7,
        triggers: 2,
        description: 'Build, test and publish a release',
      }),
    ]);
    expect(run('workflow', 'list').stdout).toMatch(
      /^NAME +VER +STEPS +NEXT RUN +DESCRIPTION\nrelease +v2 +7 steps +\d{4}-\d\d-\d\dT0[12]:00:00(?:\.000)?Z +Build, test and publish a release\n$/,
    );

    const latest = json<WorkflowRecord>(run('workflow', 'show', 'release', '--json'));
    expect(latest.version).toBe(2);
    expect(latest.definition.steps.find((s) => s.id === 'poll')?.loop?.max).toBe(20);
    const v1 = json<WorkflowRecord>(run('workflow', 'show', 'release', '--version', '1', '--json'));
    expect(v1.version).toBe(1);
    expect(v1.source).toBe(readFileSync(EXAMPLE, 'utf8'));
    expect(run('workflow', 'show', 'release', '--version', '1', '--source').stdout).toBe(readFileSync(EXAMPLE, 'utf8'));
    const shown = run('workflow', 'show', 'release').stdout;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the ${{ }} of a definition, shown as written
    expect(shown).toContain('  build: task "Build ${{ params.version }} for ${{ item }}" [foreach]');
    expect(shown).toContain('  approve: approval [if]  needs test');
  });

  it('refuses an invalid file with every problem (exit 2) and registers nothing', () => {
    write('broken.yaml', BAD);
    const r = run('workflow', 'add', 'broken.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([
      'error: invalid_workflow: broken.yaml has 2 problems',
      'broken.yaml:6:13: step "test" needs "biuld", which is not a step of this workflow',
      'broken.yaml:8:5: steps.1: unknown key "retries"',
      '',
    ]);
    const asJson = run('workflow', 'add', 'broken.yaml', '--json');
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stderr).error.details.problems).toHaveLength(2);
    expect(json<WorkflowSummary[]>(run('workflow', 'list', '--json'))).toEqual([]);
  });

  it('show of an unknown workflow or version exits 3; a bad --version exits 2', () => {
    json(run('workflow', 'add', 'release.yaml', '--json'));
    const unknown = run('workflow', 'show', 'nope', '--json');
    expect(unknown.code).toBe(3);
    expect(JSON.parse(unknown.stderr).error.code).toBe('workflow_not_found');
    expect(run('workflow', 'show', 'release', '--version', '5').code).toBe(3);
    const bad = run('workflow', 'show', 'release', '--version', 'two', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr).error.code).toBe('invalid_argument');
  });
});
