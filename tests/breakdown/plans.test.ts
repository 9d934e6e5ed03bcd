import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PATTERNS } from '../../src/core/breakdown/patterns.js';
import { defaultRegistry, PatternRegistry, registerPattern } from '../../src/core/breakdown/registry.js';
import { MAX_DEPTH, MAX_TOTAL_SUBTASKS, planFromPattern, rulePlan } from '../../src/core/breakdown/rule-planner.js';
import { splitEstimate, splitRounded } from '../../src/core/breakdown/shares.js';
import { subjectOf } from '../../src/core/breakdown/subject.js';
import type { Pattern, PlannedSubtask } from '../../src/core/breakdown/types.js';
import { planProblems, planSize } from '../../src/core/breakdown/validate.js';

const H = 60;
const registry = new PatternRegistry();

/** Whether `from` waits, directly or not, for `to`. */
function reaches(steps: readonly PlannedSubtask[], from: number, to: number): boolean {
  const seen = new Set<number>();
  const stack = [...(steps[from]?.dependsOn ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as number;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(steps[n]?.dependsOn ?? []));
  }
  return false;
}

const keyIndex = (p: Pattern, key: string) => p.steps.findIndex((s) => s.key === key);

/** Pairs of steps that need nothing from each other, by pattern: two workers can take them at once. */
const PARALLEL: Record<string, [string, string][]> = {
  api: [['testing', 'docs']],
  frontend: [
    ['state', 'routing'],
    ['testing', 'optimisation'],
  ],
  database: [
    ['indexing', 'migrations'],
    ['migrations', 'backup'],
  ],
  security: [
    ['authentication', 'encryption'],
    ['encryption', 'audit'],
  ],
  devops: [['containers', 'monitoring']],
  machine_learning: [['features', 'model_selection']],
  maintenance: [
    ['rollback_plan', 'change'],
    ['verify', 'docs'],
  ],
};

describe.each(BUILT_IN_PATTERNS.map((p) => ({ name: p.name, pattern: p })))('the $name pattern', ({ pattern }) => {
  const subject = { title: 'Build the quarterly thing', capabilities: ['python'], estimateMinutes: 40 * H + 7 };
  const steps = planFromPattern(subject, pattern);

  it('is a valid DAG whose shares add up to the estimate exactly, in whole minutes', () => {
    expect(planProblems(steps)).toEqual([]);
    expect(steps.reduce((sum, s) => sum + (s.estimateMinutes ?? 0), 0)).toBe(40 * H + 7);
    for (const s of steps) expect(Number.isInteger(s.estimateMinutes)).toBe(true);
  });

  it("names the subject, verb first, in every title but never pastes the parent's title", () => {
    for (const s of steps) {
      expect(s.title).toContain('quarterly thing');
      expect(s.title).not.toContain('Build the quarterly thing');
      expect(s.title.length).toBeLessThanOrEqual(60);
      expect(s.capabilities).toEqual(['python']);
    }
  });

  it('chains nothing needlessly: no dependency is implied by another', () => {
    for (const [i, s] of steps.entries()) {
      for (const d of s.dependsOn) {
        const viaOther = s.dependsOn.some((o) => o !== d && reaches(steps, o, d));
        expect(viaOther, `${pattern.name}: ${pattern.steps[i]?.key} -> ${pattern.steps[d]?.key} is redundant`).toBe(false);
      }
    }
  });

  it('leaves independent steps in parallel', () => {
    for (const [a, b] of PARALLEL[pattern.name] ?? []) {
      const i = keyIndex(pattern, a);
      const j = keyIndex(pattern, b);
      expect(i >= 0 && j >= 0, `${a}, ${b}`).toBe(true);
      expect(reaches(steps, i, j) || reaches(steps, j, i), `${a} and ${b} are chained`).toBe(false);
    }
  });
});

