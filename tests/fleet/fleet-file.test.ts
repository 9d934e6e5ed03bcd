import { describe, expect, it } from 'vitest';
import { isBatonError } from '../../src/core/errors.js';
import { parseFleet } from '../../src/fleet/fleet-file.js';
import { memberArgs } from '../../src/fleet/spawn-member.js';
import { servable } from '../../src/fleet/supervisor.js';

const ISSUE_EXAMPLE = `
pools:
  - name: agents
    capabilities: [typescript, react]
    exec: 'my-agent --task-file "$BATON_TASK_FILE"'
    min: 1
    max: 8
    concurrency: 1
    scale: { up_when: { ready_per_worker: 2, for: 30s }, down_when: { idle_for: 5m }, step: 2, cooldown: 1m }
  - name: shell
    capabilities: [shell]
    min: 2
    max: 2
`;

describe('fleet file', () => {
  it('reads the pools, their scaling rules (times in ms) and the defaults', () => {
    const spec = parseFleet(ISSUE_EXAMPLE);
    expect(spec.tickMs).toBe(2_000);
    expect(spec.pools[0]).toMatchObject({
      name: 'agents',
      capabilities: ['typescript', 'react'],
      min: 1,
      max: 8,
      scale: { readyPerWorker: 2, upForMs: 30_000, idleForMs: 300_000, step: 2, cooldownMs: 60_000 },
    });
    expect(spec.pools[1]).toMatchObject({ name: 'shell', exec: undefined, min: 2, max: 2, graceMs: 30_000, breaker: null });
  });

  it('reads JSON too, with durations as seconds and a breaker per member', () => {
    const spec = parseFleet(JSON.stringify({ tick: 0.5, pools: [{ name: 'p', breaker: '3,30s', grace: 5, max: 3 }] }));
    expect(spec.tickMs).toBe(500);
    expect(spec.pools[0]).toMatchObject({ graceMs: 5_000, breaker: { failures: 3, cooldownSeconds: 30 }, breakerSpec: '3,30s' });
  });

  it.each([
    ['no pools', 'pools: []'],
    ['max below min', 'pools: [{ name: a, min: 3, max: 2 }]'],
    ['a pool named twice', 'pools: [{ name: a }, { name: a }]'],
    ['an unknown key', 'pools: [{ name: a, maxx: 2 }]'],
    ['a bad duration', 'pools: [{ name: a, scale: { cooldown: soon } }]'],
    ['a bad name', 'pools: [{ name: "a b" }]'],
    ['a bad queue name', 'pools: [{ name: a, queues: ["Deploy now"] }]'],
    ['not YAML', 'pools: [ {'],
  ])('refuses %s with invalid_config', (_what, text) => {
    let caught: unknown;
    try {
      parseFleet(text);
    } catch (err) {
      caught = err;
    }
    expect(isBatonError(caught) && caught.code).toBe('invalid_config');
  });
});

describe('members', () => {
  it('are `baton worker` with the pool settings, taking their id over after a crash', () => {
    const [pool] = parseFleet(
      `pools: [{ name: a, capabilities: [x, y], exec: 'run it', concurrency: 3, breaker: true, lease: 2m }]`,
    ).pools;
    expect(memberArgs(pool as NonNullable<typeof pool>, 'a-1')).toEqual([
      'worker',
      'a-1',
      '--capabilities',
      'x,y',
      '--concurrency',
      '3',
      '--replace',
      '--grace',
      '30',
      '--exec',
      'run it',
      '--breaker',
      '--lease',
      '120',
    ]);
  });

  it('serve only the queues their pool names', () => {
    const [pool] = parseFleet('pools: [{ name: a, queues: [deploy, ops] }]').pools;
    expect(pool?.queues).toEqual(['deploy', 'ops']);
    const args = memberArgs(pool as NonNullable<typeof pool>, 'a-1');
    expect(args.slice(args.indexOf('--queues'), args.indexOf('--queues') + 2)).toEqual(['--queues', 'deploy,ops']);
    expect(memberArgs({ ...(pool as NonNullable<typeof pool>), queues: [] }, 'a-1')).not.toContain('--queues');
  });

  it('a pool counts only the ready tasks whose capabilities it has, of the queues it serves', () => {
    const counts = [
      { queue: 'default', capabilities: [], ready: 1 },
      { queue: 'default', capabilities: ['react'], ready: 2 },
      { queue: 'default', capabilities: ['react', 'typescript'], ready: 4 },
      { queue: 'default', capabilities: ['python'], ready: 8 },
      { queue: 'deploy', capabilities: ['react'], ready: 16 },
      { queue: 'ops', capabilities: [], ready: 32 },
    ];
    expect(servable(counts, ['typescript', 'react'])).toBe(7 + 16 + 32);
    expect(servable(counts, [])).toBe(1 + 32);
    expect(servable(counts, ['typescript', 'react'], ['deploy'])).toBe(16);
    expect(servable(counts, [], ['default', 'ops'])).toBe(1 + 32);
  });
});
