import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { BIN } from '../cli/run-cli.js';
import { childEnv, sealedFolder } from '../helpers/sealed.js';
import { exited, startBaton } from '../server/spawn.js';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');
const read = (file: string) => readFileSync(join(DEPLOY, file), 'utf8');
const DEFAULT_PORT = '7420';
const HEALTH = '/api/v1/health';

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, read field by field
type Doc = Record<string, any>;
const k8s: Doc[] = readdirSync(join(DEPLOY, 'k8s'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(read(`k8s/${f}`)).map((d) => ({ ...(d.toJS() as Doc), file: f })));
const compose = parseAllDocuments(read('compose.yaml'))[0]?.toJS() as Doc;
const kind = (k: string) => k8s.filter((d) => d.kind === k);

/** Every `baton …` command line the deployment files run: the image's default, compose's and Kubernetes'. */
function commandLines(): string[][] {
  const lines: string[][] = [];
  const dockerfile = read('Dockerfile');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  lines.push(JSON.parse(cmd as string) as string[]);
  const fromShell = (s: string) => s.split('&&').map((part) => part.trim().split(/\s+/).slice(1));
  for (const svc of Object.values(compose.services as Record<string, Doc>)) {
    if (Array.isArray(svc.command)) lines.push(svc.command);
    if (Array.isArray(svc.entrypoint) && svc.entrypoint[0] === 'sh') lines.push(...fromShell(svc.entrypoint[2]));
  }
  for (const d of [...kind('Deployment'), ...kind('Job')]) {
    for (const c of d.spec.template.spec.containers as Doc[]) {
      if (c.args) lines.push(c.args);
      if (c.command?.[0] === 'sh') lines.push(...fromShell(c.command[2]));
    }
  }
  for (const line of read('entrypoint.sh').matchAll(/^\s+baton (.+)$/gm)) lines.push((line[1] as string).split(/\s+/));
  return lines;
}

const helpOf = new Map<string, string>();
function help(words: string[]): string {
  const key = words.join(' ');
  if (!helpOf.has(key)) {
    const r = spawnSync(process.execPath, [BIN, ...words, '--help'], { encoding: 'utf8', env: childEnv() });
    expect(r.status, `baton ${key} --help: ${r.stderr}`).toBe(0);
    helpOf.set(key, r.stdout);
  }
  return helpOf.get(key) as string;
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

describe('deployment files', () => {
  it('run only commands and options the CLI has', () => {
    const lines = commandLines();
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) {
      // The command is its leading words (`keys create`), up to the first option.
      const firstOption = line.findIndex((w) => w.startsWith('-'));
      const text = help(firstOption === -1 ? line : line.slice(0, firstOption));
      for (const option of line.filter((w) => w.startsWith('--'))) {
        expect(text, `baton ${line.join(' ')}: ${option}`).toContain(`${option} `);
      }
    }
  });

  it('agree on the port and probe the health route the server answers without a key', () => {
    const dockerfile = read('Dockerfile');
    expect(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]).toBe(DEFAULT_PORT);
    expect(dockerfile).toMatch(new RegExp(`HEALTHCHECK[\\s\\S]*127\\.0\\.0\\.1:${DEFAULT_PORT}${HEALTH}`));
    expect(dockerfile).toMatch(/^USER node$/m);
    const [deployment] = kind('Deployment');
    const container = deployment?.spec.template.spec.containers[0] as Doc;
    const portArg = container.args[container.args.indexOf('--port') + 1];
    expect(String(container.ports[0].containerPort)).toBe(portArg);
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: HEALTH, port: container.ports[0].name });
    }
    const [service] = kind('Service');
    expect(service?.spec.ports[0].targetPort).toBe(container.ports[0].name);
    const labels = deployment?.spec.template.metadata.labels;
    for (const d of [service, ...kind('PodDisruptionBudget')]) {
      const selector = d?.spec.selector.matchLabels ?? d?.spec.selector;
      for (const [k, v] of Object.entries(selector)) expect(labels[k], `${d?.file}: ${k}`).toBe(v);
    }
    expect(deployment?.spec.selector.matchLabels).toEqual(labels);
    // Every secret key the pods read is in the Secret.
    const secret = kind('Secret')[0];
    for (const d of [...kind('Deployment'), ...kind('Job')]) {
      for (const env of d.spec.template.spec.containers.flatMap((c: Doc) => c.env ?? [])) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref) expect(Object.keys(secret?.stringData ?? {}), `${d.file}: ${ref.key}`).toContain(ref.key);
      }
    }
    expect(compose.services.proxy.ports).toEqual([`${DEFAULT_PORT}:${DEFAULT_PORT}`]);
    expect(compose.services.baton.deploy.replicas).toBe(2);
    expect(read('nginx.conf')).toMatch(new RegExp(`server baton:${DEFAULT_PORT};`));
  });

  it("the image's entrypoint brings up a fresh store with the operator's admin key, and only that key opens it", async () => {
    const dir = sealedFolder('baton-entrypoint');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // `baton` on the PATH, as the image links it.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'baton'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'baton'), 0o755);
    const key = `baton_entry001_${'x9Y8-z7W6_'.repeat(5)}`;
    const env = { PATH: `${bin}:${process.env.PATH}`, BATON_DB: join(dir, 'data', 'baton.db'), BATON_ADMIN_KEY: key };
    const started = await startBaton(
      dir,
      [],
      /Baton is serving (http:\/\/\S+)/,
      env,
      // Through the shell script itself, not through the binary.
      [join(DEPLOY, 'entrypoint.sh'), 'serve', '--host', '127.0.0.1', '--port', '0'],
    );
    try {
      const url = started.match[1] as string;
      expect((await fetch(`${url}${HEALTH}`)).status).toBe(200);
      expect((await fetch(`${url}/api/v1/status`)).status).toBe(401);
      expect((await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    } finally {
      started.child.kill('SIGTERM');
      await exited(started.child);
    }
  });
});
