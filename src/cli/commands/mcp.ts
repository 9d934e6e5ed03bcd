import type { Command } from 'commander';
import { parseList, parseSeconds } from '../../core/values.js';
import { type GlobalOptions, withBaton } from '../context.js';

type Opts = GlobalOptions & Record<string, unknown>;

/** `baton mcp`: Baton as MCP tools for AI agents, over stdio. */
export function registerMcpCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('mcp')
    .description('serve the board to an AI agent as MCP tools over stdio (e.g. `claude mcp add baton -- npx baton mcp`)')
    .option('-w, --worker <id>', "this agent's worker id (env BATON_WORKER_ID; default: generated for each session)")
    .option('-c, --capabilities <caps>', "the agent's capabilities, comma-separated (a next_task argument can replace them)")
    .option('--lease <seconds>', 'lease length of each claim; renewed while the agent is connected (default from config: 300)')
    .addHelpText(
      'after',
      '\nThe agent claims with next_task and reports with report_progress / complete_task; its leases are renewed while\n' +
        'it is connected and released when it disconnects. Nothing but the protocol is written to stdout.',
    )
    .action(async (opts: Opts) => {
      const o: Opts = { ...globals(), ...opts };
      const given = (o.worker as string | undefined) ?? (process.env.BATON_WORKER_ID || undefined);
      // Checked here, by the rule of every worker id, so that a typo fails before the client connects.
      const { parseWith, workerIdSchema } = await import('../../core/schemas.js');
      const workerId = given !== undefined ? parseWith(workerIdSchema, given, { what: 'worker' }) : undefined;
      const settings = {
        workerId,
        capabilities: o.capabilities !== undefined ? parseList(String(o.capabilities), 'capabilities') : undefined,
        leaseSeconds: o.lease !== undefined ? parseSeconds(String(o.lease), 'lease') : undefined,
      };
      await withBaton(o, async (baton) => {
        // The SDK and zod load only here: other commands must start fast.
        const { serveStdio } = await import('../../mcp/server.js');
        await serveStdio(baton, settings);
      });
    });
}
