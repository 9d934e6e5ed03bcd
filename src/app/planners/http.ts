import { PlannerError } from './output.js';

export interface HttpPlannerOptions {
  /** Base URL of an OpenAI-compatible API (`…/v1`), or the full `…/chat/completions` URL. */
  url: string;
  model: string;
  apiKey: string | null;
  payload: unknown;
  timeoutMs: number;
  maxBytes: number;
}

const INSTRUCTIONS = [
  'You break a software task into subtasks that separate workers can do.',
  'Answer with JSON only, no prose: {"subtasks":[{"title":string,"description":string,',
  '"capabilities":[string],"estimateMinutes":number,"dependsOn":[index]}]}.',
  'dependsOn lists 0-based indexes of subtasks that must finish first; leave independent subtasks',
  'without dependencies so they can run in parallel. At most 30 subtasks; estimates should add up',
  'to the task estimate when it has one.',
].join(' ');

export function chatCompletionsUrl(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/chat/completions') ? base : `${base}/chat/completions`;
}

/** Asks an OpenAI-compatible chat endpoint for a plan; returns the message content. */
export async function runHttpPlanner(options: HttpPlannerOptions): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const body = {
    model: options.model,
    temperature: 0,
    response_format: { type: 'json_object' },
    messages: [
      { role: 'system', content: INSTRUCTIONS },
      { role: 'user', content: JSON.stringify(options.payload) },
    ],
  };
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(chatCompletionsUrl(options.url), { method: 'POST', headers, body: JSON.stringify(body), signal });
  } catch (err) {
    throw new PlannerError(
      signal.aborted ? `request timed out after ${options.timeoutMs / 1000}s` : `request failed (${cause(err)})`,
    );
  }
  const text = await readLimited(response, options.maxBytes, signal, options.timeoutMs);
  if (!response.ok) throw new PlannerError(`endpoint answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  let reply: { choices?: { message?: { content?: unknown } }[] };
  try {
    reply = JSON.parse(text);
  } catch {
    throw new PlannerError('endpoint answer is not JSON');
  }
  const content = reply.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new PlannerError('endpoint answer has no choices[0].message.content');
  return content;
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal, timeoutMs: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel();
        throw new PlannerError(`endpoint answer exceeded ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof PlannerError) throw err;
    throw new PlannerError(
      signal.aborted ? `request timed out after ${timeoutMs / 1000}s` : `reading the answer failed (${cause(err)})`,
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

function cause(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
