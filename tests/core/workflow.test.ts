import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblems, validateWorkflowSource } from '../../src/core/workflow/index.js';

const EXAMPLE = resolve(import.meta.dirname, '../../docs/examples/release.yaml');

/** `steps:` items appended to a minimal valid head (lines 1–4), so each case's line is known. */
const HEAD = `name: demo
params:
  version: { type: string, required: true, pattern: '^\\d+$' }
steps:
`;
const withSteps = (steps: string, tail = '') => `${HEAD}${steps}${tail}`;

const problemsOf = (source: string) => validateWorkflowSource(source, 'demo.yaml').problems;

describe('workflow definitions: a valid one', () => {
  it('the documented release example is valid, and keeps what it says', () => {
    const r = validateWorkflowSource(readFileSync(EXAMPLE, 'utf8'), 'release.yaml');
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.definition?.steps.map((s) => s.id)).toEqual(['build', 'test', 'approve', 'publish', 'rollback', 'settle', 'poll']);
    expect(r.definition?.params?.targets).toEqual({ type: 'array', default: ['linux', 'macos'] });
    expect(r.definition?.triggers?.[0]).toEqual({ cron: '0 3 * * *', timezone: 'Europe/Paris', params: { version: '0.0.0' } });
  });

  it('reads JSON as well as YAML', () => {
    const json = JSON.stringify({
      name: 'j',
      steps: [
        { id: 'a', task: { title: 'A' } },
        { id: 'b', needs: ['a'], wait: { duration: '5m' } },
      ],
    });
    expect(validateWorkflowSource(json).valid).toBe(true);
  });

  it("a loop's until may read the loop's own step; a foreach step may read item", () => {
    const r = validateWorkflowSource(
      withSteps(`  - id: poll
    foreach: [a, b]
    loop: { until: "steps.poll.result.ok == true", max: 3, every: 1m }
    task: { title: "Poll \${{ item }} for \${{ params.version }}" }
`),
    );
    expect(r.problems).toEqual([]);
  });
});

