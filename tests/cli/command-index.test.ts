import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, modulesFor } from '../../src/cli/command-index.js';

describe('the command index (a command line loads only the module of its command)', () => {
  it('names exactly the top-level commands each module registers', async () => {
    for (const m of COMMAND_MODULES) {
      const program = new Command('baton');
      (await m.load())(program, () => ({}));
      expect(program.commands.map((c) => c.name())).toEqual(m.commands);
    }
  });

  it('picks the module of the command named, past global options and their values', () => {
    const only = (argv: string[]) => modulesFor(argv).flatMap((m) => m.commands);
    expect(only(['list', '--limit', '50'])).toContain('list');
    expect(only(['--db', 'status', 'list'])).toEqual(only(['list']));
    expect(only(['--json', '--server', 'http://x', 'next'])).toContain('next');
    expect(only(['--db', 'f.db', 'list']).length).toBeLessThan(20);
  });

  it('loads every module for help, completion and a command it does not know', () => {
    for (const argv of [[], ['--help'], ['completion', 'bash'], ['lsit'], ['help', 'list']]) {
      expect(modulesFor(argv)).toBe(COMMAND_MODULES);
    }
  });
});
