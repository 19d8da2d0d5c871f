// A TCP forwarder tests can cut: simulates a database (or Redis) outage and recovery without touching the server.
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Closes every forwarded connection, as a server restart or network blip would; keeps accepting new ones. */
  dropConnections(): void;
  /** Stops listening and drops every connection: the target is now unreachable (connection refused). */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const makeServer = () =>
    createServer((client) => {
      const upstream = connect(target);
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const shut = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  const dropConnections = () => {
    for (const s of sockets) s.destroy();
  };

  let server: Server | undefined = makeServer();
  const port = await listen(server, 0);
  const cut = async () => {
    if (!server) return;
    const closing = shut(server);
    server = undefined;
    dropConnections();
    await closing;
  };
  const restore = async () => {
    if (server) return;
    server = makeServer();
    await listen(server, port);
  };
  return { port, dropConnections, cut, restore, close: cut };
}
