import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Webhook, WebhookDelivery } from '../../src/app/baton.js';
import { RemoteBaton } from '../../src/client/remote-baton.js';
import { cli, freshProject, json } from '../cli/run-cli.js';
import { exited, startBaton } from './spawn.js';
import { receiver, SECRET, until } from './webhook-receiver.js';

const SERVING = /Baton is serving (http:\/\/\S+)/;
describe('webhooks and alerts through baton serve (SQLite)', () => {
  let project: ReturnType<typeof freshProject>;
  let server: ChildProcess;
  let url: string;
  let serverOutput: () => string;
  let ok: Awaited<ReturnType<typeof receiver>>;
  let failing: Awaited<ReturnType<typeof receiver>>;
  let hanging: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    project = freshProject();
    writeFileSync(
      join(project.dir, '.baton', 'config.yaml'),
      [
        'webhooks: { poll: 50ms, timeout: 3s, backoff: 50ms, maxFailures: 3, settle: 0 }',
        'alerts: { every: 100ms, readyOver: 3 }',
        'queues: { deploy: { alertOver: 1 } }',
        // Only the alert tests' critical tasks and silent worker meet these.
        'sla: { critical: 200ms }',
        'heartbeatTimeout: 1s',
        '',
      ].join('\n'),
    );
    [ok, failing, hanging] = await Promise.all([receiver('ok'), receiver('fail'), receiver('hang')]);
    const started = await startBaton(project.dir, ['serve', '--port', '0'], SERVING, { BATON_LOG_LEVEL: 'warn' });
    server = started.child;
    url = started.match[1] as string;
    serverOutput = started.output;
  });

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server) await exited(server);
    await Promise.all([ok?.close(), failing?.close(), hanging?.close()]);
    project?.cleanup();
  });

  it('delivers signed events; a hanging receiver delays neither claims and completions nor other hooks; a failing one is retried, then disabled', async () => {
    const add = (target: string, events: string) =>
      json<Webhook & { secret: string }>(
        cli(project.dir, ['webhook', 'add', target, '--events', events, '--secret', SECRET, '--json']),
      );
    const good = add(ok.url, 'task.completed,task.failed,alert.*,webhook.disabled');
    add(hanging.url, 'task.*');
    const bad = add(failing.url, 'task.completed');
    expect(good.secret).toBe(SECRET);

    const remote = new RemoteBaton({ url });
    const timings: number[] = [];
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const task = await remote.createTask({ title: `job ${i}` });
      const started = Date.now();
      const claimed = await remote.claimTask(task.id, { workerId: 'w1' });
      await remote.complete(task.id, { workerId: 'w1', token: claimed.lease?.token });
      timings.push(Date.now() - started);
      ids.push(task.id);
    }
    // The hanging receiver holds a request for 3 s at a time; none of that reaches a claim or completion.
    expect(Math.max(...timings)).toBeLessThan(2500);

    const completions = await until('five signed completions', () => {
      const c = ok.got.filter((r) => r.event === 'task.completed');
      return c.length >= 5 && c;
    });
    expect(completions.every((r) => r.signed)).toBe(true);
    expect(new Set(completions.map((r) => r.eventId)).size).toBe(5);
    // The other hook got each while the hanging one still waited on its first request (3 s).
    const firstHang = hanging.got[0]?.at ?? Number.NaN;
    expect(Math.max(...completions.map((r) => r.at)) - firstHang).toBeLessThan(3000);

    const disabled = await until('the failing hook disabled', () => {
      const list = json<Webhook[]>(cli(project.dir, ['webhook', 'list', '--json', '--server', url]));
      return list.find((h) => h.id === bad.id && h.disabledAt !== null);
    });
    expect(disabled.failures).toBe(3);
    expect(failing.got.length).toBe(3);
    const log = json<WebhookDelivery[]>(cli(project.dir, ['webhook', 'deliveries', String(bad.id), '--json']));
    expect(log.some((d) => d.attempts >= 1 && d.lastStatus === 500)).toBe(true);
    await until('the webhook.disabled event at the good hook', () => ok.got.some((r) => r.event === 'webhook.disabled'));
    const delivered = json<WebhookDelivery[]>(cli(project.dir, ['webhook', 'deliveries', String(good.id), '--json']));
    expect(delivered.filter((d) => d.status === 'delivered').length).toBeGreaterThanOrEqual(6);

    // Fixed, and turned back on: what waited goes out, and what happened meanwhile too.
    failing.setMode('ok');
    const meanwhile = await remote.createTask({ title: 'while disabled' });
    const held = await remote.claimTask(meanwhile.id, { workerId: 'w1' });
    await remote.complete(meanwhile.id, { workerId: 'w1', token: held.lease?.token });
    expect(
      json<Webhook>(cli(project.dir, ['webhook', 'enable', String(bad.id), '--json', '--server', url])).disabledAt,
    ).toBeNull();
    await until('every completion delivered to the fixed receiver', async () => {
      const log = await remote.webhookDeliveries({ hookId: bad.id });
      return log.length === 6 && log.every((d) => d.status === 'delivered');
    });
    expect(new Set(failing.got.map((r) => r.eventId)).size).toBe(6);
  });

  it('raises each alert once per occurrence, to the log of alerts and to webhooks', async () => {
    const remote = new RemoteBaton({ url });
    for (let i = 0; i < 4; i++) await remote.createTask({ title: `waiting ${i}` });
    const doomed = await remote.createTask({ title: 'fails for good', maxRetries: 0 });
    const claimed = await remote.claimTask(doomed.id, { workerId: 'w2' });
    await remote.fail(doomed.id, { workerId: 'w2', token: claimed.lease?.token, error: 'broken' });

    await until(
      'both alerts at the hook',
      () => ok.got.some((r) => r.event === 'alert.ready_over') && ok.got.some((r) => r.event === 'alert.task_failed'),
    );
    // Several more turns of the alert check: still one of each.
    await new Promise((r) => setTimeout(r, 500));
    const alerts = json<Alert[]>(cli(project.dir, ['alerts', '--json']));
    expect(alerts.filter((a) => a.kind === 'ready_over')).toHaveLength(1);
    expect(alerts.filter((a) => a.kind === 'task_failed').map((a) => a.data.taskId)).toEqual([doomed.id]);
    expect(ok.got.filter((r) => r.event === 'alert.ready_over')).toHaveLength(1);
    expect(ok.got.filter((r) => r.event === 'alert.task_failed')).toHaveLength(1);
    const viaHttp = await remote.alerts({ open: true });
    expect(viaHttp.map((a) => a.kind)).toEqual(['ready_over']);
    expect((await remote.status()).openAlerts.map((a) => a.kind)).toEqual(['ready_over']);
    expect(cli(project.dir, ['status']).stdout).toMatch(/Alerts\s+\d+ tasks ready, more than alerts.readyOver \(3\)/);
    // The server's log says it too.
    expect(serverOutput()).toContain(`alert: task ${doomed.id} failed for good`);

    // A backup that cannot be written (its folder is a file): an alert of its own.
    expect(cli(project.dir, ['backup', join(project.dir, '.baton', 'config.yaml', 'b.db')]).code).not.toBe(0);
    await until('the backup alert at the hook', () => ok.got.some((r) => r.event === 'alert.backup_failed'));
  });

  it('raises an SLA breach once while it lasts and again when it comes back; a worker gone silent holding work', async () => {
    const remote = new RemoteBaton({ url });
    const breaches = () => ok.got.filter((r) => r.event === 'alert.sla_breached').length;
    const first = await remote.createTask({ title: 'urgent', priority: 'critical' });
    await until('the first breach', () => breaches() === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(breaches()).toBe(1);
    // Taken: the breach ends. A new one waits too long: a second occurrence.
    await remote.claimTask(first.id, { workerId: 'silent' });
    await until('the breach resolved', async () => (await remote.alerts({ open: true })).every((a) => a.kind !== 'sla_breached'));
    await remote.createTask({ title: 'urgent again', priority: 'critical' });
    await until('the second breach', () => breaches() === 2);

    // The worker holding the first task says nothing more: offline, holding work.
    const offline = await until('the worker_offline alert', () => ok.got.find((r) => r.event === 'alert.worker_offline'));
    expect(offline.signed).toBe(true);
    const alerts = await remote.alerts();
    expect(alerts.filter((a) => a.kind === 'worker_offline').map((a) => a.data.workerId)).toEqual(['silent']);
    expect(alerts.filter((a) => a.kind === 'sla_breached')).toHaveLength(2);
  });

  it('raises queue_over once while a queue holds more than its alertOver, and resolves it when it drains', async () => {
    const remote = new RemoteBaton({ url });
    const queued = [];
    for (let i = 0; i < 2; i++) queued.push(await remote.createTask({ title: `deploy ${i}`, queue: 'deploy' }));
    const raised = await until('the queue_over alert', () => ok.got.find((r) => r.event === 'alert.queue_over'));
    expect(raised.signed).toBe(true);
    const open = async () => (await remote.alerts({ open: true })).filter((a) => a.kind === 'queue_over');
    expect((await open()).map((a) => a.data)).toEqual([{ queue: 'deploy', depth: 2, threshold: 1 }]);
    for (const t of queued) await remote.cancelTask(t.id);
    await until('the queue_over alert resolved', async () => (await open()).length === 0);
    expect(ok.got.filter((r) => r.event === 'alert.queue_over')).toHaveLength(1);
  });

  it('refuses a bad hook with a coded error and changes nothing', () => {
    const r = cli(project.dir, ['webhook', 'add', 'ftp://example.com/x', '--events', 'task.failed', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr || r.stdout).error?.code ?? JSON.parse(r.stderr || r.stdout).code).toBe('invalid_argument');
    expect(cli(project.dir, ['webhook', 'remove', '999', '--json']).code).toBe(3);
  });
});
