import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { clipHead, clipTail, jsonBytes, LIMITS } from '../../src/core/limits.js';
import {
  claimManySchema,
  completeSchema,
  createTaskSchema,
  dependenciesSchema,
  failSchema,
  noteSchema,
  parseWith,
  progressSchema,
  reviewSchema,
  workerIdSchema,
} from '../../src/core/schemas.js';
import * as mcp from '../../src/mcp/schemas.js';
import * as http from '../../src/server/http-schemas.js';
import { LIMIT_CASES, type LimitCall } from '../helpers/limit-cases.js';
import { thrown } from '../helpers/task.js';

const lease = { workerId: 'w1', token: 1 };
const ids = Array.from({ length: LIMITS.dependsOn + 1 }, (_, i) => i + 1);

/** Each call's schema at every door, with what that door adds to a case's input. */
const DOORS: Record<LimitCall, { door: string; schema: z.ZodType; extra: Record<string, unknown> }[]> = {
  create: [
    { door: 'core', schema: createTaskSchema, extra: {} },
    { door: 'http', schema: http.createTaskSchema, extra: {} },
    { door: 'mcp', schema: mcp.createTaskInput, extra: {} },
  ],
  progress: [
    { door: 'core', schema: progressSchema, extra: lease },
    { door: 'http', schema: http.progressBody, extra: lease },
    { door: 'mcp', schema: mcp.reportProgressInput, extra: { id: 1 } },
  ],
  note: [
    { door: 'core', schema: noteSchema, extra: {} },
    { door: 'http', schema: http.noteBody, extra: {} },
    { door: 'mcp', schema: mcp.addNoteInput, extra: { id: 1 } },
  ],
  complete: [
    { door: 'core', schema: completeSchema, extra: lease },
    { door: 'http', schema: http.completeBody, extra: lease },
    { door: 'mcp', schema: mcp.completeTaskInput, extra: { id: 1 } },
  ],
  fail: [
    { door: 'core', schema: failSchema, extra: lease },
    { door: 'http', schema: http.failBody, extra: lease },
    { door: 'mcp', schema: mcp.failTaskInput, extra: { id: 1 } },
  ],
  depend: [
    { door: 'core', schema: dependenciesSchema, extra: {} },
    { door: 'http', schema: http.dependenciesBody, extra: {} },
    { door: 'mcp', schema: mcp.addDependencyInput, extra: { id: 1 } },
  ],
};

describe('one set of limits at every door', () => {
  const rows = LIMIT_CASES.flatMap((c) => DOORS[c.call].map((d) => [c.name, d.door, c, d] as const));

  it.each(rows)('%s (%s): refused one past the limit naming the field, accepted at it', (_, _door, c, d) => {
    const err = thrown(() => parseWith(d.schema, { ...d.extra, ...c.over(ids) }));
    expect(err.code).toBe('invalid_argument');
    expect(err.details?.field).toBe(c.field);
    expect(err.message.startsWith(`${c.field}: `)).toBe(true);
    expect(() => parseWith(d.schema, { ...d.extra, ...c.at(ids) })).not.toThrow();
  });

  it('narrows only what travels differently: a long-poll, an agent-sized page', () => {
    expect(thrown(() => parseWith(http.claimBody, { workerId: 'w', wait: LIMITS.httpClaimWaitSeconds + 1 })).details?.field).toBe(
      'wait',
    );
    expect(() => parseWith(http.claimBody, { workerId: 'w', wait: LIMITS.httpClaimWaitSeconds })).not.toThrow();
    expect(() => parseWith(claimManySchema, { workerId: 'w', limit: 1, waitSeconds: LIMITS.claimWaitSeconds })).not.toThrow();
    expect(thrown(() => parseWith(mcp.nextTaskInput, { waitSeconds: LIMITS.mcpClaimWaitSeconds + 1 })).details?.field).toBe(
      'waitSeconds',
    );
    expect(thrown(() => parseWith(mcp.listTasksInput, { limit: LIMITS.mcpListLimit + 1 })).details?.field).toBe('limit');
  });
});

