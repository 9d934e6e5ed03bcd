import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BackupList, BackupResult, GcReport, RestoreResult } from '../../app/baton.js';
import { BACKUP_FORMATS, type BackupCounts, type BackupFormat } from '../../core/backup.js';
import { formatSize } from '../../core/values.js';
import { type GlobalOptions, serverOf, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton backup`, `backups`, `restore` and `gc`: keeping a store safe and its size in check. */
export function registerMaintenanceCommands(program: Command, globals: () => GlobalOptions): void {
  const g = (opts: Opts): Opts => ({ ...globals(), ...opts });
  program
    .command('backup')
    .description(
      'take a consistent backup now, while work goes on, and verify it (SQLite: the database file; PostgreSQL: portable NDJSON)',
    )
    .argument(
      '[file]',
      'where to write it (default: a dated name in the backup folder); with --server, a file name in the server’s folder',
    )
    .option('--format <format>', `${BACKUP_FORMATS.join(' or ')} (default: by the file’s ending, else the store’s own)`)
    .action(async (file: string | undefined, opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const target = file === undefined || serverOf(g(opts)) ? file : resolve(file);
        const result = await baton.backup({
          ...(target !== undefined && { file: target }),
          ...(opts.format !== undefined && { format: opts.format as BackupFormat }),
        });
        out.result(result, () => formatBackup(result));
      }),
    );

  program
    .command('backups')
    .description('the backups in the backup folder, the schedule, the last backup and failure')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const list = await baton.listBackups();
        out.result(list, () => formatBackupList(list));
      }),
    );

  program
    .command('restore')
    .description('load a backup (or an export) into an empty store, of either kind: --db names the target')
    .argument('<file>', 'a backup file (a name alone is looked for in the backup folder)')
    .option('--force', 'replace a store that holds data, after backing it up to a file (named in the answer)')
    .action(async (file: string, opts: Opts) =>
      withBaton(
        g(opts),
        async (baton, out) => {
          const local = !serverOf(g(opts)) && existsSync(file);
          const result = await baton.restore({ file: local ? resolve(file) : file, force: Boolean(opts.force) });
          out.result(result, () => formatRestore(result));
        },
        { create: true },
      ),
    );

  program
    .command('gc')
    .description('the retention clean-up now: archive, then remove old events and finished tasks (config: retention)')
    .option('--dry-run', 'count what would be removed; change nothing')
    .action(async (opts: Opts) =>
      withBaton(g(opts), async (baton, out) => {
        const report = await baton.gc({ dryRun: Boolean(opts.dryRun) });
        out.result(report, () => formatGc(report));
      }),
    );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function formatCounts(c: BackupCounts): string {
  const parts = [`${c.tasks} tasks`, `${c.events} events`, `${c.workers} workers`, `${c.keys} API keys`];
  if (c.workflows > 0) parts.push(`${c.workflows} workflow versions`);
  if (c.runs > 0) parts.push(`${c.runs} runs`);
  return parts.join(', ');
}

function formatBackup(r: BackupResult): string {
  const lines = [
    `Backup written and verified: ${r.file}`,
    `  ${r.format} format, ${formatSize(r.bytes)}, ${seconds(r.ms)}; snapshot of ${r.at}`,
    `  ${formatCounts(r.counts)}`,
  ];
  if (r.rotated.length > 0) lines.push(`  rotated away: ${r.rotated.join(', ')}`);
  return lines.join('\n');
}

function formatBackupList(list: BackupList): string {
  const schedule = list.schedule
    ? `every ${list.schedule.everySeconds / 3600} h, ${list.schedule.keep} kept; next after ${list.schedule.nextAt}`
    : 'none scheduled (backup: { every: 6h } in config.yaml)';
  const lines = [`Folder     ${list.dir}`, `Schedule   ${schedule}`];
  if (list.last)
    lines.push(`Last       ${list.last.at}  ${list.last.file} (${formatSize(list.last.bytes)}, ${seconds(list.last.ms)})`);
  if (list.lastFailure) lines.push(`Failed     ${list.lastFailure.at}  ${list.lastFailure.code}: ${list.lastFailure.message}`);
  if (list.files.length === 0) lines.push('no backups in the folder');
  for (const f of list.files) lines.push(`  ${f.modifiedAt}  ${formatSize(f.bytes).padStart(8)}  ${f.name}`);
  return lines.join('\n');
}

function formatRestore(r: RestoreResult): string {
  const from = r.from ? `a ${r.from} store` : 'an export';
  const lines = [`Restored ${formatCounts(r.counts)} from ${r.file} (${from}, taken ${r.takenAt}) in ${seconds(r.ms)}`];
  if (r.previous) lines.push(`What the store held before was backed up first to ${r.previous.file}`);
  return lines.join('\n');
}

function formatGc(r: GcReport): string {
  if (!r.configured)
    return 'no retention configured (retention: { events: 90d, completedTasks: 180d } in config.yaml): nothing removed';
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines = [
    `${r.dryRun ? 'Dry run: ' : ''}${verb} ${r.tasks.removed} finished tasks (with their ${r.tasks.events} events) and ${r.events.removed} older events`,
    `  cut-offs: events before ${r.cutoffs.events ?? 'never'}, tasks finished before ${r.cutoffs.completedTasks ?? 'never'}`,
  ];
  if (r.archive) lines.push(`  archived to ${r.archive}`);
  lines.push(`  ${r.batches} batches in ${seconds(r.ms)}`);
  return lines.join('\n');
}
