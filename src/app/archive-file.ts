import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { BACKUP_PARTS, type BackupHeader, type BackupParts } from '../core/backup.js';

const compress = promisify(gzip);

/**
 * The archive of rows retention removes: the portable backup's lines (`core/backup.ts`) under a
 * `baton-archive` header. Each batch is appended as a gzip member of its own and flushed to disk
 * before its rows are deleted, so a row removed is always in an archive (`zcat` and `gunzip` read
 * the members as one stream). Should a delete fail after its batch was written, the rows stay in
 * the store and a later run archives them again: an archive holds every removed row at least once.
 */
export class ArchiveFile {
  private created = false;

  constructor(
    readonly path: string,
    private readonly header: Omit<BackupHeader, 'format' | 'counts'>,
  ) {}

  /** Whether anything was written (the file exists only then). */
  get written(): boolean {
    return this.created;
  }

  async append(parts: BackupParts): Promise<void> {
    let text = '';
    if (!this.created) {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      text = `${JSON.stringify({ ...this.header, format: 'baton-archive' })}\n`;
    }
    for (const part of BACKUP_PARTS) for (const row of parts[part] ?? []) text += `${JSON.stringify({ part, row })}\n`;
    const handle = await open(this.path, this.created ? 'a' : 'wx', 0o600);
    try {
      await handle.write(await compress(text, { level: 1 }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.created = true;
  }
}