describe('the core schemas', () => {
  it('trims a title before measuring it, and refuses an empty one', () => {
    expect(parseWith(createTaskSchema, { title: `  ${'a'.repeat(LIMITS.titleChars)}  ` }).title).toHaveLength(LIMITS.titleChars);
    expect(thrown(() => parseWith(createTaskSchema, { title: ' \t ' })).message).toBe('title: must not be empty');
    expect(thrown(() => parseWith(createTaskSchema, { title: 'a'.repeat(201) })).message).toBe(
      'title: must be at most 200 characters',
    );
  });

  it('refuses a too-long fail error instead of cutting it', () => {
    const err = thrown(() => parseWith(failSchema, { ...lease, error: 'e'.repeat(LIMITS.errorChars + 1) }));
    expect(err.message).toBe(`error: must be at most ${LIMITS.errorChars} characters`);
    expect(parseWith(failSchema, { ...lease, error: ` ${'e'.repeat(LIMITS.errorChars)} ` }).error).toHaveLength(
      LIMITS.errorChars,
    );
  });

  it('keeps progress to two decimals, drops blank artifacts and repeated capabilities', () => {
    expect(parseWith(progressSchema, { ...lease, progress: 12.345 }).progress).toBe(12.35);
    expect(parseWith(completeSchema, { ...lease, artifacts: [' out.txt ', '  '] }).artifacts).toEqual(['out.txt']);
    expect(parseWith(createTaskSchema, { title: 't', capabilities: ['go', 'go', 'sql'] }).capabilities).toEqual(['go', 'sql']);
  });

  it('names unknown fields, wrong types and the field of a bare value', () => {
    expect(thrown(() => parseWith(reviewSchema, { workerId: 'w', pass: true, grade: 3 })).message).toBe(
      'input: unknown field grade',
    );
    expect(thrown(() => parseWith(reviewSchema, { workerId: 'w', pass: 'yes' })).message).toBe('pass: must be true or false');
    expect(thrown(() => parseWith(reviewSchema, { workerId: 'w', pass: true, score: 101 })).details?.field).toBe('score');
    expect(thrown(() => parseWith(workerIdSchema, 'bad id', { what: 'worker' })).message).toMatch(/^worker: /);
    expect(thrown(() => parseWith(completeSchema, { ...lease, result: { n: 1n } })).message).toBe('result: must be a JSON value');
  });
});

describe('limits helpers', () => {
  it('measures JSON as UTF-8 bytes', () => {
    expect(jsonBytes(undefined)).toBe(0);
    expect(jsonBytes('é')).toBe(4);
    expect(jsonBytes({ a: [1, 2] })).toBe('{"a":[1,2]}'.length);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(jsonBytes(cycle)).toBeNull();
  });

  it('clips to the end (errors) or the start (names), marking the cut', () => {
    expect(clipTail('  short  ', 10)).toBe('short');
    expect(clipTail('0123456789abc', 5)).toBe('…9abc');
    expect(clipHead('0123456789abc', 5)).toBe('0123…');
    const emoji = '😀'.repeat(10);
    expect(clipTail(emoji, 6)).toBe(`…${'😀'.repeat(2)}`);
    expect(clipHead(emoji, 6)).toBe(`${'😀'.repeat(2)}…`);
    expect(clipTail('x'.repeat(LIMITS.errorChars * 2), LIMITS.errorChars)).toHaveLength(LIMITS.errorChars);
  });
});

describe('README', () => {
  it('lists every limit with its value', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Limits'));
    const table = section.slice(0, section.indexOf('\n#'));
    const listed = Object.fromEntries(
      [...table.matchAll(/^\| `(\w+)` \| ([\d,]+) \|/gm)].map((m) => [m[1], Number((m[2] as string).replaceAll(',', ''))]),
    );
    expect(listed).toEqual({ ...LIMITS });
  });
});