describe('plans', () => {
  it('follow the order SPEC §6 gives for API work', () => {
    const plan = rulePlan({ title: 'Build the user management REST API', estimateMinutes: 40 * H }, { registry });
    expect(plan).toMatchObject({ planner: 'rules', source: 'pattern', pattern: 'api' });
    expect(plan.subtasks.map((s) => s.step)).toEqual(['requirements', 'design', 'schema', 'implementation', 'testing', 'docs']);
    expect(plan.subtasks.map((s) => s.title)).toEqual([
      'Gather requirements for the user management REST API',
      'Design endpoints for the user management REST API',
      'Design the data schema for the user management REST API',
      'Implement the user management REST API',
      'Write tests for the user management REST API',
      'Document the user management REST API',
    ]);
  });

  it('without an estimate, have no shares', () => {
    const plan = rulePlan({ title: 'Rewrite the whole platform' }, { registry });
    expect(plan.subtasks.every((s) => s.estimateMinutes === null)).toBe(true);
  });

  it('take the subject from the title', () => {
    expect(subjectOf('Build the user management REST API')).toBe('the user management REST API');
    expect(subjectOf('Please implement SSO, 40h')).toBe('SSO');
    // The verb is the step's to give: "Plan a rollback for orders to Postgres", never "Carry out Migrate …".
    expect(subjectOf('Migrate orders to Postgres')).toBe('orders to Postgres');
    expect(subjectOf('Bug: Memory leak in the export worker')).toBe('the memory leak');
    expect(subjectOf('Add push notifications to the mobile app')).toBe('push notifications');
    expect(subjectOf('Build a user authentication system with OAuth')).toBe('a user authentication system');
  });

  it('round every share to a planning step (15m below 2h, 30m below 8h, 1h above), summing to the estimate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
        (total, weights) => {
          const parts = splitRounded(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          if (total < weights.length * 15) return;
          // Only what the steps cannot hold lands off a step, on one part: a total that is not
          // round itself, or one no parts on their steps add up to (435 minutes in one part).
          const off = parts.filter((p) => p % 15 !== 0 || (p >= 120 && p % 30 !== 0 && p < 480));
          expect(off.length).toBeLessThanOrEqual(1);
          if (total % 60 === 0 && parts.every((p) => p >= 480)) expect(off).toEqual([]);
          expect(Math.min(...parts)).toBeGreaterThan(0);
        },
      ),
    );
    expect(splitRounded(40 * H, [10, 15, 10, 35, 20, 10])).toEqual([240, 360, 240, 840, 480, 240]);
    expect(splitRounded(5 * 8 * H, [1, 1, 1])).toEqual([840, 780, 780]);
  });

  it('split any estimate exactly, with at least a minute per step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
        (total, weights) => {
          const parts = splitEstimate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          if (total >= weights.length) expect(Math.min(...parts)).toBeGreaterThanOrEqual(1);
        },
      ),
    );
  });
});

describe('checklists', () => {
  it('become subtasks in order, open items only, sharing the estimate', () => {
    const description = [
      'Acceptance:',
      '- [ ] Add the export button',
      '- [x] Agree on the CSV columns',
      '- [ ] Stream rows from the database',
      '  - in pages of 1000',
      '- [ ] Email the file when it is large',
    ].join('\n');
    const plan = rulePlan(
      { title: 'CSV export of orders', description, estimateMinutes: 10 * H, capabilities: ['node'] },
      { registry },
    );
    expect(plan.source).toBe('checklist');
    expect(plan.subtasks.map((s) => s.title)).toEqual([
      'Add the export button',
      'Stream rows from the database',
      'Email the file when it is large',
    ]);
    expect(plan.subtasks[1]?.description).toBe('- in pages of 1000');
    // 10h in three: half hours, as a planner would write them, still adding up to 10h.
    expect(plan.subtasks.map((s) => s.estimateMinutes)).toEqual([210, 210, 180]);
    // Task items are independent: several workers can share them.
    expect(plan.subtasks.every((s) => s.dependsOn.length === 0)).toBe(true);
    expect(plan.subtasks.every((s) => s.capabilities.includes('node'))).toBe(true);
  });

  it('numbered steps are a sequence', () => {
    const plan = rulePlan({ title: 'Release 2.0', description: '1. Freeze\n2. Tag\n3. Publish\n4. Announce' }, { registry });
    expect(plan.subtasks.map((s) => s.title)).toEqual(['Freeze', 'Tag', 'Publish', 'Announce']);
    expect(plan.subtasks.map((s) => s.dependsOn)).toEqual([[], [0], [1], [2]]);
  });

  it('a single item is not a breakdown', () => {
    const plan = rulePlan({ title: 'Set up CI for the monorepo', description: '- [ ] only this' }, { registry });
    expect(plan.source).toBe('pattern');
  });
});

