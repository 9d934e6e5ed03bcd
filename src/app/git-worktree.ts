import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The main checkout of the linked git worktree holding `cwd`, or null when `cwd` is not inside a
 * linked worktree. Agents often work in worktrees of one repository; resolving the main checkout
 * lets them all find the `.baton/` store it holds, so they share one board.
 *
 * Reads git's own files instead of running `git rev-parse --git-common-dir`: every command locates
 * its store, and spawning git would cost each of them tens of milliseconds (and need git installed).
 * A linked worktree has a `.git` file (`gitdir: <repo>/.git/worktrees/<name>`) whose folder holds
 * `commondir`, the path of the shared `.git`. A submodule also has a `.git` file, but no `commondir`,
 * so it is left alone.
 */
export function mainCheckoutOf(cwd: string): string | null {
  return linkedWorktreeOf(cwd)?.main ?? null;
}

/** The linked git worktree holding `cwd`: its top folder and its main checkout; null if none. */
export function linkedWorktreeOf(cwd: string): { top: string; main: string } | null {
  try {
    const dotGit = nearestDotGit(resolve(cwd));
    if (!dotGit || !statSync(dotGit).isFile()) return null;
    const gitDir = gitDirOf(dotGit);
    if (!gitDir) return null;
    const commonDirFile = join(gitDir, 'commondir');
    if (!existsSync(commonDirFile)) return null;
    const commonDir = resolve(gitDir, readFileSync(commonDirFile, 'utf8').trim());
    // A bare repository has no main checkout; a store beside it is found by walking up anyway.
    return basename(commonDir) === '.git' ? { top: dirname(dotGit), main: dirname(commonDir) } : null;
  } catch {
    // An unreadable or half-written git folder must never stop a command that names its store.
    return null;
  }
}

function nearestDotGit(start: string): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, '.git');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function gitDirOf(dotGitFile: string): string | null {
  const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGitFile, 'utf8'));
  const path = match?.[1]?.trim();
  return path ? resolve(dirname(dotGitFile), path) : null;
}
