import { describe, expect, it } from 'vitest';
import { expectRefusedUnchanged, type StoreHarness } from './harness.js';

/** Estimates as text (`estimate`), as the CLI takes them, through every implementation. */
export function estimateContract(store: () => StoreHarness): void {
  describe('estimates as text', () => {
    it('takes 4h30m, 1d4h and 90m as estimate, and estimateMinutes as before', async () => {
      const baton = await store().open();
      expect((await baton.createTask({ title: 'A', estimate: '4h30m' })).estimateMinutes).toBe(270);
      expect((await baton.createTask({ title: 'B', estimate: '1d4h', noBreakdown: true })).estimateMinutes).toBe(12 * 60);
      const c = await baton.createTask({ title: 'C', estimateMinutes: 45 });
      expect((await baton.updateTask(c.id, { estimate: '90m' })).estimateMinutes).toBe(90);
      expect((await baton.analyze({ title: 'Sized', estimate: '30h' })).complexity).toBe('epic');
    });

    it('refuses a bare number with a hint, and both forms at once, changing nothing', async () => {
      const baton = await store().open();
      const task = await baton.createTask({ title: 'Sized' });
      const bare = await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'x', estimate: '90' }),
        'invalid_argument',
        'estimate',
      );
      expect(bare.message).toContain('90m');
      await expectRefusedUnchanged(baton, () => baton.updateTask(task.id, { estimate: 'soon' }), 'invalid_argument', 'estimate');
      await expectRefusedUnchanged(
        baton,
        () => baton.createTask({ title: 'x', estimate: '1h', estimateMinutes: 60 }),
        'invalid_argument',
        'estimate',
      );
    });
  });
}
