import type { Principal } from './auth.js';

/**
 * Where the server keeps its files is the admin's business: to anyone else an absolute path tells
 * the layout of the machine (user names, project folders) and nothing they can use. They see the
 * file's name only.
 */

// An absolute path of two or more parts (`/home/ann/p/.baton/baton.db`, `C:\work\baton.db`); the
// path of a URL (`postgres://host/db`) follows a word character or a slash, and is left alone, as
// are the server's own routes (`/api/v1/events`), which every client knows.
const POSIX_PATH = /(?<![\w/:.\]-])\/(?!api\/)(?:[^\s/'"`<>()[\],;]+\/)+[^\s/'"`<>()[\],;]*/g;
const WINDOWS_PATH = /\b[A-Za-z]:\\(?:[^\s\\'"`<>()[\],;]+\\)*[^\s\\'"`<>()[\],;]*/g;

const baseName = (path: string): string => path.split(/[\\/]/).filter(Boolean).at(-1) ?? '';

/** `text` with every absolute path cut down to its file name. */
export function withoutPaths(text: string): string {
  return text.replace(POSIX_PATH, baseName).replace(WINDOWS_PATH, baseName);
}

/** Whether the caller may see the server's paths: admins (and the local user of open mode). */
export function seesPaths(principal: Principal | null | undefined): boolean {
  return principal?.role === 'admin';
}

/** Every string in a JSON value, paths cut down (for an error's details). */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return withoutPaths(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  }
  return value;
}
