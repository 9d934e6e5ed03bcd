import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of one's own, in a temp folder, on a free port: for tests that stop,
 * restart or break the server, which would break every other test using the shared one.
 *
 * ```ts
 * const cluster = new PrivateCluster();
 * beforeAll(() => cluster.start(), 120_000);
 * afterAll(() => cluster.destroy());
 * ```
 *
 * `destroy` also runs when the test process exits some other way, so no server outlives it.
 */
export class PrivateCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'baton-pg-'));
  readonly data = join(this.dir, 'data');
  private readonly bin = binDir();
  private readonly onExit = () => this.destroySync();
  port = 0;

  /** Creates the cluster and starts it. */
  async start(): Promise<void> {
    // initdb and the server refuse to run as root: they run as `postgres`, who must own the folder.
    if (asRoot()) chownSync(this.dir, idOf('-u', 'postgres'), idOf('-g', 'postgres'));
    process.once('exit', this.onExit);
    await this.tool('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    this.port = await freePort();
    await this.pgCtl('start');
  }

  /** Starts the server again after `stop`, on the same port. */
  resume(): Promise<void> {
    return this.pgCtl('start');
  }

  /** Stops the server the way an operator restarting it would: sessions are ended at once. */
  stop(): Promise<void> {
    return this.pgCtl('stop');
  }

  restart(): Promise<void> {
    return this.pgCtl('restart');
  }

  /** A Baton store URL in this cluster, with its own schema. */
  url(schema: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres?schema=${schema}`;
  }

  /** Stops the server however it is doing and removes its folder. */
  async destroy(): Promise<void> {
    process.off('exit', this.onExit);
    try {
      await this.tool('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private destroySync(): void {
    try {
      execFileSync(...this.command('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
    } catch {
      // Not running: nothing to stop.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pgCtl(action: 'start' | 'stop' | 'restart'): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    const log = join(this.dir, 'log');
    return this.tool('pg_ctl', ['-D', this.data, '-o', options, '-l', log, '-m', 'fast', '-w', action]);
  }

  /**
   * Runs a server binary without blocking the event loop: the clients under test must see the
   * server go and come back while it runs.
   */
  private async tool(name: string, args: string[]): Promise<void> {
    await run(...this.command(name, args), { timeout: 60_000 });
  }

  private command(name: string, args: string[]): [string, string[]] {
    const path = join(this.bin, name);
    return asRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const [version] = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  if (!version) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return join(root, version, 'bin');
}

const asRoot = () => process.getuid?.() === 0;
const idOf = (flag: '-u' | '-g', user: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
