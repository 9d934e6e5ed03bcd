import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, fileIncludes, isAlive, pidIn, storeOf, useWorkerProject, waitFor } from './helpers.js';

/** The first attempt (by worker `a`) records its shell's pid and hangs; any later one finishes at once. */
const HANG_ON_A = (dir: string) =>
  `if [ "$BATON_WORKER_ID" = a ]; then echo $$ > ${JSON.stringify(join(dir, 'a.pid'))}; echo started on a; sleep 30; fi; echo "ran on $BATON_WORKER_ID"`;

describe('crashes and stops', () => {
  const project = useWorkerProject();

  it('SIGKILL mid-task: the lease expires and another worker completes it; the log shows two attempts', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      const task = await baton.createTask({ title: 'survives a crash', command: HANG_ON_A(dir) });
      const a = project.start(['a', '--lease', '1']);
      await waitFor('a to start the task', async () => a.output().includes('claimed #'));
      await waitFor('the command to run', () => fileIncludes(join(dir, `.baton/logs/${task.id}-1.log`), 'started on a'));
      a.child.kill('SIGKILL');
      project.start(['b']);

      const done = await waitFor('b to complete it', async () => {
        const t = await baton.getTask(task.id);
        return t.status === 'completed' && t;
      });
      expect(done.assignee).toBe('b');
      expect(done.attempts).toBe(2);
      // Whether `a` renewed its lease before it was killed depends on how fast the command
      // started, so renewals are left out of the sequence.
      const events = (await baton.showTask(task.id)).history;
      const history = events.filter((e) => e.type !== 'lease_renewed').map((e) => `${e.type}:${e.workerId ?? ''}`);
      expect(history).toEqual(['created:', 'claimed:a', 'lease_expired:a', 'claimed:b', 'completed:b']);
      // Not before the 1 s lease of the dead worker ran out, as last claimed or renewed (store clock).
      const held = events.filter((e) => e.workerId === 'a' && (e.type === 'claimed' || e.type === 'lease_renewed'));
      const lease = held.at(-1)?.changes.lease?.[1] as { expiresAt: string };
      const expired = events.find((e) => e.type === 'lease_expired');
      expect(Date.parse(expired?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(lease.expiresAt));

      const logs = cli(dir, ['logs', String(task.id)]);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toContain(`==> ${join(dir, '.baton/logs', `${task.id}-1.log`)} <==`);
      expect(logs.stdout).toContain('started on a');
      expect(logs.stdout).toContain(`${task.id}-2.log <==`);
      expect(logs.stdout).toContain('ran on b');
      expect(JSON.parse(cli(dir, ['logs', String(task.id), '--json']).stdout).logs).toHaveLength(2);
      // `show` ends with the tail and path of the last attempt's output.
      const show = cli(dir, ['show', String(task.id)]);
      expect(show.stdout).toMatch(/Output of attempt 2 \(.*-2\.log/);
      expect(show.stdout).toContain('ran on b');
    } finally {
      await baton.close();
    }
  });

  it('SIGTERM with a short grace: the task is released at once and picked up long before its lease would expire', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      const task = await baton.createTask({ title: 'released on stop', command: HANG_ON_A(dir) });
      const a = project.start(['a', '--lease', '60', '--grace', '0.3']);
      await waitFor('the command to run on a', () => fileIncludes(join(dir, `.baton/logs/${task.id}-1.log`), 'started on a'));
      const shellPid = pidIn(dir, 'a.pid');
      project.start(['b']);
      a.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);

      const done = await waitFor('b to complete it', async () => {
        const t = await baton.getTask(task.id);
        return t.status === 'completed' && t;
      });
      expect(done.assignee).toBe('b');
      // Released, never expired: `b` claimed it while the 60 s lease of `a` still ran (store clock).
      // How soon after the signal `b` had it: bench/latency.mjs.
      const events = (await baton.showTask(task.id)).history;
      expect(events.map((e) => `${e.type}:${e.workerId ?? ''}`)).toEqual([
        'created:',
        'claimed:a',
        'released:a',
        'claimed:b',
        'completed:b',
      ]);
      const lease = events[1]?.changes.lease?.[1] as { expiresAt: string };
      expect(Date.parse(events[3]?.at ?? '')).toBeLessThan(Date.parse(lease.expiresAt));
      // The stopped attempt's processes went with it, and the worker said goodbye.
      await waitFor('the shell of a to be gone', () => !isAlive(shellPid));
      const a2 = (await baton.listWorkers()).find((w) => w.id === 'a');
      expect(a2?.state).toBe('stopped');
      expect(a2?.health).toBe('offline');
      expect(a.output()).toContain(`released #${task.id}`);
    } finally {
      await baton.close();
    }
  });

  it('a second signal releases at once, without waiting for the grace period', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      const task = await baton.createTask({ title: 'two signals', command: HANG_ON_A(dir) });
      const a = project.start(['a', '--grace', '600']);
      await waitFor('the command to run on a', () => fileIncludes(join(dir, `.baton/logs/${task.id}-1.log`), 'started on a'));
      a.child.kill('SIGINT');
      await waitFor('a to acknowledge the stop', () => a.output().includes('stopping'));
      expect((await baton.getTask(task.id)).status).toBe('executing');
      a.child.kill('SIGINT');
      expect(await a.exited).toBe(0);
      const t = await baton.getTask(task.id);
      expect(t.status).toBe('queued');
      expect(t.lease).toBeNull();
    } finally {
      await baton.close();
    }
  });
});
