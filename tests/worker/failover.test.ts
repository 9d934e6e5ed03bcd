import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { freshProject, startWorker, storeOf, type WorkerProcess, waitFor } from './helpers.js';

/** Seconds of silence after which a worker counts as offline, in these crews. */
const HEARTBEAT_TIMEOUT = 5;

let project: ReturnType<typeof freshProject>;
let workers: WorkerProcess[] = [];
let baton: LocalBaton | null = null;

beforeEach(() => {
  project = freshProject();
  workers = [];
});

afterEach(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await baton?.close();
  baton = null;
  project.cleanup();
});

function start(args: string[]): WorkerProcess {
  const w = startWorker(project.dir, args);
  workers.push(w);
  return w;
}

/** Waits until the worker id is registered, online, by this process. */
async function online(b: LocalBaton, id: string, w: WorkerProcess) {
  return waitFor(`${id} online as pid ${w.child.pid}`, async () => {
    const found = (await b.listWorkers()).find((v) => v.id === id);
    return found?.online && found.pid === w.child.pid ? found : null;
  });
}

describe('one live process per worker id', () => {
  it('a second `baton worker` with the same id is refused; --replace takes over and the first stops', async () => {
    baton = await storeOf(project.dir);
    const b = baton;
    const first = start(['worker_001', 'Frontend Dev', 'react,typescript,ui_design', '--simulate', '1']);
    await online(b, 'worker_001', first);

    const second = start(['worker_001', 'Backend Dev', 'python,api_design,database', '--simulate', '1']);
    expect(await second.exited).toBe(4);
    expect(second.output()).toContain('worker_id_in_use');
    // The first keeps its registration: the refused one changed nothing.
    expect((await b.listWorkers()).find((w) => w.id === 'worker_001')).toMatchObject({
      pid: first.child.pid,
      capabilities: ['react', 'typescript', 'ui_design'],
      online: true,
    });

    const third = start(['worker_001', 'Frontend Dev', 'react,typescript,ui_design,css', '--simulate', '1', '--replace']);
    await online(b, 'worker_001', third);
    // The first learns it on its next claim, stops, and leaves the registration to its successor.
    expect(await first.exited).toBe(4);
    expect(first.output()).toContain('worker_replaced');
    expect((await b.listWorkers()).find((w) => w.id === 'worker_001')).toMatchObject({
      pid: third.child.pid,
      capabilities: ['react', 'typescript', 'ui_design', 'css'],
      online: true,
    });
    // And the successor works.
    const task = await b.createTask({ title: 'Button', capabilities: ['css'] });
    await waitFor('the successor to finish a task', async () => (await b.getTask(task.id)).status === 'completed');
    expect((await b.getTask(task.id)).assignee).toBe('worker_001');
  }, 60_000);
});

describe('hybrid push with a worker that dies', () => {
  it('a SIGKILLed worker holding a pushed critical task: the crew completes it within heartbeat timeout + 10 s', async () => {
    writeFileSync(join(project.dir, '.baton', 'config.yaml'), `assignment: hybrid\nheartbeatTimeout: ${HEARTBEAT_TIMEOUT}\n`);
    baton = await storeOf(project.dir);
    const b = baton;
    // The tighter fit gets the push; it works slowly, so it still holds the task when it dies.
    const victim = start(['worker_002', 'Backend Dev', 'python,api_design,database', '--simulate', '60', '--lease', '4']);
    const survivor = start(['worker_005', 'Platform Dev', 'python,api_design,database,docker', '--simulate', '1']);
    const other = start(['worker_003', 'DevOps Engineer', 'docker,kubernetes,ci_cd', '--simulate', '1']);
    await online(b, 'worker_002', victim);
    await online(b, 'worker_005', survivor);
    await online(b, 'worker_003', other);

    const task = await b.createTask({ title: 'Payments are down', priority: 'critical', capabilities: ['python'] });
    expect(task).toMatchObject({ status: 'assigned', reservedFor: 'worker_002' });
    await waitFor('the victim to run it', async () => (await b.getTask(task.id)).lease?.owner === 'worker_002');

    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('the crew to complete it', async () => (await b.getTask(task.id)).status === 'completed', 30_000);
    expect(Date.now() - killedAt).toBeLessThan((HEARTBEAT_TIMEOUT + 10) * 1000);

    const done = await b.getTask(task.id);
    expect(done).toMatchObject({ status: 'completed', assignee: 'worker_005', reservedFor: 'worker_005' });
    const history = (await b.events({ taskId: task.id })).map((e) => [e.type, e.data?.worker ?? null, e.data?.reason ?? null]);
    // Pushed to the victim, released when it went offline, pushed again to an online worker.
    expect(history).toContainEqual(['assigned', 'worker_002', null]);
    expect(history).toContainEqual(['unassigned', 'worker_002', 'worker_offline']);
    expect(history).toContainEqual(['assigned', 'worker_005', null]);
  }, 90_000);
});