// Each case: the definition, then every [line, column, reason] it must report, in order.
const CASES: [string, string, [number, number, string | RegExp][]][] = [
  [
    'an unknown key, at the key',
    withSteps(`  - id: a
    task: { title: A, capability: [x] }
    need: [b]
`),
    [
      [6, 23, 'steps.0.task: unknown key "capability"'],
      [7, 5, 'steps.0: unknown key "need"'],
    ],
  ],
  [
    'an unknown key at the top',
    withSteps(
      `  - id: a
    task: { title: A }
`,
      'on_fail: [a]\n',
    ),
    [[7, 1, 'unknown key "on_fail"']],
  ],
  [
    'a duplicate step id',
    withSteps(`  - id: a
    task: { title: A }
  - id: a
    task: { title: B }
`),
    [[7, 9, 'duplicate step id "a"']],
  ],
  [
    'an unknown step in needs, and a step needing itself',
    withSteps(`  - id: a
    needs: [a]
    task: { title: A }
  - id: b
    needs: [zz]
    task: { title: B }
`),
    [
      [6, 13, 'step "a" needs itself'],
      [9, 13, 'step "b" needs "zz", which is not a step of this workflow'],
    ],
  ],
  [
    'an unknown step in on_failure',
    withSteps(
      `  - id: a
    task: { title: A }
`,
      'on_failure: [a, cleanup]\n',
    ),
    [[7, 17, 'on_failure names "cleanup", which is not a step of this workflow']],
  ],
  [
    'a cycle in needs, named',
    withSteps(`  - id: a
    needs: [c]
    task: { title: A }
  - id: b
    needs: [a]
    task: { title: B }
  - id: c
    needs: [b]
    task: { title: C }
`),
    [[6, 5, 'needs form a cycle: a → c → b → a']],
  ],
  [
    'a step with none, or several, of task/approval/wait/workflow',
    withSteps(`  - id: nothing
    needs: []
  - id: both
    task: { title: A }
    wait: { duration: 5m }
  - id: looped
    loop: { until: "true", max: 2 }
    approval: { by: [admin] }
`),
    [
      [5, 9, 'step "nothing" does nothing: give it one of task, approval, wait or workflow'],
      [9, 5, 'step "both" has task and wait: a step does exactly one of task, approval, wait or workflow'],
      [11, 5, 'step "looped": a loop repeats a task, and this step has none'],
    ],
  ],
  [
    'foreach over a non-list literal',
    withSteps(`  - id: a
    foreach: \${{ 'linux' }}
    task: { title: A }
  - id: b
    foreach: linux, macos
    task: { title: B }
  - id: c
    foreach: 3
    task: { title: C }
`),
    [
      [6, 14, 'step "a": foreach over "linux", which is not a list'],
      [9, 14, /^step "b": foreach takes a list, or one \$\{\{ \}\} expression giving a list/],
      [12, 14, /^steps\.2\.foreach: Invalid input/],
    ],
  ],
  [
    'a wrong-typed default, a default breaking its pattern, and a bad pattern',
    `name: demo
params:
  count: { type: integer, default: "3" }
  tag: { type: string, default: "v1", pattern: '^\\d+$' }
  bad: { type: string, pattern: '([' }
steps:
  - id: a
    task: { title: A }
`,
    [
      [3, 36, 'the default of param count must be an integer, not "3"'],
      [4, 33, 'the default of param tag "v1" does not match the pattern ^\\d+$'],
      [5, 33, /^param bad: pattern is not a regular expression/],
    ],
  ],
  [
    'a trigger missing a required param, or giving a wrong one',
    withSteps(
      `  - id: a
    task: { title: A }
`,
      `triggers:
  - cron: "0 3 * * *"
  - cron: "0 4 * * *"
    params: { version: 12, other: x }
`,
    ),
    [
      [8, 5, 'the trigger does not give the required param "version"'],
      [10, 24, 'param version must be a string, not 12'],
      [10, 28, 'unknown param "other" (not among the workflow\'s params)'],
    ],
  ],
  [
    'an unparsable cron and an unknown time zone',
    withSteps(
      `  - id: a
    task: { title: A }
`,
      `triggers:
  - cron: "0 25 * * *"
    timezone: Mars/Olympus
    params: { version: "1" }
`,
    ),
    [
      [8, 11, /^cron "0 25 \* \* \*" cannot be read: .*hour/],
      [9, 15, 'unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Paris or UTC)'],
    ],
  ],
  [
    'a bad expression, its position mapped into the file',
    withSteps(`  - id: a
    task: { title: "Build \${{ params.version + }}" }
  - id: b
    needs: [a]
    if: \${{ steps.a.status === 'failed' }}
    task: { title: B }
`),
    [
      [6, 47, /^expression "params.version \+" cannot be read: /],
      [9, 30, /^expression "steps.a.status === 'failed'" cannot be read: /],
    ],
  ],
  [
    'an expression reading a step that is not upstream, or no step at all',
    withSteps(`  - id: a
    task: { title: A }
  - id: b
    task: { title: "After \${{ steps.a.result }}" }
  - id: c
    needs: [b]
    if: steps.a.status == 'completed' && steps.nope.status == 'failed'
    task: { title: C }
  - id: d
    loop: { until: "\${{ steps.d.result.ok }}", max: 2 }
    task: { title: "\${{ steps.d.result }}" }
`),
    [
      [8, 31, 'expression refers to steps.a, which is not upstream of step "b" (add it to needs)'],
      [11, 9, 'expression refers to steps.a, which is not upstream of step "c" (add it to needs)'],
      [11, 9, 'expression refers to steps.nope, which is not a step of this workflow'],
      [15, 25, 'expression refers to steps.d, which is not upstream of step "d" (add it to needs)'],
    ],
  ],
  [
    'invalid YAML: one error, with a hint for an unquoted expression in a flow mapping',
    withSteps(`  - id: a
    workflow: { name: other, params: { v: \${{ params.version }} } }
`),
    [[6, 44, /^not valid YAML: .*an expression inside \{ \} or \[ \] must be quoted/]],
  ],
];

describe('workflow definitions: every problem, with its line and column', () => {
  for (const [name, source, expected] of CASES) {
    it(name, () => {
      const problems = problemsOf(source);
      const got = problems.map((p) => [p.line, p.column, p.message]);
      expect(got).toHaveLength(expected.length);
      expected.forEach(([line, column, reason], i) => {
        expect(got[i]?.slice(0, 2), `problem ${i}: ${got[i]?.[2]}`).toEqual([line, column]);
        if (typeof reason === 'string') expect(got[i]?.[2]).toBe(reason);
        else expect(got[i]?.[2]).toMatch(reason);
      });
      expect(problems.every((p) => p.file === 'demo.yaml')).toBe(true);
    });
  }

  it('reports every problem at once, sorted by line, as FILE:LINE:COL: reason', () => {
    const source = withSteps(
      `  - id: a
    needs: [b]
    task: { title: A }
  - id: b
    needs: [a]
    taks: { title: B }
`,
      'on_failure: [ghost]\n',
    );
    const r = validateWorkflowSource(source, 'demo.yaml');
    expect(r.valid).toBe(false);
    expect(r.definition).toBeNull();
    expect(formatProblems(r.problems).split('\n')).toEqual([
      'demo.yaml:6:5: needs form a cycle: a → b → a',
      'demo.yaml:8:9: step "b" does nothing: give it one of task, approval, wait or workflow',
      'demo.yaml:10:5: steps.1: unknown key "taks"',
      'demo.yaml:11:14: on_failure names "ghost", which is not a step of this workflow',
    ]);
  });
});
