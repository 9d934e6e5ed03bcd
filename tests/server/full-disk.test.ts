import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogFile } from '../../src/server/log-file.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { expectError, type TestServer, testServer } from './helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await testServer();
});
afterAll(async () => {
  await t.close();
});

const create = (title: string) =>
  t.inject({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: { 'content-type': 'application/json' },
    payload: { title, description: 'x'.repeat(4000), noBreakdown: true },
  });

describe('a full disk', () => {
  it('refuses writes with a coded 507 store_full, keeps answering, says so on /health, and recovers', async () => {
    const db = (t.baton.store as SqliteStore).db;
    const pages = Number(db.pragma('page_count', { simple: true }));
    // The store may not grow: exactly what a full disk does to SQLite (SQLITE_FULL).
    db.pragma(`max_page_count = ${pages + 2}`);
    let res = await create('fits');
    for (let i = 0; i < 50 && res.statusCode === 201; i++) res = await create(`filler ${i}`);
    expectError(res, 507, 'store_full');
    expect(res.json().error.message).toMatch(/full/);

    const health = await t.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ ok: false, problem: { code: 'store_full' } });
    // Reads still answer, quickly.
    expect((await t.inject({ method: 'GET', url: '/api/v1/tasks?limit=5' })).statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/api/v1/status' })).statusCode).toBe(200);

    db.pragma('max_page_count = 1073741823');
    expect((await create('after space returned')).statusCode).toBe(201);
    const healed = await t.inject({ method: 'GET', url: '/api/v1/health' });
    expect(healed.statusCode).toBe(200);
    expect(healed.json()).toMatchObject({ ok: true });
    expect(healed.json().problem).toBeUndefined();
  });

  it('the server log drops lines on a full device instead of blocking or throwing, and resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-log-'));
    try {
      const path = join(dir, 'baton.log');
      // /dev/full answers every write with ENOSPC.
      symlinkSync('/dev/full', path);
      let now = 0;
      const log = new LogFile(path, () => now);
      const errors: unknown[] = [];
      log.on('error', (e) => errors.push(e));
      for (let i = 0; i < 1000; i++) log.write(`{"line":${i}}\n`);
      await new Promise((r) => setTimeout(r, 100));
      expect(errors).toEqual([]);
      expect(log.health()).toMatchObject({ ok: false });
      expect(log.health().dropped).toBeGreaterThan(0);

      // Space returns (here: the file is an ordinary file again); a second later it is written.
      unlinkSync(path);
      now += 1_500;
      log.write('{"line":"back"}\n');
      await new Promise((r) => setTimeout(r, 100));
      expect(log.health()).toMatchObject({ ok: true, since: null });
      log.end();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
