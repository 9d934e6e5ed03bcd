import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Baton } from '../../src/app/baton.js';
import type { Task } from '../../src/core/types.js';
import { sealedEnv } from '../helpers/serve-process.js';
import { expectRefusedUnchanged, type Reach, type StoreHarness, storeNow, waitPast } from './harness.js';

const SCHEDULE_LOOP = resolve(import.meta.dirname, 'schedule-loop.mjs');
const HOUR = 3_600_000;

/** Every task of the store (a few dozen at most here). */
async function allTasks(baton: Baton): Promise<Task[]> {
  return (await baton.listTasks({ limit: 500 })).tasks;
}

/** The occurrences of `template`, oldest first. */
async function occurrencesOf(baton: Baton, template: number): Promise<Task[]> {
  return (await allTasks(baton)).filter((t) => t.recurrence?.templateId === template);
}

/** Runs two sweeping processes on the store at once for `ms`; resolves when both are done. */
async function sweepFromTwoProcesses(reach: Reach, ms: number): Promise<void> {
  const procs = [0, 1].map(() => {
    const child = spawn(process.execPath, [SCHEDULE_LOOP, ...reach.args, '--for', String(ms)], {
      cwd: reach.cwd,
      env: sealedEnv(),
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    const ready = new Promise<void>((done) => {
      const check = () => (out.includes('"ready"') ? done() : setTimeout(check, 20));
      check();
    });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    return { child, ready, exited, output: () => `${out}\n${err}` };
  });
  await Promise.all(procs.map((p) => p.ready));
  for (const p of procs) p.child.stdin.write('go\n');
  for (const p of procs) {
    const code = await p.exited;
    expect(code, p.output()).toBe(0);
  }
}

/** Scheduled start times (`runAfter`) and recurring tasks (`every`). */
export function scheduleContract(store: () => StoreHarness): void {
  describe('schedules: run after, every', () => {
    it('a task created with a delay is not claimable before then, and says when it is scheduled for', async () => {
      const baton = await store().open();
      const before = await storeNow(baton);
      const later = await baton.createTask({ title: 'Later', runAfter: '2h' });
      const runAfter = Date.parse(later.runAfter ?? '');
      expect(runAfter).toBeGreaterThanOrEqual(before + 2 * HOUR);
      expect(runAfter).toBeLessThan(before + 2 * HOUR + 60_000);
      expect(await baton.claim({ workerId: 'w' })).toBeNull();
      expect((await baton.listTasks({ ready: true })).tasks).toEqual([]);
      const shown = await baton.showTask(later.id);
      expect(shown.waiting).toMatchObject({ reason: 'scheduled', until: later.runAfter });
      expect(shown.waiting?.message).toContain(`scheduled for ${later.runAfter}`);
      // A past time is fine: claimable at once.
      const past = await baton.createTask({ title: 'Past', runAfter: '2001-01-01T00:00:00Z' });
      expect(past.runAfter).toBeNull();
      expect((await baton.claim({ workerId: 'w' }))?.id).toBe(past.id);
    });

    it('update --run-after schedules, reschedules and clears the start of work not yet started', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Move me' });
      const at = new Date((await storeNow(baton)) + 3 * HOUR).toISOString();
      const scheduled = await baton.updateTask(task.id, { runAfter: at });
      expect(scheduled.runAfter).toBe(at);
      expect(await baton.claim({ workerId: 'w' })).toBeNull();
      const history = (await baton.showTask(task.id)).history.at(-1);
      expect(history?.changes.runAfter).toEqual([null, at]);
      const cleared = await baton.updateTask(task.id, { runAfter: null });
      expect(cleared.runAfter).toBeNull();
      const claimed = await baton.claim({ workerId: 'w' });
      expect(claimed?.id).toBe(task.id);
      // Work started cannot be scheduled any more.
      await expectRefusedUnchanged(baton, () => baton.updateTask(task.id, { runAfter: '1h' }), 'illegal_transition');
    });

    it('a scheduled task whose dependency completes keeps its start time', async () => {
      const baton = await store().open();
      const first = await baton.createTask({ title: 'First' });
      const second = await baton.createTask({ title: 'Second', dependsOn: [first.id], runAfter: '1h' });
      const claimed = await baton.claim({ workerId: 'w' });
      await baton.complete(first.id, { workerId: 'w', token: claimed?.lease?.token ?? 0 });
      const after = await baton.getTask(second.id);
      expect(after.status).toBe('queued');
      expect(after.runAfter).toBe(second.runAfter);
      expect(await baton.claim({ workerId: 'w' })).toBeNull();
    });

    it('malformed start times, cron expressions and time zones are refused with the reason, nothing stored', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Here' });
      for (const runAfter of ['soon', '10 minutes', '2030-13-01T00:00:00Z', '2030-01-01 09:00', '']) {
        const err = await expectRefusedUnchanged(
          baton,
          () => baton.createTask({ title: 'x', runAfter }),
          'invalid_argument',
          'runAfter',
        );
        expect(err.message).toContain('ISO-8601');
        await expectRefusedUnchanged(baton, () => baton.updateTask(task.id, { runAfter }), 'invalid_argument', 'runAfter');
      }
      const cron = await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'x', every: '61 * * * *' }),
        'invalid_argument',
        'every',
      );
      expect(cron.message).toContain('minute');
      await expectRefusedUnchanged(baton, () => baton.createTask({ title: 'x', every: 'often' }), 'invalid_argument', 'every');
      const never = await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'x', every: '0 0 30 2 *' }),
        'invalid_argument',
        'every',
      );
      expect(never.message).toContain('never fires');
      const zone = await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'x', every: '0 9 * * *', timezone: 'Mars/Olympus' }),
        'invalid_argument',
        'timezone',
      );
      expect(zone.message).toContain('Mars/Olympus');
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'x', timezone: 'Europe/Paris' }),
        'invalid_argument',
        'timezone',
      );
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'x', every: '0 9 * * *', dependsOn: [task.id] }),
        'invalid_argument',
        'dependsOn',
      );
    });

    it('a recurring task is a template that is never claimed; each fire time becomes one task scheduled for it', async () => {
      const baton = await store().open();
      const template = await baton.createTask({
        title: 'Nightly report',
        every: '0 2 * * *',
        timezone: 'Europe/Paris',
        capabilities: ['reports'],
        tags: ['nightly'],
        command: 'make report',
        priority: 'high',
      });
      expect(template.status).toBe('blocked');
      expect(template.recurrence).toMatchObject({ every: '0 2 * * *', timezone: 'Europe/Paris', templateId: null });
      const [first, ...more] = await occurrencesOf(baton, template.id);
      expect(more).toEqual([]);
      expect(first).toMatchObject({
        title: 'Nightly report',
        status: 'queued',
        capabilities: ['reports'],
        tags: ['nightly'],
        command: 'make report',
        priority: 'high',
        runAfter: template.recurrence?.fireAt,
        recurrence: { templateId: template.id, fireAt: template.recurrence?.fireAt },
      });
      expect(template.recurrence?.occurrenceId).toBe(first?.id);
      // 02:00 in Paris is 00:00 or 01:00 UTC, after now.
      const fire = new Date(first?.runAfter ?? '');
      expect([0, 1]).toContain(fire.getUTCHours());
      expect(fire.getTime()).toBeGreaterThan(await storeNow(baton));
      expect(await baton.claim({ workerId: 'w', capabilities: ['reports'] })).toBeNull();
      const shown = await baton.showTask(template.id);
      expect(shown.waiting).toMatchObject({ reason: 'scheduled', until: template.recurrence?.fireAt });
      expect(shown.waiting?.message).toContain('recurring');
      await expectRefusedUnchanged(baton, () => baton.addDependencies(template.id, [first?.id ?? 0]), 'invalid_argument', 'id');
    });

    it('the next occurrence is created once the current fire time passes, for the next fire time only', async () => {
      const baton = await store().open();
      const template = await baton.createTask({ title: 'Tick', every: '*/2 * * * * *' });
      const [first] = await occurrencesOf(baton, template.id);
      await waitPast(baton, first?.runAfter ?? '', 100);
      // Reads sweep what fell due, but a server's own sweep may be the one in flight: look again
      // for a moment rather than rely on this very read to sweep.
      let occurrences = await occurrencesOf(baton, template.id);
      for (const until = Date.now() + 3000; occurrences.length < 2 && Date.now() < until; ) {
        await new Promise((done) => setTimeout(done, 50));
        occurrences = await occurrencesOf(baton, template.id);
      }
      expect(occurrences.length).toBeGreaterThanOrEqual(2);
      const fireTimes = occurrences.map((o) => o.recurrence?.fireAt);
      expect(new Set(fireTimes).size).toBe(fireTimes.length);
      // Never a burst of past fire times: each occurrence was created before its fire time.
      for (const o of occurrences) expect(Date.parse(o.recurrence?.fireAt ?? '')).toBeGreaterThan(Date.parse(o.createdAt));
      const claimed = await baton.claim({ workerId: 'w' });
      expect(claimed?.id).toBe(first?.id);
      const now = await baton.getTask(template.id);
      expect(Date.parse(now.recurrence?.fireAt ?? '')).toBeGreaterThan(Date.parse(first?.runAfter ?? ''));
    });

    it('cancelling the template stops the recurrence and the occurrence not yet due', async () => {
      const baton = await store().open();
      const template = await baton.createTask({ title: 'Hourly', every: '0 * * * *' });
      const [pending] = await occurrencesOf(baton, template.id);
      const cancelled = await baton.cancelTask(template.id, { reason: 'no longer needed' });
      expect(cancelled.status).toBe('cancelled');
      expect((await baton.getTask(pending?.id ?? 0)).status).toBe('cancelled');
      const ticking = await baton.createTask({ title: 'Ticking', every: '* * * * * *' });
      const [tick] = await occurrencesOf(baton, ticking.id);
      await baton.cancelTask(ticking.id);
      await waitPast(baton, new Date(Date.parse(tick?.runAfter ?? '') + 2_000).toISOString());
      await baton.listTasks();
      expect(await occurrencesOf(baton, ticking.id)).toHaveLength(1);
    });

    it('an export carries the schedule and the recurrence, and an import into another store keeps them', async () => {
      const baton = await store().open();
      const template = await baton.createTask({ title: 'Weekly', every: '0 8 * * 1', timezone: 'America/New_York' });
      const later = await baton.createTask({ title: 'Later', runAfter: '5h' });
      const other = await store().openAnother();
      await other.importData(await baton.exportData());
      expect((await other.getTask(template.id)).recurrence).toEqual((await baton.getTask(template.id)).recurrence);
      expect((await other.getTask(later.id)).runAfter).toBe(later.runAfter);
      const [occurrence] = await occurrencesOf(other, template.id);
      expect(occurrence?.recurrence).toMatchObject({ templateId: template.id, every: '0 8 * * 1', timezone: 'America/New_York' });
    });

    it('two processes sweeping at once never create two occurrences of one fire time', async () => {
      const h = store();
      const baton = await h.open();
      const template = await baton.createTask({ title: 'Every second', every: '* * * * * *' });
      await sweepFromTwoProcesses(await h.reach(), 3_500);
      const occurrences = await occurrencesOf(baton, template.id);
      expect(occurrences.length).toBeGreaterThanOrEqual(3);
      const fireTimes = occurrences.map((o) => o.recurrence?.fireAt);
      expect(new Set(fireTimes).size).toBe(fireTimes.length);
      const events = (await baton.events({ taskId: template.id })).filter((e) => e.type === 'occurrence_created');
      expect(events.length).toBe(occurrences.length);
    });
  });
}
