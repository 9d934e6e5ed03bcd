import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freshProject, startWorker, storeOf, type WorkerProcess, waitFor } from './helpers.js';

const WORKERS: Record<string, string[]> = {
  frontend: ['react', 'typescript'],
  backend: ['python', 'api'],
  fullstack: ['react', 'typescript', 'python', 'api'],
  ops: ['shell'],
};
const TASK_CAPS: string[][] = [[], ['react'], ['python', 'api'], ['typescript', 'react'], ['shell'], ['api']];
/** Enough for every worker to race the others many times; the crew's throughput is bench/worker.mjs's. */
const TASKS = 200;

describe('a crew of worker processes', () => {
  let project: ReturnType<typeof freshProject>;
  let workers: WorkerProcess[] = [];
  beforeAll(() => {
    project = freshProject();
  });
  afterAll(() => {
    for (const w of workers) w.child.kill('SIGKILL');
    project.cleanup();
  });

  it(`drains ${TASKS} shell tasks, each run exactly once by a capable worker`, async () => {
    const { dir } = project;
    const ranFile = join(dir, 'ran.txt');
    const baton = await storeOf(dir);
    try {
      for (let i = 0; i < TASKS; i++) {
        await baton.createTask({
          title: `task ${i}`,
          capabilities: TASK_CAPS[i % TASK_CAPS.length],
          command: `echo "$BATON_TASK_ID $BATON_WORKER_ID" >> ${JSON.stringify(ranFile)}`,
        });
      }
      workers = Object.entries(WORKERS).map(([id, caps]) =>
        startWorker(dir, [id, `${id} dev`, caps.join(','), '--concurrency', '2']),
      );
      await waitFor(
        'every task to complete',
        async () => (await baton.listTasks({ status: ['completed'], limit: 1 })).total === TASKS,
        170_000,
      );

      // From the file each command appends to: every task ran once, on a capable worker.
      const lines = readFileSync(ranFile, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(TASKS);
      const runs = new Map<number, string>();
      for (const line of lines) {
        const [id, worker] = line.split(' ') as [string, string];
        expect(runs.has(Number(id)), `task ${id} ran twice`).toBe(false);
        runs.set(Number(id), worker);
      }
      const { tasks } = await baton.listTasks({ limit: TASKS });
      for (const task of tasks) {
        const worker = runs.get(task.id);
        expect(worker, `task ${task.id} never ran`).toBeDefined();
        expect(WORKERS[worker as string]).toEqual(expect.arrayContaining(task.capabilities));
        expect(task.assignee).toBe(worker);
      }

      // From the history: exactly one claim and one completion per task, by that same worker.
      const events = await baton.events({ limit: 100_000 });
      for (const type of ['claimed', 'completed']) {
        const byTask = new Map<number, string[]>();
        for (const e of events.filter((e) => e.type === type && e.taskId !== null)) {
          byTask.set(e.taskId as number, [...(byTask.get(e.taskId as number) ?? []), e.workerId ?? '?']);
        }
        expect(byTask.size).toBe(TASKS);
        for (const [id, by] of byTask) expect(by, `${type} of task ${id}`).toEqual([runs.get(id)]);
      }
      // Every worker did a share of the work it could do.
      expect(new Set(runs.values())).toEqual(new Set(Object.keys(WORKERS)));

      const live = JSON.parse(cli(dir, ['workers', '--json']).stdout) as { id: string; health: string; concurrency: number }[];
      expect(live.map((w) => [w.id, w.health, w.concurrency])).toEqual(
        Object.keys(WORKERS)
          .sort()
          .map((id) => [id, 'idle', 2]),
      );

      for (const w of workers) w.child.kill('SIGTERM');
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0, 0]);
      const after = JSON.parse(cli(dir, ['workers', '--json']).stdout) as { health: string }[];
      expect(after.map((w) => w.health)).toEqual(['offline', 'offline', 'offline', 'offline']);
    } finally {
      await baton.close();
    }
  }, 180_000);
});
