import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BreakdownResult } from '../../src/app/baton.js';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { PlannerBreakers } from '../../src/app/planner-breakers.js';
import { plannerOutputJsonSchema } from '../../src/core/breakdown/schemas.js';
import { type Project, project } from './helpers.js';

const H = 60;

/** A good answer: four subtasks, two of them parallel after the first, estimates of their own. */
const GOOD = {
  subtasks: [
    { title: 'Sketch the flows', capabilities: ['ux'], estimateMinutes: 120, dependsOn: [] },
    { title: 'Build the screens', estimateMinutes: 600, dependsOn: [0] },
    { title: 'Wire the API', capabilities: ['api'], estimateMinutes: 480, dependsOn: [0] },
    { title: 'Test end to end', description: 'happy paths first', estimateMinutes: 240, dependsOn: [1, 2] },
  ],
};
/** Alive and not a zombie waiting for the container's init to reap it. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const CYCLE = {
  subtasks: [
    { title: 'A', dependsOn: [1] },
    { title: 'B', dependsOn: [0] },
  ],
};

let projects: Project[] = [];
let batons: LocalBaton[] = [];
afterEach(async () => {
  for (const b of batons) await b.close();
  for (const p of projects) p.cleanup();
  projects = [];
  batons = [];
});

async function open(config: string, files: Record<string, string> = {}): Promise<{ baton: LocalBaton; dir: string }> {
  const p = project();
  projects.push(p);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(p.dir, name), text);
  p.write('config.yaml', config.replaceAll('$DIR', p.dir));
  const baton = await p.open();
  batons.push(baton);
  return { baton, dir: p.dir };
}

async function expectFallback(baton: LocalBaton, result: BreakdownResult, reason: RegExp): Promise<void> {
  expect(result.planner).toBe('rules');
  expect(result.fallbackReason).toMatch(reason);
  expect(result.subtasks.length).toBeGreaterThan(0);
  const task = await baton.getTask(result.task.id);
  expect(task.notes.at(-1)?.text).toMatch(reason);
  expect(task.notes.at(-1)?.text).toMatch(/used the rule planner instead$/);
  const event = (await baton.events({ taskId: task.id })).find((e) => e.type === 'broken_down');
  expect(event?.data).toMatchObject({ planner: 'rules', requestedPlanner: result.requestedPlanner });
  expect(String(event?.data?.fallbackReason)).toMatch(reason);
}

function expectGoodPlan(result: BreakdownResult, planner: 'command' | 'http'): void {
  expect(result).toMatchObject({ planner, requestedPlanner: planner, fallbackReason: null });
  expect(result.subtasks.map((s) => s.title)).toEqual(GOOD.subtasks.map((s) => s.title));
  const [sketch, screens, api, test] = result.subtasks;
  expect(screens?.dependsOn).toEqual([sketch?.id]);
  expect(api?.dependsOn).toEqual([sketch?.id]);
  expect(test?.dependsOn).toEqual([screens?.id, api?.id].sort((a, b) => (a ?? 0) - (b ?? 0)));
  // The planner's labels (ux, api) add nothing: the subtasks need what the parent needs.
  expect(sketch?.capabilities).toEqual(['react']);
  expect(api?.capabilities).toEqual(['react']);
  expect(test?.description).toBe('happy paths first');
  expect(result.subtasks.map((s) => s.estimateMinutes)).toEqual([120, 600, 480, 240]);
}

describe('command planner', () => {
  const script = (body: string) => `let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => { const task = JSON.parse(input).task; ${body} });
`;
  const files = {
    'good.mjs': script(
      `if (task.title !== 'Checkout redesign' || task.estimateMinutes !== 1440) process.exit(3);
       process.stdout.write(JSON.stringify(${JSON.stringify(GOOD)}));`,
    ),
    'garbage.mjs': script(`process.stdout.write('Sure! Here is your plan: {subtasks: ...');`),
    'cycle.mjs': script(`process.stdout.write(JSON.stringify(${JSON.stringify(CYCLE)}));`),
    // The shell notes its child's pid at once, before node has started: on a busy machine node
    // alone could take longer than the 1 s timeout to get anywhere.
    'slow.sh': `node -e 'setTimeout(() => process.stdout.write("{}"), 30000)' &
echo $! > "$(dirname "$0")/slow.pid"
wait
`,
    'huge.mjs': script(`process.stdout.write(JSON.stringify({ subtasks: [{ title: 'x'.repeat(50000) }] }));`),
    'crash.mjs': script(`console.error('model quota exhausted'); process.exit(7);`),
    // Notes each call, then fails as an agent CLI without credentials does.
    'counted.cjs': script(
      `require('node:fs').appendFileSync(process.argv[2], 'call\\n'); console.error('not logged in'); process.exit(1);`,
    ),
  };
  /** Far more time than any of these needs, except where running out of it is the point. */
  const config = (file: string, timeout = '60s') =>
    `breakdown:\n  planner: command\n  command: ${file.endsWith('.sh') ? 'sh' : 'node'} $DIR/${file}\n  timeout: ${timeout}\n  maxOutputBytes: 20000\n`;

  it('uses a good answer: the task goes in as JSON on stdin, the subtasks come out', async () => {
    const { baton } = await open(config('good.mjs'), files);
    const t = await baton.createTask({
      title: 'Checkout redesign',
      estimateMinutes: 24 * H,
      capabilities: ['react'],
      noBreakdown: true,
    });
    expectGoodPlan(await baton.breakdown(t.id), 'command');
  });

  it('is used on creation when configured', async () => {
    const { baton } = await open(config('good.mjs'), files);
    const t = await baton.createTask({ title: 'Checkout redesign', estimateMinutes: 24 * H + 0, capabilities: ['react'] });
    // 24h is complex, not epic: created whole; an explicit breakdown uses the configured planner.
    expect(t.status).toBe('queued');
    const epic = await baton.createTask({ title: 'Checkout redesign v2', estimateMinutes: 30 * H });
    const ev = (await baton.events({ taskId: epic.id })).find((e) => e.type === 'broken_down');
    // good.mjs refuses any other task (exit 3), so this one falls back, and says why.
    expect(ev?.data).toMatchObject({ requestedPlanner: 'command', planner: 'rules' });
    expect(String(ev?.data?.fallbackReason)).toMatch(/exited with code 3/);
  });

  it.each([
    ['malformed JSON', 'garbage.mjs', /command planner: output is not JSON/],
    ['a dependency cycle', 'cycle.mjs', /command planner: invalid plan: subtasks: dependencies form a cycle 1 -> 2 -> 1/],
    ['oversized output', 'huge.mjs', /command planner: command output exceeded 20000 bytes/],
    ['a failing command', 'crash.mjs', /command planner: command exited with code 7: model quota exhausted/],
  ])('falls back to the rule planner on %s, and records why', async (_what, file, reason) => {
    const { baton } = await open(config(file), files);
    const t = await baton.createTask({ title: 'Checkout redesign', estimateMinutes: 24 * H, noBreakdown: true });
    await expectFallback(baton, await baton.breakdown(t.id), reason);
  });

  it('kills a command that runs past the timeout and falls back', async () => {
    const { baton, dir } = await open(config('slow.sh', '1s'), files);
    const t = await baton.createTask({ title: 'Checkout redesign', estimateMinutes: 24 * H, noBreakdown: true });
    // Left alone, slow.sh would answer `{}` after 30 s: the reason shows it was cut off at 1 s.
    const result = await baton.breakdown(t.id);
    await expectFallback(baton, result, /command planner: command timed out after 1s/);
    // The shell's child went with it: nothing is left running (once the signal has landed).
    const pid = Number(readFileSync(join(dir, 'slow.pid'), 'utf8'));
    for (let i = 0; i < 400 && running(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(running(pid)).toBe(false);
  });

  it('stops calling a planner that failed 5 times in a row (its circuit breaker) and says why', async () => {
    const calls = (dir: string) => readFileSync(join(dir, 'calls.txt'), 'utf8').trim().split('\n').length;
    const { baton, dir } = await open(config('counted.cjs $DIR/calls.txt'), files);
    for (let i = 1; i <= 5; i++) {
      const t = await baton.createTask({ title: `Checkout redesign ${i}`, estimateMinutes: 24 * H, noBreakdown: true });
      await expectFallback(baton, await baton.breakdown(t.id), /command planner: .*not logged in/);
      expect(calls(dir)).toBe(i);
    }
    const t = await baton.createTask({ title: 'Checkout redesign 6', estimateMinutes: 24 * H, noBreakdown: true });
    const result = await baton.breakdown(t.id);
    await expectFallback(baton, result, /command planner: its circuit breaker is open \(5 attempts failed in a row\)/);
    expect(result.fallbackReason).toMatch(/called again after \d{4}-\d\d-\d\dT/);
    // Not called: the breakdown did not wait on it.
    expect(calls(dir)).toBe(5);
  });

  it('a planner breaker half-opens after its cool-down and closes on a success', () => {
    const breakers = new PlannerBreakers();
    const t0 = Date.UTC(2030, 0, 1);
    for (let i = 0; i < 5; i++) {
      expect(breakers.refusal('http', t0)).toBeNull();
      breakers.record('http', true, t0);
    }
    expect(breakers.refusal('http', t0 + 1000)).toMatch(/circuit breaker is open/);
    // Another planner has its own breaker.
    expect(breakers.refusal('command', t0 + 1000)).toBeNull();
    const after = t0 + 10 * 60_000;
    expect(breakers.refusal('http', after)).toBeNull(); // the one probe
    expect(breakers.refusal('http', after + 1)).toMatch(/circuit breaker is open/);
    breakers.record('http', false, after + 2);
    expect(breakers.refusal('http', after + 3)).toBeNull();
    expect(breakers.refusal('http', after + 4)).toBeNull();
  });

  it('the agent recipe of docs/planners.md turns an agent CLI into a planner, end to end', async () => {
    const recipe = resolve(import.meta.dirname, '../../docs/examples/planners/agent-planner.sh');
    // Stands in for an agent CLI: reads the prompt on stdin, answers with prose around fenced JSON.
    const agent = `let prompt = '';
process.stdin.on('data', (d) => { prompt += d; });
process.stdin.on('end', () => {
  if (!prompt.includes('"title": "Baton planner output"') || !prompt.includes('Checkout redesign')) process.exit(9);
  process.stdout.write('Here is the plan.\\n\\n\`\`\`json\\n' + JSON.stringify(${JSON.stringify(GOOD)}) + '\\n\`\`\`\\nGood luck!\\n');
});
`;
    const command = `AGENT='node $DIR/agent.mjs' sh ${recipe}`;
    const { baton } = await open(`breakdown:\n  planner: command\n  command: "${command}"\n  timeout: 60s\n`, {
      'agent.mjs': agent,
    });
    const t = await baton.createTask({
      title: 'Checkout redesign',
      estimateMinutes: 24 * H,
      capabilities: ['react'],
      noBreakdown: true,
    });
    expectGoodPlan(await baton.breakdown(t.id), 'command');
  });

  it('publishes the answer it expects as a JSON Schema file, kept in step with the checks', () => {
    const file = resolve(import.meta.dirname, '../../docs/planner-output.schema.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(plannerOutputJsonSchema());
  });

  it('falls back when no command is configured', async () => {
    const { baton } = await open('breakdown:\n  planner: command\n');
    const t = await baton.createTask({ title: 'Checkout redesign', estimateMinutes: 24 * H, noBreakdown: true });
    await expectFallback(baton, await baton.breakdown(t.id), /no breakdown\.command/);
  });

  it('a dry run with a failing planner writes nothing either', async () => {
    const { baton } = await open(config('garbage.mjs'), files);
    const t = await baton.createTask({ title: 'Checkout redesign', estimateMinutes: 24 * H, noBreakdown: true });
    const before = await baton.exportData();
    const result = await baton.breakdown(t.id, { dryRun: true });
    expect(result.fallbackReason).toMatch(/not JSON/);
    expect({ ...(await baton.exportData()), exportedAt: '' }).toEqual({ ...before, exportedAt: '' });
  });
});

describe('http planner (OpenAI-compatible /chat/completions)', () => {
  let server: Server;
  let url = '';
  let respond: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => undefined;
  const seen: { path: string; auth: string | undefined; body: { model?: string; messages?: { content: string }[] } }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        seen.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(body) });
        respond(req, body, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const reply = (content: string) => (_req: IncomingMessage, _body: string, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content } }] }),
    );
  };
  /** Far more time than an answer from this process needs, except where running out of it is the point. */
  const config = (timeout: string) =>
    `breakdown:\n  timeout: ${timeout}\n  maxOutputBytes: 20000\n  http:\n    url: ${url}\n    model: planner-test\n    apiKeyEnv: BATON_TEST_PLANNER_KEY\n`;

  async function breakdownWith(
    handler: typeof respond,
    timeout = '60s',
  ): Promise<{ baton: LocalBaton; result: BreakdownResult }> {
    respond = handler;
    const { baton } = await open(config(timeout));
    const t = await baton.createTask({
      title: 'Checkout redesign',
      estimateMinutes: 24 * H,
      capabilities: ['react'],
      noBreakdown: true,
    });
    return { baton, result: await baton.breakdown(t.id, { planner: 'http' }) };
  }

  it('uses a good answer, sent with the model, the key and the task', async () => {
    process.env.BATON_TEST_PLANNER_KEY = 'sk-test-123';
    seen.length = 0;
    // Chat models like to fence their JSON; that is accepted.
    const { result } = await breakdownWith(reply(`\`\`\`json\n${JSON.stringify(GOOD)}\n\`\`\``));
    expectGoodPlan(result, 'http');
    expect(seen[0]?.path).toBe('/v1/chat/completions');
    expect(seen[0]?.auth).toBe('Bearer sk-test-123');
    expect(seen[0]?.body.model).toBe('planner-test');
    expect(seen[0]?.body.messages?.at(-1)?.content).toContain('Checkout redesign');
  });

  it('falls back on malformed JSON', async () => {
    const { baton, result } = await breakdownWith(reply('I would split it into design, build and test.'));
    await expectFallback(baton, result, /http planner: output is not JSON/);
  });

  it('falls back on a cycle', async () => {
    const { baton, result } = await breakdownWith(reply(JSON.stringify(CYCLE)));
    await expectFallback(baton, result, /http planner: invalid plan: .*cycle/);
  });

  it('falls back on a wrong shape', async () => {
    const { baton, result } = await breakdownWith(reply(JSON.stringify({ steps: ['a', 'b'] })));
    await expectFallback(baton, result, /http planner: output does not match \{"subtasks":\[…\]\}: subtasks:/);
  });

  it('falls back when the endpoint is too slow', async () => {
    // A good plan, but 5 s late: the reason shows the request was cut off at 1 s.
    const { baton, result } = await breakdownWith((_req, _body, res) => {
      setTimeout(() => reply(JSON.stringify(GOOD))(_req, _body, res), 5000);
    }, '1s');
    await expectFallback(baton, result, /http planner: request timed out after 1s/);
  });

  it('falls back on an oversized answer', async () => {
    const { baton, result } = await breakdownWith(reply(JSON.stringify({ subtasks: [{ title: 'y'.repeat(60_000) }] })));
    await expectFallback(baton, result, /http planner: endpoint answer exceeded 20000 bytes/);
  });

  it('falls back on an HTTP error', async () => {
    const { baton, result } = await breakdownWith((_req, _body, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad key"}}');
    });
    await expectFallback(baton, result, /http planner: endpoint answered HTTP 401/);
  });

  it('falls back when nothing listens at the URL', async () => {
    const { baton } = await open('breakdown:\n  timeout: 1s\n  http:\n    url: http://127.0.0.1:9/v1\n    model: m\n');
    const t = await baton.createTask({ title: 'Checkout redesign', estimateMinutes: 24 * H, noBreakdown: true });
    await expectFallback(baton, await baton.breakdown(t.id, { planner: 'http' }), /http planner: request failed/);
  });
});
