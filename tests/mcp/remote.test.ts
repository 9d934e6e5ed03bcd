import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { BIN } from '../cli/run-cli.js';
import { childEnv, sealedFolder } from '../helpers/sealed.js';
import { cli, connect, eventually, freshProject, json, openStore } from './helpers.js';

/** `baton serve` on a free port; resolves once it says where it listens. */
function serve(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: dir, env: childEnv() });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const url = /serving (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`baton serve exited ${code}: ${out}`)));
  });
}

describe('baton mcp against a remote server, with a worker key', () => {
  let project: ReturnType<typeof freshProject>;
  let elsewhere: string;
  let server: { child: ChildProcess; url: string };
  let baton: LocalBaton;
  let key: string;

  beforeAll(async () => {
    project = freshProject();
    // The agent runs where there is no store at all (its empty .baton/ stops the walk up for one):
    // everything it does must go through the server.
    elsewhere = sealedFolder('baton-remote-agent');
    key = json<{ key: string }>(
      cli(project.dir, ['keys', 'create', '--role', 'worker', '--worker', 'remote-agent', '--json']),
    ).key;
    server = await serve(project.dir);
    baton = await openStore(project.dir);
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await baton?.close();
    project?.cleanup();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  const remoteEnv = () => ({ BATON_SERVER: server.url, BATON_TOKEN: key });

  it('claims, reports, notes and completes through the HTTP API', async () => {
    const task = await baton.createTask({ title: 'Remote work', noBreakdown: true });
    const agent = await connect(elsewhere, { env: remoteEnv(), args: ['--worker', 'remote-agent'] });
    try {
      const claim = await agent.call('next_task', { capabilities: ['go'] });
      expect(claim.isError, claim.summary).toBe(false);
      expect(claim.data.task).toMatchObject({ id: task.id, assignee: 'remote-agent' });
      expect((await agent.call('report_progress', { id: task.id, progress: 60, note: 'over http' })).isError).toBe(false);
      expect((await agent.call('add_note', { id: task.id, text: 'noted remotely' })).isError).toBe(false);
      const listed = await agent.call('list_tasks', { mine: true });
      expect(listed.data.tasks.map((t: { id: number }) => t.id)).toEqual([task.id]);
      expect((await agent.call('get_task', { id: task.id })).data.notes).toHaveLength(2);
      expect((await agent.call('system_status')).data.you.workerId).toBe('remote-agent');
      const done = await agent.call('complete_task', { id: task.id, result: { remote: true } });
      expect(done.isError, done.summary).toBe(false);
    } finally {
      await agent.close();
    }
    expect(await baton.getTask(task.id)).toMatchObject({ status: 'completed', result: { remote: true } });
  });

  it('a worker key cannot act as another worker or do admin work', async () => {
    const impostor = await connect(elsewhere, { env: remoteEnv(), args: ['--worker', 'someone-else'] });
    try {
      const claim = await impostor.call('next_task');
      expect(claim.isError).toBe(true);
      expect(claim.data.error.code).toBe('forbidden');
      expect(claim.data.error.next).toMatch(/--worker/);
    } finally {
      await impostor.close();
    }
    const agent = await connect(elsewhere, { env: remoteEnv(), args: ['--worker', 'remote-agent'] });
    try {
      const create = await agent.call('create_task', { title: 'not allowed for a worker key' });
      expect(create.isError).toBe(true);
      expect(create.data.error.code).toBe('forbidden');
    } finally {
      await agent.close();
    }
  });

  it('releases its task through the server when the client disconnects', async () => {
    const task = await baton.createTask({ title: 'Remote, abandoned', noBreakdown: true });
    const agent = await connect(elsewhere, { env: remoteEnv(), args: ['--worker', 'remote-agent'] });
    expect((await agent.call('next_task')).data.task.id).toBe(task.id);
    await agent.close();
    expect(await eventually(async () => (await baton.getTask(task.id)).status === 'queued', 3000)).toBe(true);
    const events = await baton.events({ taskId: task.id });
    expect(events.at(-1)).toMatchObject({ type: 'released', workerId: 'remote-agent' });
  });
});
