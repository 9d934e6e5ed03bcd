import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../cli/run-cli.js';
import { freshProject } from './helpers.js';

let child: ChildProcessWithoutNullStreams | null = null;
let project: { dir: string; cleanup: () => void } | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
  project?.cleanup();
  project = null;
});

/** `baton mcp` over raw stdio: what an agent writes, line by line, and every line it answers. */
function start() {
  project = freshProject();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
  child = spawn(process.execPath, [BIN, 'mcp', '--db', `${project.dir}/.baton/baton.db`], { cwd: project.dir, env });
  const answers: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    answers.push(JSON.parse(line));
    for (const w of waiters.splice(0)) w();
  });
  const proc = child;
  return {
    proc,
    write: (text: string) => proc.stdin.write(text),
    async answer(n: number) {
      while (answers.length < n) await new Promise<void>((r) => waiters.push(r));
      return answers[n - 1] as { id: unknown; error?: { code: number; message: string }; result?: Record<string, unknown> };
    },
  };
}

const initialize = (id: number) =>
  `${JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  })}\n`;

describe('baton mcp over stdio with bad input', () => {
  it('answers a malformed line with a parse error and a non-JSON-RPC line with invalid request, and stays up', async () => {
    const mcp = start();
    mcp.write('{not json\n');
    expect(await mcp.answer(1)).toMatchObject({ id: null, error: { code: -32700 } });
    mcp.write('{"hello":"there","id":7}\n');
    expect(await mcp.answer(2)).toMatchObject({ id: 7, error: { code: -32600 } });
    mcp.write(initialize(1));
    expect((await mcp.answer(3)).result?.serverInfo).toBeDefined();
    expect(mcp.proc.exitCode).toBeNull();
  });

  it('answers a 20 MB line with an error, skips it, and serves the next request', async () => {
    const mcp = start();
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'x', arguments: { a: 'x'.repeat(20_000_000) } },
    });
    mcp.write(`${huge}\n`);
    const refused = await mcp.answer(1);
    expect(refused.error?.code).toBe(-32600);
    expect(refused.error?.message).toMatch(/too large/);
    mcp.write(initialize(2));
    expect(await mcp.answer(2)).toMatchObject({ id: 2, result: { serverInfo: expect.anything() } });
    expect(mcp.proc.exitCode).toBeNull();
  });
});
