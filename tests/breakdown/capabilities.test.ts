import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/app/config.js';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { parsePlannerOutput } from '../../src/app/planners/output.js';
import { subtaskCapabilities } from '../../src/core/breakdown/capabilities.js';
import { defaultRegistry } from '../../src/core/breakdown/registry.js';
import { rulePlan } from '../../src/core/breakdown/rule-planner.js';
import type { PlannedSubtask } from '../../src/core/breakdown/types.js';
import { BatonError } from '../../src/core/errors.js';
import { type Project, project } from './helpers.js';

const H = 60;
const flat = (list: PlannedSubtask[]): PlannedSubtask[] => list.flatMap((s) => [s, ...flat(s.subtasks)]);

let projects: Project[] = [];
let batons: LocalBaton[] = [];
afterEach(async () => {
  for (const b of batons) await b.close();
  for (const p of projects) p.cleanup();
  projects = [];
  batons = [];
});

describe("subtasks need the parent's capabilities", () => {
  it('a step label adds nothing unless the map names it; a mapped one replaces the parent’s', () => {
    const parent = ['postgresql', 'sql'];
    expect(subtaskCapabilities(parent, ['database'], undefined)).toEqual(parent);
    expect(subtaskCapabilities(parent, ['database', 'ops'], { testing: ['qa'] })).toEqual(parent);
    expect(subtaskCapabilities(parent, ['database', 'ops'], { database: ['sql'] })).toEqual(['sql']);
    expect(subtaskCapabilities(parent, ['testing'], { testing: ['qa'] })).toEqual(['qa']);
    expect(subtaskCapabilities(undefined, [], {})).toEqual([]);
  });

  it('every level of a rule plan (epic steps broken down again) keeps the parent’s capabilities', () => {
    const caps = ['react', 'typescript', 'ui_design'];
    const plan = rulePlan(
      { title: 'Build the customer portal frontend', estimateMinutes: 400 * H, capabilities: caps },
      { registry: defaultRegistry },
    );
    const all = flat(plan.subtasks);
    expect(all.some((s) => s.subtasks.length > 0)).toBe(true);
    for (const s of all) expect(s.capabilities).toEqual(caps);
  });

  it("an external planner's labels follow the same rule, and the same map", async () => {
    const answer = JSON.stringify({
      subtasks: [
        { title: 'Sketch', capabilities: ['ux'] },
        { title: 'Test', capabilities: ['testing', 'made_up'], dependsOn: [0] },
      ],
    });
    const plain = await parsePlannerOutput(answer, ['react']);
    expect(plain.map((s) => s.capabilities)).toEqual([['react'], ['react']]);
    const mapped = await parsePlannerOutput(answer, ['react'], { testing: ['qa'] });
    expect(mapped.map((s) => s.capabilities)).toEqual([['react'], ['qa']]);
  });
});

describe('breakdown.capabilities in config.yaml', () => {
  async function open(config: string): Promise<LocalBaton> {
    const p = project();
    projects.push(p);
    p.write('config.yaml', config);
    const b = await p.open();
    batons.push(b);
    return b;
  }

  it('takes a capability or a list per label, and a custom pattern’s step labels go through it', async () => {
    const p = project();
    projects.push(p);
    p.write('config.yaml', 'breakdown:\n  capabilities:\n    ui_design: [figma, ui_design]\n');
    p.write(
      'patterns.yaml',
      'patterns:\n  mobile:\n    keywords: [ios]\n    steps:\n      - { key: screens, title: "Screens for {subject}", capabilities: [ui_design], share: 1 }\n      - { key: build, title: "Build {subject}", share: 2, dependsOn: [screens] }\n',
    );
    const b = await p.open();
    batons.push(b);
    expect(b.policy.breakdown.capabilities).toEqual({ ui_design: ['figma', 'ui_design'] });
    const t = await b.createTask({ title: 'Offline mode for the iOS app', estimateMinutes: 40 * H, capabilities: ['swift'] });
    const subs = (await b.listTasks({ parentId: t.id })).tasks;
    expect(subs.map((s) => s.capabilities)).toEqual([['figma', 'ui_design'], ['swift']]);
    expect((await open('breakdown:\n  capabilities: { testing: qa }\n')).policy.breakdown.capabilities).toEqual({
      testing: ['qa'],
    });
  });

  it('refuses a malformed map with the file and the field', async () => {
    for (const bad of [
      'breakdown:\n  capabilities: [sql]\n',
      'breakdown:\n  capabilities: { database: [""] }\n',
      'breakdown:\n  capabilities: { database: 3 }\n',
    ]) {
      const p = project();
      projects.push(p);
      p.write('config.yaml', bad);
      const err = await loadPolicy(`${p.batonDir}/config.yaml`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BatonError);
      expect((err as BatonError).code).toBe('invalid_config');
      expect((err as BatonError).message).toContain('breakdown');
    }
  });
});
