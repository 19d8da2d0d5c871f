// measureRequests on a real HTTP server: one `close` listener per request records the answered request (count and
// duration, by route, method, status and tenant `none`) and its body bytes; a cut answer counts its bytes but not as
// answered; a request without a body keeps its own `emit`. The byte counts themselves are in
// test/gateway/middleware/byte-counter.test.ts.
import { createServer, IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import express from 'express';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMetrics, measureRequests } from '../../../src/gateway/ops/metrics.js';

const metrics = createMetrics({ defaultMetrics: false });
const listeners: Record<string, { close: number; finish: number; ownEmit: boolean }> = {};

function appWith(measured: boolean) {
  const app = express();
  app.use((req, _res, next) => {
    // The contract validator sets the matched route; here, the path stands in for it.
    (req as { openapi?: { openApiRoute: string } }).openapi = { openApiRoute: req.path };
    next();
  });
  if (measured) app.use(measureRequests(metrics, { tenantLabel: false }));
  app.get('/listeners', (req, res) => {
    listeners[measured ? 'measured' : 'bare'] = {
      close: res.listenerCount('close'),
      finish: res.listenerCount('finish'),
      ownEmit: req.emit === IncomingMessage.prototype.emit,
    };
    res.json({ ok: true });
  });
  app.get('/teapot', (_req, res) => {
    res.status(418).send('short and stout');
  });
  app.get('/endless', (_req, res) => {
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
      },
    });
    pipeline(source, res).catch(() => {}); // the client goes away
  });
  return app;
}

const servers: Server[] = [];
const bases: Record<'measured' | 'bare', string> = { measured: '', bare: '' };
beforeAll(async () => {
  for (const kind of ['measured', 'bare'] as const) {
    const server = createServer(appWith(kind === 'measured'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    bases[kind] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function value(name: 'requests' | 'duration' | 'responseBytes', labels: Record<string, string>) {
  const { values } = await metrics[name].get();
  return values.find(
    (v) =>
      Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want) &&
      (name !== 'duration' || (v as { metricName?: string }).metricName?.endsWith('_count')),
  )?.value;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const got = await read();
    if (done(got) || performance.now() > deadline) return got;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('measureRequests', () => {
  it('adds one close listener and no finish listener to a request, and leaves a bodiless request’s emit alone', async () => {
    for (const kind of ['bare', 'measured'] as const) {
      const res = await request(`${bases[kind]}/listeners`);
      await res.body.text();
    }
    expect(listeners.measured!.close).toBe(listeners.bare!.close + 1);
    expect(listeners.measured!.finish).toBe(listeners.bare!.finish);
    expect(listeners.measured!.ownEmit).toBe(true);
  });

  it('counts an answered request with its duration, status and body bytes', async () => {
    const res = await request(`${bases.measured}/teapot`);
    expect(await res.body.text()).toBe('short and stout');
    const labels = { route: '/teapot', method: 'GET' };
    expect(await eventually(() => value('requests', { ...labels, status: '418', tenant: 'none' }), Boolean)).toBe(1);
    expect(await value('duration', labels)).toBe(1);
    expect(await value('responseBytes', labels)).toBe('short and stout'.length);
  });

  it('counts the bytes of an answer its client cut, but not the request as answered', async () => {
    const res = await request(`${bases.measured}/endless`);
    let read = 0;
    for await (const chunk of res.body) {
      read += (chunk as Buffer).length;
      if (read >= 256 * 1024) break; // leaving the loop destroys the body: the connection is cut
    }
    const labels = { route: '/endless', method: 'GET' };
    const out = await eventually(
      () => value('responseBytes', labels),
      (v) => v !== undefined,
    );
    expect(out).toBeGreaterThanOrEqual(read);
    expect(await value('requests', labels)).toBeUndefined();
    expect(await value('duration', labels)).toBeUndefined();
  });
});