describe('deliverables first', () => {
  it('splits a title that names several deliverables into one subtask each, not a pattern for the whole', () => {
    const plan = rulePlan(
      { title: 'Build a user authentication system with OAuth, password reset and admin dashboard', estimateMinutes: 24 * H },
      { registry },
    );
    expect(plan).toMatchObject({ source: 'deliverables', pattern: null });
    expect(plan.subtasks.map((s) => [s.title, s.estimateMinutes, s.dependsOn])).toEqual([
      ['Add OAuth to the user authentication system', 480, []],
      ['Add password reset to the user authentication system', 480, []],
      ['Add admin dashboard to the user authentication system', 480, []],
    ]);
  });

  it('plans each deliverable still too big by its own kind', () => {
    const plan = rulePlan(
      { title: 'Dockerize the app and run it on Kubernetes, 60d', estimateMinutes: 60 * 8 * H },
      { registry },
    );
    expect(plan.subtasks.map((s) => s.title)).toEqual(['Dockerize the app', 'Run it on Kubernetes']);
    // "it" is the app of the first one: the second builds on it.
    expect(plan.subtasks[1]?.dependsOn).toEqual([0]);
    expect(plan.subtasks.map((s) => s.pattern)).toEqual(['devops', 'devops']);
  });

  it('reads a list in the description when the title names one thing', () => {
    const plan = rulePlan(
      { title: 'Billing overhaul', description: 'We need usage-based pricing, prorated upgrades and tax handling.' },
      { registry },
    );
    expect(plan.subtasks.map((s) => s.title)).toEqual(['Add usage-based pricing', 'Add prorated upgrades', 'Add tax handling']);
  });

  it('leaves one piece of work whole: "with" only qualifies it, "search and filter" is one thing', () => {
    for (const title of [
      'Build the user management API with JWT auth',
      'Search and filter the orders list',
      'Move service 1 and its data',
    ]) {
      expect(rulePlan({ title, estimateMinutes: 40 * H }, { registry }).source, title).toBe('pattern');
    }
  });
});

describe('titles a person would write', () => {
  const titles = (title: string, pattern?: string) =>
    rulePlan({ title, estimateMinutes: 40 * H }, { registry, ...(pattern ? { pattern } : {}) }).subtasks.map((s) => s.title);

  it('never doubles a verb or a noun the subject already has', () => {
    expect(titles('Test E2E tests for all flows', 'generic')).toContain('Test all flows');
    expect(titles('Design the orders database schema')[0]).toBe('Design orders database schema');
    expect(titles('Set up CI/CD for the monorepo')).toContain('Build the CI/CD pipeline for the monorepo');
    expect(titles('Refactor the payment service code')).toContain('Refactor payment service code');
  });

  it('names a subject that is a sentence after a colon', () => {
    expect(titles('Users are logged out at random after the last release', 'bug')).toEqual([
      'Reproduce: users are logged out at random',
      'Find the root cause: users are logged out at random',
      'Fix: users are logged out at random',
      'Write a regression test: users are logged out at random',
      'Release the fix: users are logged out at random',
    ]);
  });

  it('keeps titles short: the object is cut where its words allow', () => {
    for (const t of titles('Fix crash when uploading files larger than 2 GB from the mobile app on slow networks')) {
      expect(t.length).toBeLessThanOrEqual(60);
    }
    expect(titles('Memory leak in the export worker')).toEqual([
      'Reproduce the memory leak',
      'Find the root cause of the memory leak',
      'Fix the memory leak',
      'Write a regression test for the memory leak',
      'Release the fix for the memory leak',
    ]);
  });
});

describe('checklist order', () => {
  it('testing, documentation and release items wait for the work before them; items are not split by the parent', () => {
    const description = [
      '- [ ] OAuth login with Google and GitHub',
      '- [ ] Password reset by email link',
      '- [ ] E2E tests for all flows',
      '- [ ] Update the docs',
      '- [ ] Roll out to everyone',
    ].join('\n');
    const plan = rulePlan({ title: 'Account security', description, estimateMinutes: 5 * 8 * H }, { registry });
    expect(plan.subtasks.map((s) => [s.title, s.dependsOn])).toEqual([
      ['OAuth login with Google and GitHub', []],
      ['Password reset by email link', []],
      ['E2E tests for all flows', [0, 1]],
      ['Update the docs', [0, 1]],
      ['Roll out to everyone', [2]],
    ]);
    expect(plan.subtasks.every((s) => s.subtasks.length === 0)).toBe(true);
  });

  it('a long item gets a short title and keeps its whole text in the description', () => {
    const item = 'Build a user authentication system with OAuth, password reset, admin dashboard and audit trail';
    const plan = rulePlan({ title: 'Relaunch', description: `- [ ] ${item}\n- [ ] New marketing site` }, { registry });
    expect(plan.subtasks[0]?.title).toBe('Build a user authentication system');
    expect(plan.subtasks[0]?.description).toBe(item);
  });
});

