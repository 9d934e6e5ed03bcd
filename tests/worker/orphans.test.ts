import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIncludes, groupMembers, pidIn, processesWith, storeOf, useWorkerProject, waitFor } from './helpers.js';

const q = JSON.stringify;

/**
 * On worker `a`, records the pid of its shell (the leader of the command's process group), starts
 * a second process in the group, and hangs; on any other worker, says when it started.
 */
const hangOnA = (dir: string, name: string) =>
  `if [ "$BATON_WORKER_ID" = a ]; then echo $$ > ${q(join(dir, `${name}.pid`))}; sleep 60 & sleep 60; fi; ` +
  `echo "ran on $BATON_WORKER_ID"`;

describe('a command dies with its worker', () => {
  const project = useWorkerProject();

  it('SIGKILL of a worker ends the process groups of all its running commands within 2 s', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      await baton.createTask({ title: 'one', command: hangOnA(dir, 'one') });
      await baton.createTask({ title: 'two', command: hangOnA(dir, 'two') });
      const a = project.start(['a', '--concurrency', '2', '--lease', '60']);
      await waitFor(
        'both commands to start',
        () => fileIncludes(join(dir, 'one.pid'), '\n') && fileIncludes(join(dir, 'two.pid'), '\n'),
      );
      const groups = [pidIn(dir, 'one.pid'), pidIn(dir, 'two.pid')];
      await waitFor('both sleeps of each command to run', () => groups.every((g) => groupMembers(g).length >= 2));
      const workerPid = a.child.pid as number;
      expect(processesWith('baton-orphan-guard', String(workerPid))).toHaveLength(1);

      a.child.kill('SIGKILL');
      await a.exited;
      await waitFor('the commands of the dead worker to be gone', () => groups.every((g) => groupMembers(g).length === 0), 2000);
      // The guard, its work done, is gone too.
      await waitFor('the guard to exit', () => processesWith('baton-orphan-guard', String(workerPid)).length === 0, 5000);
    } finally {
      await baton.close();
    }
  });

  it('the retry of a task whose worker was killed starts only once the previous attempt is gone', async () => {
    const { dir } = project;
    const baton = await storeOf(dir);
    try {
      const task = await baton.createTask({ title: 'retried', command: hangOnA(dir, 'retried') });
      // The retry may start once a's lease ran out, at least 2 s after its last renewal (a third of
      // the lease before the kill): the guard's bound, as the test above holds it.
      const a = project.start(['a', '--lease', '3']);
      await waitFor('the command to start on a', () => fileIncludes(join(dir, 'retried.pid'), '\n'));
      const group = pidIn(dir, 'retried.pid');
      a.child.kill('SIGKILL');
      project.start(['b']);

      // Watch both: the last moment a's command was seen running, and the first its retry had started.
      let lastSeenRunning = Date.now();
      const retriedAt = await waitFor('b to start the retry', () => {
        if (groupMembers(group).length > 0) lastSeenRunning = Date.now();
        return fileIncludes(join(dir, `.baton/logs/${task.id}-2.log`), 'ran on b') && Date.now();
      });
      expect(groupMembers(group)).toEqual([]);
      expect(lastSeenRunning).toBeLessThan(retriedAt);
      const done = await waitFor('the retry to complete', async () => {
        const t = await baton.getTask(task.id);
        return t.status === 'completed' && t;
      });
      expect(done.assignee).toBe('b');
    } finally {
      await baton.close();
    }
  });
});
