import { version } from '../app/version.js';
import { BatonError } from '../core/errors.js';
import { ExitSignal, type GlobalOptions, reportError } from './context.js';

/** Parses `argv` (without node and script) and runs the command; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  // Answer --version before loading anything else: it must be instant.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const json = argv.includes('--json');
  const { Command, CommanderError } = await import('commander');
  const program = new Command('baton');
  // `workflow show NAME --version N` names a version of a workflow; Baton's own stays -V there.
  const versionFlags = argv.includes('workflow') ? '-V' : '-V, --version';
  program
    .description('Coordinate a crew of workers — AI agents, scripts and people — on one shared body of work.')
    .version(version(), versionFlags)
    .option('--json', 'machine-readable JSON output only')
    .option('--db <url>', 'store: a SQLite file path or sqlite:PATH (default: .baton/baton.db found upwards; env BATON_DB)')
    .option('--server <url>', 'talk to a `baton serve` instead of a store, e.g. http://127.0.0.1:7420 (env BATON_SERVER)')
    .option('--api-key <key>', 'API key for --server (env BATON_TOKEN); also --token, except where a command has its own')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  const globals = () => program.opts<GlobalOptions>();
  const { modulesFor } = await import('./command-index.js');
  const registers = await Promise.all(modulesFor(argv).map((m) => m.load()));
  for (const register of registers) register(program, globals);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ outputError: () => undefined });
  addTokenOption(program, argv);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof ExitSignal) return err.code;
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      const message = err.message.replace(/^error:\s*/, '');
      return reportError(new BatonError('usage', message), json);
    }
    return reportError(err, json);
  }
}

/**
 * `--token KEY` names the API key (SPEC §5) — except on commands whose own `--token` is a lease's
 * fencing token (`done`, `progress`, …): there the key comes by `--api-key` or BATON_TOKEN.
 * Commander lets a program option win anywhere on the line, so it is added only where no command
 * option of that name would be shadowed.
 */
function addTokenOption(program: import('commander').Command, argv: string[]): void {
  const name = argv.find((a) => !a.startsWith('-') && program.commands.some((c) => c.name() === a));
  const command = program.commands.find((c) => c.name() === name);
  if (command?.options.some((o) => o.long === '--token')) return;
  program.option('--token <key>', 'API key for --server (env BATON_TOKEN)');
  program.hook('preAction', () => {
    const o = program.opts<{ token?: string; apiKey?: string }>();
    if (o.token !== undefined && o.apiKey === undefined) program.setOptionValue('apiKey', o.token);
  });
}
