import { readFileSync } from 'node:fs';

/** The package's version, read when asked (the CLI answers `--version` before loading anything else). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
