import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll } from 'vitest';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';
import { BIN, freshProject } from '../cli/run-cli.js';
import { childEnv } from '../helpers/sealed.js';

export { cli, freshProject, json } from '../cli/run-cli.js';

if (!existsSync(resolve(import.meta.dirname, '../../dist/mcp/server.js'))) {
  throw new Error('dist/mcp/server.js is missing: build first (npx tsc -p tsconfig.build.json)');
}

/** An agent connected to `baton mcp` exactly as a real client starts it: a child process over stdio. */
export interface Agent {
  client: Client;
  transport: StdioClientTransport;
  /** What the server wrote to stderr. */
  stderr(): string;
  /**
   * Ends the server's stdin, as a client that goes away does, and resolves with its exit code once
   * it exits by itself. Unlike `close()`, never signals it: the SDK sends SIGTERM to a server still
   * running 2 s after, which would hide a server that does not stop on its own.
   */
  disconnect(): Promise<number | null>;
  call(name: string, args?: Record<string, unknown>): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  isError: boolean;
  summary: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the tool returned
  data: any;
  /** Characters of text the agent reads. */
  size: number;
}

export async function connect(
  cwd: string,
  options: { args?: string[]; env?: Record<string, string>; name?: string } = {},
): Promise<Agent> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...(options.args ?? [])],
    cwd,
    env: childEnv(options.env),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => {
    stderr += d;
  });
  const client = new Client({ name: options.name ?? 'test-agent', version: '1.0.0' });
  await client.connect(transport);
  // The SDK keeps the server's process to itself.
  const child = (transport as unknown as { _process?: ChildProcess })._process;
  if (!child) throw new Error('the MCP client transport no longer exposes its process: update disconnect()');
  return {
    client,
    transport,
    stderr: () => stderr,
    disconnect: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.stdin?.end();
      }),
    call: (name, args = {}) => callTool(client, name, args),
    close: () => client.close(),
  };
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Reply> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  const texts = content.map((c) => c.text);
  return {
    isError: result.isError === true,
    summary: texts[0] ?? '',
    data: texts[1] !== undefined ? JSON.parse(texts[1]) : undefined,
    size: texts.reduce((n, t) => n + t.length, 0),
  };
}

/** What the tests of one `describe` share: a project, its store opened in this process, an agent. */
export interface SharedProject {
  /** The project folder (its `.baton/` holds the store). */
  readonly dir: string;
  /** The store, to set up and inspect. */
  readonly baton: LocalBaton;
  /** The agent connected to `baton mcp` in the project; only with `workerId`. */
  readonly agent: Agent;
}

/**
 * Makes one project for the tests of the enclosing `describe` (its store, then `prepare`, then with
 * `workerId` an agent connected as that worker) and closes them after the last test. The fields
 * are read inside tests, once `beforeAll` has run.
 */
export function useProject(options: { workerId?: string; prepare?: (baton: LocalBaton) => Promise<void> } = {}): SharedProject {
  let project: ReturnType<typeof freshProject> | undefined;
  let baton: LocalBaton | undefined;
  let agent: Agent | undefined;
  beforeAll(async () => {
    project = freshProject();
    baton = await openStore(project.dir);
    await options.prepare?.(baton);
    if (options.workerId) agent = await connect(project.dir, { env: { BATON_WORKER_ID: options.workerId } });
  });
  afterAll(async () => {
    await agent?.close();
    await baton?.close();
    project?.cleanup();
  });
  const made = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is made in beforeAll${what === 'the agent' ? ', with workerId' : ''}`);
    return value;
  };
  return {
    get dir() {
      return made(project, 'the project').dir;
    },
    get baton() {
      return made(baton, 'the store');
    },
    get agent() {
      return made(agent, 'the agent');
    },
  };
}

/** The store of a test project, opened in this process to set up and inspect. */
export function openStore(dir: string): Promise<LocalBaton> {
  return openBaton({ db: join(dir, '.baton', 'baton.db'), actor: 'test' });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds or `ms` pass. */
export async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}
