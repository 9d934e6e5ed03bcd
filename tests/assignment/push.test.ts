import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../helpers/stores.js';
import { eventsByTask, online, type Stage, stage, waitFor } from './harness.js';

const WORKERS = 10;
const TASKS = 200;
/**
 * The stated bound of load spread: every worker completes at least half and at most twice its
 * fair share (TASKS / WORKERS). Pushes go to the least loaded capable worker, and pulls fill the rest.
 */
const FAIR = TASKS / WORKERS;

describe.each([sqliteBackend, postgresBackend])('push assignment on $name, real processes', (backend) => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage(backend, { assignment: 'push', push: { acceptWithin: '30s' } });
  }, 60_000);
  afterAll(() => s?.stop(), 60_000);

  it(`${WORKERS} workers drain ${TASKS} pushed tasks: none reserved twice, all done once, load spread within ½–2× fair share`, async () => {
    const ids = Array.from({ length: WORKERS }, (_, i) => `w${String(i).padStart(2, '0')}`);
    for (const id of ids) s.worker(id, ['--exec', 'sleep 0.05']);
    await online(s.remote, ids);

    for (let i = 0; i < TASKS; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => s.remote.createTask({ title: `job ${i + j}` })));
    }
    await waitFor(
      'every task completed',
      async () => (await s.remote.listTasks({ status: ['completed'], limit: 1 })).total === TASKS,
      150_000,
    );

    const byTask = await eventsByTask(s.remote);
    expect(byTask.size).toBe(TASKS);
    const done = new Map<string, number>();
    let pushed = 0;
    for (const [id, events] of byTask) {
      const of = (type: string) => events.filter((e) => e.type === type);
      // One claim, one completion: nobody ran it twice.
      expect(of('claimed'), `claims of task ${id}`).toHaveLength(1);
      expect(of('completed'), `completions of task ${id}`).toHaveLength(1);
      // Reserved at most once, never taken from its worker, and claimed by the worker it was pushed to.
      const reservations = of('assigned');
      expect(reservations.length, `reservations of task ${id}`).toBeLessThanOrEqual(1);
      expect(of('unassigned'), `task ${id} lost its reservation`).toHaveLength(0);
      const claimer = of('claimed')[0]?.workerId as string;
      if (reservations[0]) {
        expect(reservations[0].data).toMatchObject({ pushed: true });
        expect(reservations[0].data?.worker).toBe(claimer);
        pushed++;
      }
      done.set(claimer, (done.get(claimer) ?? 0) + 1);
    }
    // The first wave at least went out by push, to every worker with a free slot.
    expect(pushed).toBeGreaterThanOrEqual(WORKERS);
    expect([...done.keys()].sort()).toEqual(ids);
    for (const [worker, n] of done) {
      expect(n, `${worker} completed ${n} of ${TASKS}`).toBeGreaterThanOrEqual(FAIR / 2);
      expect(n, `${worker} completed ${n} of ${TASKS}`).toBeLessThanOrEqual(FAIR * 2);
    }
    console.log(
      `push on ${backend.name}: ${pushed} of ${TASKS} pushed; completed per worker ${[...done.values()].sort((a, b) => a - b).join(' ')}`,
    );
  }, 200_000);
});

describe.each([sqliteBackend, postgresBackend])('push offers on $name', (backend) => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage(backend, { assignment: 'push', push: { acceptWithin: '1s' } });
  }, 60_000);
  afterAll(() => s?.stop(), 60_000);

  it('a push not claimed within push.acceptWithin goes to the next best worker, explained by the scoring', async () => {
    // Registered but not running: nobody claims what is pushed to them.
    await s.remote.registerWorker({ id: 'idle-a', capabilities: ['gpu'] });
    await s.remote.registerWorker({ id: 'idle-b', capabilities: ['gpu', 'cuda'] });
    await s.remote.registerWorker({ id: 'idle-c', capabilities: ['cuda'] });
    const task = await s.remote.createTask({ title: 'needs a gpu', capabilities: ['gpu'] });
    // The tighter capability fit wins first.
    expect(task.reservedFor).toBe('idle-a');
    const explained = await s.remote.explainAssignment(task.id);
    expect(explained.mode).toBe('push');
    expect(explained.offer).toMatchObject({ kind: 'push', workerId: 'idle-a', closedAt: null });
    expect(explained.candidates.map((c) => [c.id, c.rank])).toEqual([
      ['idle-a', 1],
      ['idle-b', 2],
      ['idle-c', null],
    ]);
    expect(explained.candidates[2]?.reasons).toContain('lacks gpu');

    const moved = await waitFor('the push to move on', async () => {
      const t = await s.remote.getTask(task.id);
      return t.reservedFor === 'idle-b' ? t : null;
    });
    expect(moved.status).toBe('assigned');
    const history = (await s.remote.showTask(task.id)).history.map((e) => [e.type, e.data?.worker, e.data?.reason]);
    expect(history.filter(([type]) => type !== 'created')).toEqual([
      ['assigned', 'idle-a', undefined],
      ['unassigned', 'idle-a', 'not_accepted'],
      ['assigned', 'idle-b', undefined],
    ]);
    // idle-b does not claim either: with nobody left, the task waits in the shared queue for a pull.
    const pulled = await waitFor('the task back in the queue', async () => {
      const t = await s.remote.getTask(task.id);
      return t.status === 'queued' && t.reservedFor === null ? t : null;
    });
    expect(pulled.assignee).toBeNull();
  });
});
