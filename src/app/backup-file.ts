import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import {
  addCounts,
  BACKUP_PARTS,
  type BackupCounts,
  type BackupHeader,
  type BackupPart,
  type BackupParts,
  countDifferences,
  emptyCounts,
} from '../core/backup.js';
import { BatonError } from '../core/errors.js';
import type { StoreSnapshot } from '../store/maintenance.js';

/**
 * The portable backup file: gzip-compressed NDJSON (see `core/backup.ts`), written from a store
 * snapshot as it is read — never the whole store in memory — and read back the same way.
 */

/** Fast compression: a backup's time is mostly compression, and level 1 already shrinks JSON 5–10×. */
const GZIP_LEVEL = 1;
/** Rows per part handed to a store's load at once. */
const LOAD_ROWS = 2_000;

/** Writes a snapshot to `path` (a new file) and returns the rows written, checked against the snapshot's counts. */
export async function writePortable(path: string, snapshot: StoreSnapshot, store: 'sqlite' | 'postgres'): Promise<BackupCounts> {
  const counts = await snapshot.counts();
  const header: BackupHeader = {
    format: 'baton-backup',
    formatVersion: 1,
    schemaVersion: snapshot.schemaVersion,
    store,
    createdAt: new Date(snapshot.at).toISOString(),
    counts,
  };
  const gzip = createGzip({ level: GZIP_LEVEL });
  const done = pipeline(gzip, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  const write = async (text: string) => {
    if (!gzip.write(text)) await Promise.race([once(gzip, 'drain'), done]);
  };
  const written = emptyCounts();
  try {
    await write(`${JSON.stringify(header)}\n`);
    for await (const parts of snapshot.parts()) {
      await write(linesOf(parts));
      addCounts(written, parts);
    }
    await write(`${JSON.stringify({ end: { counts: written } })}\n`);
    gzip.end();
    await done;
  } catch (err) {
    gzip.destroy();
    await done.catch(() => {});
    throw err;
  }
  const differences = countDifferences(counts, written);
  if (differences.length > 0)
    throw new BatonError('backup_failed', `the rows written differ from the snapshot: ${differences.join('; ')}`);
  return written;
}

function linesOf(parts: BackupParts): string {
  let text = '';
  for (const part of BACKUP_PARTS) for (const row of parts[part] ?? []) text += `${JSON.stringify({ part, row })}\n`;
  return text;
}

/** Flushes a written file to the disk, so a backup said to be written survives a crash of the machine. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface PortableSource {
  header: BackupHeader;
  /** Every row, grouped by part, a page at a time; throws `invalid_backup` on a damaged or cut file. */
  parts(): AsyncGenerator<BackupParts>;
}

/** Opens a portable backup (compressed or not): its header now, its rows when `parts()` is read. */
export async function openPortable(path: string, compressed: boolean): Promise<PortableSource> {
  const lines = readLines(path, compressed);
  const first = await lines.next();
  await lines.return(undefined);
  const header = parseHeader(path, first.done ? undefined : first.value);
  return { header, parts: () => readParts(path, compressed, header) };
}

async function* readLines(path: string, compressed: boolean): AsyncGenerator<string> {
  const raw = createReadStream(path);
  const input = compressed ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => input.destroy(err));
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of reader) if (line !== '') yield line;
  } catch (err) {
    throw new BatonError('invalid_backup', `${path}: cannot be read (${(err as Error).message})`, { file: path });
  } finally {
    reader.close();
    raw.destroy();
  }
}

function parseHeader(path: string, line: string | undefined): BackupHeader {
  const header = parseLine(path, line ?? '', 1) as Partial<BackupHeader> | null;
  if (header?.format !== 'baton-backup' || header.formatVersion !== 1 || typeof header.schemaVersion !== 'number') {
    throw new BatonError('invalid_backup', `${path}: not a Baton backup (no baton-backup header, version 1)`, { file: path });
  }
  return header as BackupHeader;
}

function parseLine(path: string, line: string, n: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new BatonError('invalid_backup', `${path}: line ${n} is not JSON: the file is damaged`, { file: path, line: n });
  }
}

async function* readParts(path: string, compressed: boolean, header: BackupHeader): AsyncGenerator<BackupParts> {
  const read = emptyCounts();
  let page: BackupParts = {};
  let size = 0;
  let n = 0;
  let end: BackupCounts | null = null;
  for await (const line of readLines(path, compressed)) {
    n++;
    if (n === 1) continue;
    const value = parseLine(path, line, n) as { part?: BackupPart; row?: unknown; end?: { counts: BackupCounts } };
    if (end) throw new BatonError('invalid_backup', `${path}: line ${n} follows the end line`, { file: path });
    if (value.end) {
      end = value.end.counts;
      continue;
    }
    if (!value.part || !BACKUP_PARTS.includes(value.part) || typeof value.row !== 'object' || value.row === null) {
      throw new BatonError('invalid_backup', `${path}: line ${n} is not a row of a Baton backup`, { file: path, line: n });
    }
    const rows = (page[value.part] ?? []) as unknown[];
    rows.push(value.row);
    page[value.part] = rows as never;
    size++;
    if (size >= LOAD_ROWS) {
      yield page;
      addCounts(read, page);
      page = {};
      size = 0;
    }
  }
  if (size > 0) {
    yield page;
    addCounts(read, page);
  }
  checkEnd(path, end, read, header.counts);
}

function checkEnd(path: string, end: BackupCounts | null, read: BackupCounts, expected: BackupCounts | undefined): void {
  if (!end) throw new BatonError('invalid_backup', `${path}: the file was cut short (no end line)`, { file: path });
  const differences = [...countDifferences(end, read), ...(expected ? countDifferences(expected, read) : [])];
  if (differences.length > 0) {
    throw new BatonError('invalid_backup', `${path}: rows are missing or extra: ${differences.join('; ')}`, { file: path });
  }
}

/** Reads a portable backup through and counts its rows: what verifying it after writing means. */
export async function countPortable(path: string): Promise<{ header: BackupHeader; counts: BackupCounts }> {
  const source = await openPortable(path, true);
  const counts = emptyCounts();
  for await (const parts of source.parts()) addCounts(counts, parts);
  return { header: source.header, counts };
}
