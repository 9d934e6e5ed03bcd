import type { z } from 'zod';
import type { Baton } from '../app/baton.js';
import type { AgentSession } from './session.js';

/** What a tool needs: the Baton (local or remote, it cannot tell) and this agent's session. */
export interface ToolContext {
  baton: Baton;
  session: AgentSession;
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
}

/** A tool's answer: one line for a person or a model skimming, and compact JSON with the facts. */
export interface ToolReply {
  summary: string;
  data: unknown;
}

export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  /** Says what the tool does, what the statuses it touches mean, and which tool comes next. */
  description: string;
  input: S;
  annotations: ToolAnnotations;
  run(args: z.output<S>, ctx: ToolContext): Promise<ToolReply>;
}

/** Keeps each tool's argument type checked while letting tools of different shapes share a list. */
export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool {
  return tool as unknown as Tool;
}

export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
export const WRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, openWorldHint: false };
