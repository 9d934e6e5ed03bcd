import { readFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Baton } from '../app/baton.js';
import { BatonError } from '../core/errors.js';
import { parseWith } from '../core/schemas.js';
import { toToolError } from './errors.js';
import { readResource, STATUS_RESOURCE, TASK_TEMPLATE, WORK_LOOP_PROMPT, workLoopText } from './resources.js';
import { AgentSession, type SessionOptions } from './session.js';
import { LineTransport } from './stdio.js';
import type { Tool, ToolContext, ToolReply } from './tool.js';
import { ASSIGNMENT_TOOLS } from './tools-assignment.js';
import { BOARD_TOOLS } from './tools-board.js';
import { PLANNING_TOOLS } from './tools-planning.js';
import { QUEUE_TOOLS } from './tools-queues.js';
import { STEER_TOOLS } from './tools-steer.js';
import { TEAM_TOOLS } from './tools-teams.js';
import { WORK_TOOLS } from './tools-work.js';
import { WORKFLOW_TOOLS } from './tools-workflows.js';
import { RESPONSE_BUDGET } from './views.js';

export const TOOLS: Tool[] = [
  ...WORK_TOOLS,
  ...BOARD_TOOLS,
  ...STEER_TOOLS,
  ...QUEUE_TOOLS,
  ...ASSIGNMENT_TOOLS,
  ...TEAM_TOOLS,
  ...PLANNING_TOOLS,
  ...WORKFLOW_TOOLS,
];

const INSTRUCTIONS =
  'Baton is a task board shared by several agents. Loop: next_task (claim) → do the work, report_progress → ' +
  'complete_task (or fail_task / release_task) → next_task. Your lease is renewed while you are connected and released ' +
  'when you disconnect. The work_loop prompt explains more.';

/**
 * Builds the MCP server over `baton` for one agent session (transport not yet connected).
 * It uses the SDK's low-level `Server` rather than `McpServer`: the latter validates tool input
 * itself and answers a bad argument with its own uncoded message, where an agent must get the
 * Baton error code and the next step like every other refusal.
 */
export function createMcpServer(baton: Baton, session: AgentSession, version: string): Server {
  const server = new Server(
    { name: 'baton', title: 'Baton', version },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, instructions: INSTRUCTIONS },
  );
  const listed = TOOLS.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: inputSchemaOf(t),
    annotations: { title: t.title, ...t.annotations },
  }));
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) =>
    session.track(callTool(request.params.name, request.params.arguments, { baton, session, signal: extra.signal })),
  );
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [STATUS_RESOURCE] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [TASK_TEMPLATE] }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    try {
      return { contents: [{ uri, mimeType: 'application/json', text: await readResource(baton, uri) }] };
    } catch (err) {
      const error = toToolError(err, 'read_resource');
      throw new McpError(ErrorCode.InvalidParams, `${error.code}: ${error.message}`, { code: error.code });
    }
  });
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [WORK_LOOP_PROMPT] }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    if (request.params.name !== WORK_LOOP_PROMPT.name) {
      throw new McpError(ErrorCode.InvalidParams, `unknown prompt ${request.params.name} (expected work_loop)`);
    }
    const text = workLoopText(request.params.arguments ?? {});
    return { description: WORK_LOOP_PROMPT.description, messages: [{ role: 'user', content: { type: 'text', text } }] };
  });
  return server;
}

/** The JSON Schema clients show the model; the zod schema stays the one that validates. */
function inputSchemaOf(tool: Tool): { type: 'object'; [key: string]: unknown } {
  const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return { ...schema, type: 'object' };
}

/** Validates with the tool's shared schema, runs it, and answers with a summary line and compact JSON. */
export async function callTool(name: string, args: unknown, ctx: ToolContext): Promise<CallToolResult> {
  const tool = TOOLS.find((t) => t.name === name);
  try {
    if (!tool) throw new BatonError('usage', `unknown tool ${name}; the tools are ${TOOLS.map((t) => t.name).join(', ')}`);
    const input = parseWith(tool.input, args ?? {}, { what: 'arguments' });
    return reply(await tool.run(input, ctx));
  } catch (err) {
    const error = toToolError(err, name);
    return {
      isError: true,
      content: [
        { type: 'text', text: `${error.code}: ${error.message} — ${error.next}` },
        { type: 'text', text: JSON.stringify({ error }) },
      ],
    };
  }
}

function reply({ summary, data }: ToolReply): CallToolResult {
  const json = JSON.stringify(data);
  if (summary.length + json.length <= RESPONSE_BUDGET) {
    return { content: [text(summary), text(json)] };
  }
  // Views are built to fit; this is the last guard of the token budget, should one ever not.
  const note = { tooLarge: json.length, next: 'narrow the request: a smaller limit, filters, or get_task with field' };
  return { content: [text(summary.slice(0, 500)), text(JSON.stringify(note))] };
}

const text = (value: string) => ({ type: 'text' as const, text: value });

/**
 * Serves one agent over stdio until the client goes away (stdin closes, or a signal), then
 * releases the tasks it held. Resolves when all of that is done.
 */
export async function serveStdio(baton: Baton, options: SessionOptions = {}): Promise<void> {
  // stdout carries the protocol: anything else printed there would corrupt it.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const session = new AgentSession(baton, {
    ...options,
    onLease: (event) =>
      process.stderr.write(
        event.type === 'lost'
          ? `baton mcp: lost task ${event.lease.taskId}: ${event.message}\n`
          : `baton mcp: could not renew the lease of task ${event.lease.taskId} (trying again): ${event.message}\n`,
      ),
  });
  const server = createMcpServer(baton, session, packageVersion());
  server.oninitialized = () => {
    session.clientName = server.getClientVersion()?.name;
    session.register().catch((err) => process.stderr.write(`baton mcp: could not register: ${(err as Error).message}\n`));
  };
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await session.close();
    await server.close().catch(() => undefined);
    finish();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = () => void stop();
  for (const s of signals) process.once(s, onSignal);
  process.stdin.once('end', onSignal);
  process.stdin.once('close', onSignal);
  server.onclose = onSignal;
  server.onerror = (err) => process.stderr.write(`baton mcp: ${err.message}\n`);
  await server.connect(new LineTransport());
  await finished;
  for (const s of signals) process.removeListener(s, onSignal);
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
