import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadJwtConfig, loadMaintenance } from '../../src/app/config.js';

const dirs: string[] = [];
function configFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
  dirs.push(dir);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code?: string; message?: string }) => e,
  );

it('reads auth.jwt with its defaults, and refuses an ambiguous or weak one', async () => {
  const jwt = await loadJwtConfig(configFile('auth: { jwt: { jwksUrl: "https://idp.test/jwks", audience: baton } }'));
  expect(jwt).toMatchObject({
    jwksUrl: 'https://idp.test/jwks',
    secret: null,
    roleClaim: 'role',
    workerClaim: 'sub',
    audience: 'baton',
  });
  expect(await loadJwtConfig(configFile('lease: 60'))).toBeNull();
  const both = await refusal(loadJwtConfig(configFile('auth: { jwt: { jwksUrl: "https://idp.test/jwks", secret: "x" } }')));
  expect(both?.code).toBe('invalid_config');
  const weak = await refusal(loadJwtConfig(configFile('auth: { jwt: { secret: short } }')));
  expect(weak?.message).toMatch(/32 characters/);
  const unset = await refusal(loadJwtConfig(configFile('auth: { jwt: { secretEnv: BATON_TEST_UNSET_SECRET } }')));
  expect(unset?.message).toMatch(/BATON_TEST_UNSET_SECRET is not set/);
  const badRole = await refusal(
    loadJwtConfig(configFile('auth: { jwt: { secret: "0123456789abcdef0123456789abcdef", roleMap: { x: root } } }')),
  );
  expect(badRole?.code).toBe('invalid_config');
});

it('reads hooks, and refuses one whose expression cannot be read or that maps to both a task and a run', async () => {
  const ok = await loadMaintenance(
    configFile('hooks: { intake: { secret: "a-hook-secret-16+", task: { title: payload.title } } }'),
  );
  expect(ok.hooks.intake).toMatchObject({ signature: 'github', when: null, task: { title: 'payload.title' }, run: null });
  const typo = await refusal(
    loadMaintenance(configFile('hooks: { intake: { secret: "a-hook-secret-16+", task: { title: "payload.(" } } }')),
  );
  expect(typo?.message).toMatch(/hooks\.intake\.title/);
  const both = await refusal(
    loadMaintenance(configFile('hooks: { x: { secret: "a-hook-secret-16+", task: { title: "1" }, run: { workflow: w } } }')),
  );
  expect(both?.message).toMatch(/one of task or run/);
  const github = await loadMaintenance(configFile('github: { apiUrl: "http://127.0.0.1:9/api/", repos: [acme/widgets] }'));
  expect(github.github).toMatchObject({ apiUrl: 'http://127.0.0.1:9/api', repos: ['acme/widgets'] });
});
