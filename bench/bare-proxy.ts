/**
 * @module The benchmark's reference proxy: node:http in, undici `Pool#request` out, and nothing else.
 *
 * It maps the gateway's public job paths onto ORDS's, injects the ORDS Basic credentials and streams both
 * bodies through. No authentication of the caller, no validation, no policy, no registry, no logging: what the
 * gateway costs on top of this is what its checks cost.
 *
 *   /databases/orcl/datapump/jobs/…  →  <ords>/_/db-api/stable/database/datapump/jobs/…
 *
 * Run: node --import tsx bench/bare-proxy.ts --upstream http://127.0.0.1:PORT/ords/orcl/pdbadmin/ [--port 0]
 *      [--user pdbadmin:oracle] [--connections 16]
 * It prints `bare proxy listening on http://127.0.0.1:PORT` and stops on SIGTERM or SIGINT.
 */
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

import { Pool } from 'undici';

import {
  FORWARDED_REQUEST_HEADERS,
  type Forwarder,
  type ForwarderOptions,
  HOP_BY_HOP,
  PUBLIC_PREFIX,
  runForwarder,
} from './lib/forwarding.js';
import { isMain } from './lib/is-main.js';

export async function startBareProxy(options: ForwarderOptions): Promise<Forwarder> {
  const upstream = new URL(options.upstream.endsWith('/') ? options.upstream : `${options.upstream}/`);
  const origin = upstream.origin;
  const ordsJobs = `${upstream.pathname}_/db-api/stable/database/datapump/jobs/`;
  const authorization = `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  const pool = new Pool(origin, { connections: options.connections ?? 16, keepAliveTimeout: 4_000 });

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(PUBLIC_PREFIX) || (req.method !== 'GET' && req.method !== 'POST')) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { authorization };
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    pool
      .request({
        method: req.method,
        path: ordsJobs + url.slice(PUBLIC_PREFIX.length),
        headers,
        body: req.method === 'POST' ? req : null,
      })
      .then(
        ({ statusCode, headers: answered, body }) => {
          res.writeHead(statusCode, forwardable(answered));
          pipeline(body, res, () => undefined);
        },
        () => {
          req.resume();
          if (!res.headersSent) res.writeHead(502);
          res.end();
        },
      );
  });
  server.keepAliveTimeout = 5_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () =>
      resolve((server.address() as AddressInfo).port),
    );
  });
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
    },
  };
}

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

if (isMain(import.meta.url)) await runForwarder('bare proxy', 'bare-proxy.js', startBareProxy);
