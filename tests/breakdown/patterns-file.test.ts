import { afterEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { parsePatternsYaml } from '../../src/app/patterns-file.js';
import { type Project, project } from './helpers.js';

const H = 60;

const MOBILE = `
patterns:
  mobile:
    label: mobile app
    keywords: [ios, android, swiftui, app store]
    steps:
      - key: screens
        title: Screens for {subject}
        capabilities: [ui_design]
        share: 30
      - key: build
        title: Build {subject} for both platforms
        share: 50
        dependsOn: [screens]
      - key: release
        title: Store release of {subject}
        share: 20
        dependsOn: [build]
`;

let projects: Project[] = [];
let batons: LocalBaton[] = [];
afterEach(async () => {
  for (const b of batons) await b.close();
  for (const p of projects) p.cleanup();
  projects = [];
  batons = [];
});

async function open(patterns: string): Promise<LocalBaton> {
  const p = project();
  projects.push(p);
  p.write('patterns.yaml', patterns);
  const b = await p.open();
  batons.push(b);
  return b;
}

describe('.baton/patterns.yaml', () => {
  it('adds a pattern that detection picks and breakdown applies', async () => {
    const b = await open(MOBILE);
    const t = await b.createTask({ title: 'Offline mode for the iOS app', estimateMinutes: 40 * H, capabilities: ['swift'] });
    const subs = (await b.listTasks({ parentId: t.id })).tasks;
    expect(subs.map((s) => s.title)).toEqual([
      // The parent's whole title is not pasted in: its subject is named, the tree shows the rest.
      'Screens for the offline mode',
      'Build the offline mode for both platforms',
      'Store release of the offline mode',
    ]);
    expect(subs.map((s) => s.estimateMinutes)).toEqual([720, 1200, 480]);
    // The step's `ui_design` label is not a capability of this store unless its config maps it.
    expect(subs[0]?.capabilities).toEqual(['swift']);
    // Built-ins still apply to other work.
    const api = await b.breakdown((await b.createTask({ title: 'Add GraphQL resolvers', estimateMinutes: 20 * H })).id, {
      dryRun: true,
    });
    expect(api.plan.pattern).toBe('api');
  });

  it('overrides a built-in pattern of the same name', async () => {
    const b = await open(`
patterns:
  api:
    keywords: [api, rest, endpoint]
    steps:
      - { key: contract, title: "Contract for {subject}", share: 1 }
      - { key: code, title: "Code {subject}", share: 3, dependsOn: [contract] }
`);
    const t = await b.createTask({ title: 'Build the orders REST API', estimateMinutes: 40 * H });
    const subs = (await b.listTasks({ parentId: t.id })).tasks;
    expect(subs.map((s) => [s.title, s.estimateMinutes])).toEqual([
      ['Contract for the orders REST API', 600],
      ['Code the orders REST API', 1800],
    ]);
  });

  it('a malformed file is refused with file, line and reason; the built-ins keep working', async () => {
    const broken = MOBILE.replace('share: 50', 'share: -5');
    const b = await open(broken);
    const t = await b.createTask({ title: 'Offline mode for the iOS app', estimateMinutes: 20 * H });
    const result = await b.breakdown(t.id);
    expect(result.plan.pattern).toBe('generic');
    expect(result.subtasks.length).toBe(5);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /patterns file refused: .*patterns\.yaml:13: patterns\.mobile\.steps\.1\.share: must be a positive number/,
    );
    const event = (await b.events({ taskId: t.id })).at(-1);
    expect(event?.data?.warnings).toEqual(result.warnings);
  });
});

describe('patterns file errors', () => {
  it('reports YAML syntax errors with their line', async () => {
    const r = await parsePatternsYaml('patterns:\n  x: [\n  bad: : :\n', 'p.yaml');
    expect(r.patterns).toEqual([]);
    expect(r.error).toMatch(/^p\.yaml:3: /);
  });

  it('reports unknown fields and steps that depend on missing steps', async () => {
    const unknown = await parsePatternsYaml(MOBILE.replace('label: mobile app', 'lable: mobile app'), 'p.yaml');
    expect(unknown.error).toBe('p.yaml:4: patterns.mobile: unknown field lable');
    const missing = await parsePatternsYaml(MOBILE.replace('dependsOn: [build]', 'dependsOn: [buidl]'), 'p.yaml');
    expect(missing.error).toBe('p.yaml:18: patterns.mobile.steps.2.dependsOn: unknown step "buidl"');
    const cycle = await parsePatternsYaml(MOBILE.replace('share: 30', 'share: 30\n        dependsOn: [release]'), 'p.yaml');
    expect(cycle.error).toMatch(/dependencies form a cycle/);
  });

  it('accepts a valid file', async () => {
    const r = await parsePatternsYaml(MOBILE, 'p.yaml');
    expect(r.error).toBeNull();
    expect(r.patterns.map((p) => [p.name, p.steps.length])).toEqual([['mobile', 3]]);
  });
});
