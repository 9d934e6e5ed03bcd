/**
 * Every size and count Baton accepts, in one place. The core schemas (`core/schemas.ts`) enforce
 * them and every edge — CLI, HTTP, MCP — derives its shapes from those schemas, so one input is
 * refused the same way, with the same field named, whichever door it comes through.
 *
 * This module loads no zod: the worker loop and the CLI read it to stay within the limits before
 * they send anything. README.md ("Limits") lists these values; tests/core/schemas.test.ts keeps
 * the two in step.
 */
export const LIMITS = {
  /** Named queues one claim may serve. */
  queuesPerClaim: 50,
  /** Tasks one imported plan may create. */
  planTasks: 1_000,
  /** An imported plan as Markdown. */
  planChars: 1_000_000,
  /** A task title, after trimming (SPEC §2). */
  titleChars: 200,
  /** A task description (SPEC §2). */
  descriptionChars: 20_000,
  /** The shell command an executor worker runs. */
  commandChars: 20_000,
  /** A type, capability, tag or worker id. */
  nameChars: 100,
  /** Capabilities of a task or a worker. */
  capabilities: 50,
  tags: 50,
  /** Resources one task holds while it executes. */
  resources: 20,
  /** Tasks holding one resource that may execute at once. */
  resourceCapacity: 10_000,
  /** Dependencies given in one call (create, or add dependencies). */
  dependsOn: 1_000,
  /** The condition (a CEL expression) of a conditional dependency. */
  conditionChars: 2_000,
  /** A task's `input` payload, as UTF-8 JSON. */
  inputBytes: 256 * 1024,
  /** A task's `result` payload, as UTF-8 JSON. */
  resultBytes: 256 * 1024,
  /** Levels of nesting in an `input` or `result` payload (and in any request body). */
  jsonDepth: 64,
  /** Ten years: beyond that an estimate means nothing. */
  estimateMinutes: 5_256_000,
  maxRetries: 100,
  /** The longest lease, attempt timeout or retry delay: a week. */
  durationSeconds: 7 * 86_400,
  /** The first delay of a retry policy. */
  retryBaseSeconds: 86_400,
  /** A note, as written by `progress --note`, add_note or a release. */
  noteChars: 20_000,
  /** The name of a step reached (a checkpoint). */
  stepChars: 200,
  /** What went wrong in a failed attempt. Workers send the tail of longer output. */
  errorChars: 20_000,
  /** Files or URLs reported when completing. */
  artifacts: 1_000,
  /** One artifact path or URL: Linux's PATH_MAX. */
  artifactChars: 4_096,
  /** A reviewer's feedback. */
  feedbackChars: 20_000,
  /** Why a task was cancelled. */
  reasonChars: 2_000,
  /** A worker's display name. */
  workerNameChars: 200,
  /** A worker's host name (DNS allows 253). */
  hostChars: 255,
  /** The version a worker reports. */
  versionChars: 100,
  /** Tasks one worker runs at the same time. */
  concurrency: 1_000,
  /** A heartbeat's CPU share: 100 per core, for machines of up to 1,024 cores. */
  cpuPercent: 102_400,
  /** Tasks one claim may take. */
  claimLimit: 1_000,
  /** Completions one `completeMany` call may carry (as many as one claim may take). */
  completionBatch: 1_000,
  /** How long one claim may wait for work. */
  claimWaitSeconds: 3_600,
  /** One HTTP long-poll answers within this; longer waits are several polls. */
  httpClaimWaitSeconds: 60,
  /** MCP clients commonly give up on a call after 60 s; a longer wait would look like a hang. */
  mcpClaimWaitSeconds: 50,
  /** Tasks in one page of a listing (also the default): larger listings page on with `cursor`. */
  listLimit: 1_000,
  /** Characters of a text search of tasks. */
  searchChars: 500,
  /** Tasks one bulk change may touch (in one transaction). */
  bulkTasks: 1_000,
  /** Characters of a listing's cursor, as `next` gave it. */
  cursorChars: 200,
  /** Tasks in one page of list_tasks: an agent reads every one of them. */
  mcpListLimit: 100,
  /** Events in one answer of the HTTP history; clients page through more. */
  eventsPageLimit: 10_000,
  /** One piece of an attempt's output a remote worker sends to the server. */
  logChunkChars: 65_536,
  /** An attempt's output kept by the server for a remote worker, as UTF-8. */
  attemptLogBytes: 8 * 1024 * 1024,
  /** A workflow definition file (YAML or JSON), in characters. */
  workflowSourceChars: 256 * 1024,
} as const;

export type LimitName = keyof typeof LIMITS;

/** Size of a value as UTF-8 JSON, or null when it has no JSON form (a cycle, a BigInt). */
export function jsonBytes(value: unknown): number | null {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return null;
  }
  return text === undefined ? 0 : new TextEncoder().encode(text).length;
}

const ELLIPSIS = '…';

/**
 * The last `max` characters of `text` (after trimming), marked with a leading "…" when cut. For
 * output whose end says most: a failed command prints the reason last.
 */
export function clipTail(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  let tail = trimmed.slice(trimmed.length - (max - ELLIPSIS.length));
  // Never start with the second half of a surrogate pair.
  if (/^[\uDC00-\uDFFF]/.test(tail)) tail = tail.slice(1);
  return `${ELLIPSIS}${tail}`;
}

/** The first `max` characters of `text` (after trimming), marked with a trailing "…" when cut. */
export function clipHead(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  let head = trimmed.slice(0, max - ELLIPSIS.length);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}${ELLIPSIS}`;
}
