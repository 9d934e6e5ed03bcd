import { connect, type Socket } from 'node:net';

/** What the driver tells the socket factory of where to connect (its parsed options). */
export interface SocketTarget {
  host: string[];
  port: number[];
  /** A unix socket, when connecting through one. */
  path?: string | false | undefined;
}

/**
 * The sockets of the pool (the driver's `socket` option), connecting to its hosts in turn as the
 * driver does itself. Once connected, each one closes in the same turn of the event loop in which
 * it fails.
 *
 * Why: the driver (postgres.js 3.4.9) rejects the statements in flight when a socket fails, but
 * takes the connection out of the pool only on `close`, which Node emits a turn later. A statement
 * sent in between — as when a server restart resets idle connections under a busy process — is
 * never answered, and when that connection is opened again it is resolved with no rows: a call
 * that hangs, or a wrong answer ("task not found"). With no turn in between, such a statement goes
 * to a connection that is opened again for it. A socket that fails before it connected is left to
 * close in its own time: no statement can be sent to it, and the driver must first be done writing
 * its greeting (closing earlier leaves that write stuck in the driver, to block the connection's
 * next greeting until it times out).
 */
export function socketFactory(): (target: SocketTarget) => Socket {
  let next = 0;
  return (target) => {
    const i = next++ % Math.max(1, target.host.length);
    const host = target.host[i] ?? 'localhost';
    const port = target.port[i] ?? target.port[0] ?? 5432;
    const socket = target.path ? connect(target.path) : connect(port, host);
    // The driver names the server in its errors from these.
    Object.assign(socket, { host, port });
    closeOnError(socket);
    return socket;
  };
}

function closeOnError(socket: Socket): void {
  const emit = socket.emit.bind(socket);
  let connected = false;
  let closed = false;
  socket.once('connect', () => {
    connected = true;
  });
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'close') {
      // The one Node emits itself, once the socket is gone: already told.
      if (closed) return false;
      closed = true;
      return emit(event, ...args);
    }
    const delivered = emit(event, ...args);
    if (event === 'error' && connected && !closed) {
      closed = true;
      emit('close', true);
    }
    return delivered;
  }) as Socket['emit'];
}
