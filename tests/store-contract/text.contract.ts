import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/limits.js';
import { expectRefusedUnchanged, refusal, type StoreHarness } from './harness.js';

const NUL = 'a\u0000b';
const LONE_HIGH = 'a\uD83Db';
const LONE_LOW = '\uDE00 at the start';

/** Arrays nested `levels` deep: 1 is `[]`. */
function nested(levels: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

/**
 * One rule for text on every store: NUL and unpaired surrogates are refused in every field and
 * anywhere in a payload, so what SQLite keeps PostgreSQL can keep too, and an export of one imports
 * into the other.
 */
export function textContract(store: () => StoreHarness): void {
  describe('text: NUL, unpaired surrogates and deep nesting are refused on every store', () => {
    it.each([
      ['a NUL in a title', { title: NUL }, 'title'],
      ['an unpaired high surrogate in a title', { title: LONE_HIGH }, 'title'],
      ['an unpaired low surrogate in a description', { title: 't', description: LONE_LOW }, 'description'],
      ['a NUL in a capability', { title: 't', capabilities: [NUL] }, 'capabilities.0'],
      ['a NUL in a command', { title: 't', command: `echo ${NUL}` }, 'command'],
      ['a NUL inside input', { title: 't', input: { deep: { list: ['ok', NUL] } } }, 'input.deep.list.1'],
      ['a NUL in a key of input', { title: 't', input: { [NUL]: 1 } }, 'input'],
      ['input nested one level too deep', { title: 't', input: nested(LIMITS.jsonDepth + 1) }, 'input'],
    ])('%s', async (_, input, field) => {
      const baton = await store().open();
      await expectRefusedUnchanged(baton, () => baton.createTask(input as never), 'invalid_argument', field);
    });

    it('keeps valid text exactly: emoji (surrogate pairs), other scripts, and the deepest input allowed', async () => {
      const baton = await store().open();
      const title = 'Ship 🚀 ünïcödé 日本語 \u{1F9EA}';
      const input = { deep: nested(LIMITS.jsonDepth - 1), note: '✓ 👍🏽' };
      const task = await baton.createTask({ title, input, noBreakdown: true });
      const read = await baton.getTask(task.id);
      expect(read.title).toBe(title);
      expect(read.input).toEqual(input);
    });

    it('refuses a NUL in what a worker reports, leaving its lease in place', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'reported', noBreakdown: true });
      const claimed = await baton.claim({ workerId: 'text-w' });
      const lease = { workerId: 'text-w', token: claimed?.lease?.token as number };
      await expectRefusedUnchanged(
        baton,
        () => baton.fail(task.id, { ...lease, error: `boom${NUL}` }),
        'invalid_argument',
        'error',
      );
      await expectRefusedUnchanged(
        baton,
        () => baton.addNote(task.id, { workerId: 'text-w', text: LONE_HIGH }),
        'invalid_argument',
        'text',
      );
      await expectRefusedUnchanged(
        baton,
        () => baton.complete(task.id, { ...lease, result: { out: NUL } }),
        'invalid_argument',
        'result.out',
      );
      expect((await baton.complete(task.id, { ...lease, result: { out: 'fine' } })).status).toBe('completed');
    });

    it('refuses an import that holds a NUL anywhere, writing nothing', async () => {
      const source = await store().open();
      await source.createTask({ title: 'exported', noBreakdown: true });
      const dump = await source.exportData();
      const poisoned = JSON.parse(JSON.stringify(dump));
      poisoned.tasks[0].description = NUL;
      const target = await store().openAnother();
      const err = await refusal(target.importData(poisoned));
      expect(err.code).toBe('invalid_import');
      expect(err.message).toContain('NUL');
      expect((await target.listTasks({})).tasks).toEqual([]);
    });
  });
}
