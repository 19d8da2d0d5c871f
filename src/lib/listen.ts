/** @module Binds a node:http server and says where it listens, as a URL (the gateway and the emulator print it). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `host:port` (port 0 picks a free one) and resolves with `http://host:port` as bound, an IPv6
 * address in brackets; rejects when the address cannot be had (in use, not local).
 */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}