describe('recursive breakdown', () => {
  const depth = (list: readonly PlannedSubtask[]): number =>
    list.length === 0 ? 0 : 1 + Math.max(...list.map((s) => depth(s.subtasks)));

  it('breaks down again the subtasks that are still epics', () => {
    const plan = rulePlan({ title: 'Build the partner REST API', estimateMinutes: 150 * H }, { registry });
    const implementation = plan.subtasks.find((s) => s.step === 'implementation') as PlannedSubtask;
    // 35 % of 150h, in whole hours as a planner writes an estimate this size.
    expect(implementation.estimateMinutes).toBe(52 * H);
    expect(implementation.complexity).toBe('epic');
    // A step is not a new project: it is split into parts that can be claimed side by side,
    // not given the API pattern's requirements and design again.
    expect(implementation.source).toBe('parts');
    expect(implementation.title).toBe('Implement the partner REST API');
    // Named after the step, not with its whole title pasted in.
    expect(implementation.subtasks.map((t) => t.title)).toEqual(
      [1, 2, 3].map((n) => `Implement partner REST API (part ${n} of 3)`),
    );
    expect(implementation.subtasks.every((t) => t.dependsOn.length === 0 && t.complexity !== 'epic')).toBe(true);
    expect(
      implementation.subtasks.every((t) => JSON.stringify(t.capabilities) === JSON.stringify(implementation.capabilities)),
    ).toBe(true);
    expect(implementation.subtasks.reduce((s, t) => s + (t.estimateMinutes ?? 0), 0)).toBe(52 * H);
    // Non-epic steps stay as they are.
    expect(plan.subtasks.find((s) => s.step === 'requirements')?.subtasks).toEqual([]);
    expect(planProblems(plan.subtasks)).toEqual([]);
  });

  it('stops at the depth limit even when leaves are still epics', () => {
    const plan = rulePlan({ title: 'Build the galaxy-scale REST API', estimateMinutes: 100_000 * H }, { registry });
    expect(depth(plan.subtasks)).toBe(MAX_DEPTH);
    const leaves: PlannedSubtask[] = [];
    const walk = (list: readonly PlannedSubtask[]): void => {
      for (const s of list) {
        if (s.subtasks.length > 0) walk(s.subtasks);
        else leaves.push(s);
      }
    };
    walk(plan.subtasks);
    expect(leaves.some((l) => l.complexity === 'epic')).toBe(true);
    expect(planSize(plan.subtasks)).toBeLessThanOrEqual(MAX_TOTAL_SUBTASKS);
  });

  it('honours a smaller depth', () => {
    const plan = rulePlan({ title: 'Build the galaxy-scale REST API', estimateMinutes: 100_000 * H }, { registry, maxDepth: 1 });
    expect(depth(plan.subtasks)).toBe(1);
  });
});

describe('plan validation', () => {
  const node = (title: string, dependsOn: number[] = []): PlannedSubtask => ({
    title,
    description: null,
    capabilities: [],
    estimateMinutes: null,
    complexity: 'simple',
    dependsOn,
    step: null,
    subtasks: [],
    source: null,
    pattern: null,
  });

  it('reports cycles, missing siblings, empty titles and too many subtasks', () => {
    expect(planProblems([node('a', [1]), node('b', [2]), node('c', [1])])).toEqual([
      'subtasks: dependencies form a cycle 2 -> 3 -> 2',
    ]);
    expect(planProblems([node('a', [5])])[0]).toMatch(/5 is not the index of another subtask/);
    expect(planProblems([node('a', [0])])[0]).toMatch(/cannot depend on itself/);
    expect(planProblems([node('  ')])[0]).toMatch(/title: must not be empty/);
    expect(planProblems(Array.from({ length: 31 }, (_, i) => node(`t${i}`)))[0]).toMatch(/31 subtasks \(at most 30\)/);
    expect(planProblems([])[0]).toMatch(/no subtasks/);
  });
});

describe('registerPattern', () => {
  const mobile: Pattern = {
    name: 'mobile',
    label: 'mobile app',
    keywords: ['ios', 'android', 'swiftui', 'app store'],
    steps: [
      { key: 'screens', title: 'Screens for {subject}', capabilities: ['ui_design'], share: 3 },
      { key: 'build', title: 'Build {subject}', share: 5, dependsOn: ['screens'] },
      { key: 'release', title: 'Store release of {subject}', share: 2, dependsOn: ['build'] },
    ],
  };

  it('adds a pattern that detection and planning use', () => {
    registerPattern(mobile);
    const plan = rulePlan(
      { title: 'Offline mode for the iOS and Android apps', estimateMinutes: 30 * H },
      { registry: defaultRegistry },
    );
    expect(plan.pattern).toBe('mobile');
    expect(plan.subtasks.map((s) => s.estimateMinutes)).toEqual([540, 900, 360]);
  });

  it('refuses a pattern whose steps form a cycle, naming it', () => {
    const bad: Pattern = {
      ...mobile,
      name: 'bad',
      steps: [
        { key: 'a', title: 'A', share: 1, dependsOn: ['b'] },
        { key: 'b', title: 'B', share: 1, dependsOn: ['a'] },
      ],
    };
    expect(() => registerPattern(bad)).toThrow(/pattern bad: steps: dependencies form a cycle a -> b -> a/);
    expect(() =>
      registerPattern({ ...mobile, name: 'bad', steps: [{ key: 'a', title: 'A', share: 1, dependsOn: ['zz'] }] }),
    ).toThrow(/unknown step "zz"/);
    expect(defaultRegistry.get('bad')).toBeUndefined();
  });
});
