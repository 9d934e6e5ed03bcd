import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger.js';
import { cli, freshProject } from './run-cli.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [join(dir, e.name), ...files(join(dir, e.name))] : [join(dir, e.name)],
  );
}

describe('what Baton writes is readable by its owner only', () => {
  const project = freshProject();
  afterAll(() => project.cleanup());
  const baton = join(project.dir, '.baton');

  it('creates the store folder 0700 and the store, its WAL and attempt logs 0600', () => {
    expect(mode(baton)).toBe(0o700);
    expect(cli(project.dir, ['add', 'prints', '--command', 'echo secret-output']).code).toBe(0);
    const run = cli(project.dir, ['worker', 'perm-w', '--once']);
    expect(run.code, run.stderr).toBe(0);
    const written = files(baton);
    expect(written.some((f) => f.endsWith('baton.db'))).toBe(true);
    expect(written.some((f) => f.includes(`${join(baton, 'logs')}`) && f.endsWith('.log'))).toBe(true);
    for (const path of written) {
      expect([path, mode(path)]).toEqual([path, statSync(path).isDirectory() ? 0o700 : 0o600]);
    }
  });

  it('writes an export file 0600', () => {
    const file = join(project.dir, 'export.json');
    expect(cli(project.dir, ['export', file]).code).toBe(0);
    expect(mode(file)).toBe(0o600);
  });

  it("creates the server's log folder 0700 and baton.log 0600", async () => {
    const dir = join(project.dir, 'server-logs');
    const { logger } = await createLogger({ dir, pretty: false, level: 'info' });
    logger.info('hello');
    await new Promise((r) => setTimeout(r, 200));
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'baton.log'))).toBe(0o600);
  });
});
