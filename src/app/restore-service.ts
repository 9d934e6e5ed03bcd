import { resolve } from 'node:path';
import { addCounts, countDifferences, emptyCounts } from '../core/backup.js';
import { BatonError } from '../core/errors.js';
import { parseWith, restoreSchema } from '../core/schemas.js';
import { backup } from './backup-service.js';
import type { AppContext } from './context.js';
import type { BackupResult, RestoreInput, RestoreResult } from './maintenance-types.js';
import { withSource } from './restore-source.js';

/**
 * `baton restore`: a backup of either store loaded into this one in one transaction — all of it
 * or nothing — ids, history, versions and run state as they were.
 */
export async function restore(ctx: AppContext, raw: RestoreInput): Promise<RestoreResult> {
  const input = parseWith(restoreSchema, raw);
  const file = resolve(ctx.maintenance.backup.dir, input.file);
  return withSource(file, async (source) => {
    const started = performance.now();
    let previous: BackupResult | null = null;
    if (!(await ctx.store.transaction((tx) => tx.holdsNothing()))) {
      if (!input.force) throw notEmpty(ctx);
      // What the store holds is kept before anything is replaced.
      previous = await backup(ctx, {});
    }
    const loaded = await ctx.store.transaction(async (tx) => {
      if (input.force) await tx.clear();
      else if (!(await tx.holdsNothing())) throw notEmpty(ctx);
      const counts = emptyCounts();
      for await (const parts of source.parts()) {
        await tx.loadParts(parts);
        addCounts(counts, parts);
      }
      const differences = countDifferences(source.counts, counts);
      if (differences.length > 0) {
        throw new BatonError('invalid_backup', `${file}: rows are missing or extra: ${differences.join('; ')}`, { file });
      }
      await tx.finishLoad();
      return counts;
    });
    // Keys were replaced: none verified before may be trusted from the cache.
    ctx.keys.invalidate();
    return {
      file,
      format: source.format,
      from: source.from,
      schemaVersion: source.schemaVersion,
      takenAt: source.takenAt,
      counts: loaded,
      ms: Math.round(performance.now() - started),
      previous,
    };
  });
}

function notEmpty(ctx: AppContext): BatonError {
  return new BatonError(
    'store_not_empty',
    `restore needs an empty store; ${ctx.store.location} already holds data (--force backs it up, then replaces it)`,
  );
}
