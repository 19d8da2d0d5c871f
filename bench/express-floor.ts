/**
 * @module The benchmark's Express floor: a minimal Express 5 app that forwards to ORDS with undici, and nothing else.
 *
 * The same forwarding as the bare proxy (same path mapping, same forwarded headers, the ORDS Basic credentials
 * injected, an undici `Pool` with the same connection count, both bodies streamed), but behind Express's router,
 * `req`/`res` extensions and default settings. No authentication, validation, policy, registry or logging: what the
 * framework itself costs per request, the floor under anything built on it (the gateway is).
 *
 *   /databases/orcl/datapump/jobs/…  →  <ords>/_/db-api/stable/database/datapump/jobs/…
 *
 * Run: node dist/bench/express-floor.js --upstream http://127.0.0.1:PORT/ords/orcl/pdbadmin/ [--port 0]
 *      [--user pdbadmin:oracle] [--connections 16]
 * It prints `express floor listening on http://127.0.0.1:PORT` and stops on SIGTERM or SIGINT.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

import express, { type Request, type Response } from 'express';
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

export async function startExpressFloor(options: ForwarderOptions): Promise<Forwarder> {
  const upstream = new URL(options.upstream.endsWith('/') ? options.upstream : `${options.upstream}/`);
  const ordsJobs = `${upstream.pathname}_/db-api/stable/database/datapump/jobs/`;
  const authorization = `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  const pool = new Pool(upstream.origin, { connections: options.connections ?? 16, keepAliveTimeout: 4_000 });

  const forward = (req: Request, res: Response) => {
    const headers: Record<string, string> = { authorization };
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    pool
      .request({
        method: req.method as 'GET' | 'POST',
        // req.originalUrl: the path and query as sent, whatever the router matched.
        path: ordsJobs + req.originalUrl.slice(PUBLIC_PREFIX.length),
        headers,
        body: req.method === 'POST' ? req : null,
      })
      .then(
        ({ statusCode, headers: answered, body }) => {
          res.status(statusCode);
          copyHeaders(answered, res);
          pipeline(body, res, () => undefined);
        },
        () => {
          req.resume();
          if (!res.headersSent) res.status(502);
          res.end();
        },
      );
  };

  const app = express();
  // A route with a wildcard parameter, as an application's routes have one: the router's matching is part of the cost.
  const route = `${PUBLIC_PREFIX}{*rest}`;
  app.get(route, forward);
  app.post(route, forward);
  app.use((_req: Request, res: Response) => {
    res.status(404).end();
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(s),
    );
  });
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
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

/** setHeader, not res.set: Express's `set` would rewrite a Content-Type (a charset added), the floor passes it as is. */
function copyHeaders(headers: IncomingHttpHeaders, res: Response): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) res.setHeader(name, value);
  }
}

if (isMain(import.meta.url)) await runForwarder('express floor', 'express-floor.js', startExpressFloor);
