import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can break a connection at a chosen moment: when the
 * client sends a statement containing some text. So a test can lose a connection exactly where a
 * driver is fragile, every time, without stopping the server that other tests use.
 */
export class CuttingProxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private cuts: { marker: string; left: number }[] = [];
  /** Connections broken so far. */
  cut = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** The URL `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.href;
  }

  /** Breaks the next `times` connections on which the client sends something containing `marker`. */
  cutWhenSent(marker: string, times = 1): void {
    this.cuts.push({ marker, left: times });
  }

  /** Breaks every connection open now, as a server restart does. */
  cutAll(): void {
    for (const pair of this.pairs) this.destroy(pair);
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = createConnection(this.target);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    client.on('data', (chunk) => {
      const cut = this.cuts.find((c) => c.left > 0 && chunk.includes(c.marker));
      if (!cut) return void upstream.write(chunk);
      cut.left--;
      this.cut++;
      this.destroy(pair);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const socket of pair) {
      socket.on('error', () => this.destroy(pair));
      socket.on('close', () => this.destroy(pair));
    }
  }

  private destroy(pair: [Socket, Socket]): void {
    this.pairs.delete(pair);
    // A reset, as a backend killed under the client looks on the wire.
    for (const socket of pair) socket.resetAndDestroy();
  }
}
