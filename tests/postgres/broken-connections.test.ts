import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { CuttingProxy } from './cutting-proxy.js';
import { dropSchema, newSchemaName, PG_URL, schemaUrl } from './pg-test-db.js';

/**
 * Connections broken exactly where the driver is fragile, through a proxy, so that each case
 * happens every time: the store must neither hang nor end the process, and must go on working.
 */
describe('PostgreSQL connections broken under the store', () => {
  let proxy: CuttingProxy;
  let schema: string;
  let url: string;

  beforeEach(async () => {
    const target = new URL(PG_URL);
    proxy = new CuttingProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.listen();
    schema = newSchemaName();
    url = proxy.urlFor(schemaUrl(schema));
  });
  afterEach(async () => {
    await proxy.close();
    await dropSchema(schema);
  });

  it('a connection broken inside a grouped task write: the write is made again, and later writes all answer', async () => {
    const baton: LocalBaton = await openBaton({ db: url, actor: 'test' });
    try {
      for (let i = 0; i < 4; i++) await baton.createTask({ title: `job ${i}` });
      const tasks = await baton.claimMany({ workerId: 'w', limit: 4 });
      const progress = (i: number, value: number) =>
        baton.reportProgress(tasks[i]!.id, { workerId: 'w', token: tasks[i]!.lease!.token, progress: value });

      // The rows of a grouped write are locked FOR UPDATE on a reserved connection: cut it there.
      proxy.cutWhenSent('FOR UPDATE OF t');
      const started = Date.now();
      expect((await progress(0, 10)).progress).toBe(10);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(proxy.cut).toBe(1);

      for (let round = 1; round <= 20; round++) await Promise.all(tasks.map((_, i) => progress(i, round)));
      expect((await baton.listTasks({ status: ['executing'] })).tasks.map((t) => t.progress)).toEqual([20, 20, 20, 20]);
    } finally {
      await baton.close();
    }
  });

  it('a connection broken while the driver fetches its types (any reconnection) costs a retry, not the process', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'read-after-cut.mjs'), url], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      while (!out.includes('ready\n')) {
        if (child.exitCode !== null) throw new Error(out);
        await new Promise((r) => setTimeout(r, 20));
      }
      // Every connection goes, as in a restart: the next read connects again, and is cut as the
      // new connection asks for the array types.
      proxy.cutAll();
      proxy.cutWhenSent("a.typcategory = 'A'");
      child.stdin.write('read\n');
      child.stdin.end();
      expect(await exited).toBe(0);
      expect(proxy.cut).toBe(1);
      expect(out.trim().split('\n').at(-1)).toBe(JSON.stringify({ ok: true, tags: ['a', 'b'] }));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
