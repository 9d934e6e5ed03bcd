import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/app/config.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';

describe('.baton/config.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (text: string) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, text);
    return path;
  };

  it("accepts the README's example config as written", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /## Configuration\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const policy = await loadPolicy(file(example as string));
    expect(policy.claims.maxLeaseSeconds).toBe(86_400);
  });

  it('uses the defaults when there is no file', async () => {
    expect(await loadPolicy(join(dir, 'missing.yaml'))).toBe(DEFAULT_POLICY);
  });

  it('reads durations with units, the breakdown shorthand, and freezes the result', async () => {
    const policy = await loadPolicy(
      file(
        'lease: 5m\nheartbeatTimeout: 90s\nmaxRetries: 5\nretry: { policy: fixed, base: 2 }\nbreakdown: recommended\nsla: { critical: 1m }\n',
      ),
    );
    expect(policy).toMatchObject({ leaseSeconds: 300, heartbeatTimeoutSeconds: 90, maxRetries: 5 });
    expect(policy.retry).toMatchObject({ policy: 'fixed', baseSeconds: 2 });
    expect(policy.breakdown.mode).toBe('recommended');
    expect(policy.slaSeconds.critical).toBe(60);
    expect(policy.claims).toEqual(DEFAULT_POLICY.claims);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.retry)).toBe(true);
  });

  it.each([
    ['malformed YAML', 'lease: [300\n', /config-.*\.yaml: /],
    ['an unknown key', 'leese: 300\n', /unknown|Unrecognized/i],
    ['a bad duration', 'lease: soon\n', /lease/],
    ['an unknown retry policy', 'retry: { policy: sometimes }\n', /retry\.policy/],
    ['a bad breakdown mode', 'breakdown: sometimes\n', /breakdown: expected epic-only, recommended/],
    ['a claim cap of 0 tasks', 'claims: { maxTasks: 0 }\n', /claims\.maxTasks/],
    [
      'a lease longer than the longest claims allow',
      'lease: 2h\nclaims: { maxLease: 1h }\n',
      /lease: must be at most claims\.maxLease/,
    ],
  ])('refuses %s with the file and the reason', async (_name, text, message) => {
    const path = file(text);
    await expect(loadPolicy(path)).rejects.toMatchObject({ code: 'invalid_config', message: expect.stringMatching(message) });
    await expect(loadPolicy(path)).rejects.toMatchObject({ message: expect.stringContaining(path) });
  });
});
