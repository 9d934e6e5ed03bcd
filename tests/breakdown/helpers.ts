import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalBaton } from '../../src/app/local-baton.js';
import { openBaton } from '../../src/app/open.js';

/** A fresh store in a temp folder (`.baton/` so config.yaml and patterns.yaml apply). */
export interface Project {
  dir: string;
  batonDir: string;
  open(): Promise<LocalBaton>;
  write(name: 'config.yaml' | 'patterns.yaml', text: string): void;
  cleanup(): void;
}

export function project(): Project {
  const dir = mkdtempSync(join(tmpdir(), 'baton-breakdown-'));
  const batonDir = join(dir, '.baton');
  mkdirSync(batonDir);
  return {
    dir,
    batonDir,
    open: () => openBaton({ db: join(batonDir, 'baton.db'), create: true, actor: 'tester' }),
    write: (name, text) => writeFileSync(join(batonDir, name), text),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
