import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, freshProject, startWorker } from './helpers.js';

const SECRETS = {
  BATON_TOKEN: 'baton_0123abcd_workerkeysecretworkerkeysecret',
  PGPASSWORD: 'hunter22',
  BATON_PLANNER_API_KEY: 'sk-planner',
  MY_PLANNER_KEY: 'sk-custom',
};

describe("what a task's command sees of its worker's environment", () => {
  let project: ReturnType<typeof freshProject>;
  beforeEach(() => {
    project = freshProject();
  });
  afterEach(() => project.cleanup());

  /** Runs one task whose command dumps its environment, on a worker started with `env`, and returns what it saw. */
  const seenBy = async (args: string[], env: Record<string, string> = {}) => {
    const { dir } = project;
    const dump = join(dir, 'env.txt');
    const add = cli(dir, ['add', 'dump env', '--command', `env > ${JSON.stringify(dump)}`, '--json']);
    expect(add.code, add.stderr).toBe(0);
    const w = startWorker(dir, ['w1', '--once', ...args], {
      ...SECRETS,
      BATON_DB: join(dir, '.baton', 'baton.db'),
      APP_SETTING: 'on',
      FOO_ONE: '1',
      ...env,
    });
    expect(await w.exited, w.output()).toBe(0);
    const seen = new Map<string, string>();
    for (const line of readFileSync(dump, 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) seen.set(line.slice(0, at), line.slice(at + 1));
    }
    return seen;
  };

  it("gets every variable but Baton's own secrets, and its task's BATON_TASK_* variables", async () => {
    writeFileSync(join(project.dir, '.baton', 'config.yaml'), 'breakdown: { http: { apiKeyEnv: MY_PLANNER_KEY } }\n');
    const seen = await seenBy([]);
    for (const name of ['BATON_TOKEN', 'BATON_DB', 'PGPASSWORD', 'BATON_PLANNER_API_KEY', 'MY_PLANNER_KEY']) {
      expect(seen.has(name), name).toBe(false);
    }
    expect(seen.get('APP_SETTING')).toBe('on');
    expect(seen.get('PATH')).toBe(process.env.PATH);
    expect(seen.get('BATON_WORKER_ID')).toBe('w1');
    expect(seen.get('BATON_TASK_TITLE')).toBe('dump env');
    // What it printed is kept for its owner's eyes only.
    const log = join(project.dir, '.baton', 'logs', `${seen.get('BATON_TASK_ID')}-1.log`);
    expect(statSync(log).mode & 0o777).toBe(0o600);
  });

  it('--env-allow lets only what it names through (a secret only by its exact name); --env-deny takes more away', async () => {
    const seen = await seenBy(['--env-allow', 'PATH,FOO_*,BATON_TOKEN,BATON_*', '--env-deny', 'FOO_TWO'], { FOO_TWO: '2' });
    expect(seen.get('BATON_TOKEN')).toBe(SECRETS.BATON_TOKEN);
    expect(seen.get('FOO_ONE')).toBe('1');
    // A pattern does not reach a secret; what is not allowed, or denied, stays out.
    expect(seen.has('BATON_DB')).toBe(false);
    expect(seen.has('APP_SETTING')).toBe(false);
    expect(seen.has('FOO_TWO')).toBe(false);
    expect(seen.get('BATON_TASK_ID')).toMatch(/^\d+$/);
  });

  it('the config sets the same rules for every worker of the store; a bad name is refused', async () => {
    writeFileSync(join(project.dir, '.baton', 'config.yaml'), 'worker:\n  env:\n    deny: [APP_*]\n');
    const seen = await seenBy([], { FOO_TWO: '2' });
    expect(seen.has('APP_SETTING')).toBe(false);
    expect(seen.get('FOO_TWO')).toBe('2');
    const bad = cli(project.dir, ['worker', 'w2', '--once', '--env-deny', 'APP-SETTING']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('env-deny');
  });
});
