// The byte counters of measureRequests (src/gateway/ops/metrics.ts) on a real HTTP server: request bodies counted as read (Content-Length or chunked,
// none when never read), response bodies as written (strings in their encoding, write and end, streams), nothing
// for HEAD/204/304, each request of a keep-alive connection on its own, and a download cut half-way counted only
// for what left. The end-to-end counts through the whole gateway are in test/ops/dashboard-metrics.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import express from 'express';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMetrics, measureRequests } from '../../../src/gateway/ops/metrics.js';

const metrics = createMetrics({ defaultMetrics: false });
const STRINGS = Buffer.byteLength('héllo ') + 2 + Buffer.byteLength(' wörld €');
const BIG_CHUNK = Buffer.alloc(64 * 1024, 1);
const BIG_CHUNKS = 1024; // 64 MiB: far more than the kernel buffers of a connection whose client stopped

const app = express();
app.use((req, _res, next) => {
  // The contract validator sets the matched route; here, the path stands in for it.
  (req as { openapi?: { openApiRoute: string } }).openapi = { openApiRoute: req.path };
  next();
});
app.use(measureRequests(metrics, { tenantLabel: false }));
app.post('/json', express.json(), (req, res) => {
  res.json({ got: req.body });
});
app.post('/unread', (_req, res) => {
  res.status(401).send('no');
});
app.get('/strings', (_req, res) => {
  res.write('héllo ');
  res.write('ffff', 'hex');
  res.end(' wörld €', 'utf8');
});
app.get('/buffers', (_req, res) => {
  res.write(Buffer.alloc(10));
  res.write(new Uint8Array(5), () => {});
  res.end(Buffer.alloc(7), () => {});
});
app.head('/strings', (_req, res) => {
  res.setHeader('content-length', '20').end();
});
app.get('/no-content', (_req, res) => {
  res.status(204).end();
});
app.get('/stream', async (_req, res) => {
  await pipeline(Readable.from(Array.from({ length: 8 }, () => Buffer.alloc(1000, 2))), res);
});
app.get('/huge', (_req, res) => {
  let sent = 0;
  const source = new Readable({
    read() {
      this.push(sent++ < BIG_CHUNKS ? BIG_CHUNK : null);
    },
  });
  pipeline(source, res).catch(() => {}); // the client goes away
});

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function counted(counter: 'requestBytes' | 'responseBytes', route: string, method: string) {
  const { values } = await metrics[counter].get();
  return values.find((v) => v.labels.route === route && v.labels.method === method)?.value;
}

/** Waits for both counters of route+method to be recorded (on the response's close), then reads them. */
async function both(route: string, method: string) {
  const deadline = performance.now() + 5_000;
  while ((await counted('responseBytes', route, method)) === undefined) {
    if (performance.now() > deadline) throw new Error(`no bytes recorded for ${method} ${route}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { in: await counted('requestBytes', route, method), out: await counted('responseBytes', route, method) };
}

describe('the byte counters', () => {
  const body = JSON.stringify({ name: 'zoë', n: [1, 2, 3] });

  it.each([
    {
      what: 'a JSON body with Content-Length, answered as JSON',
      method: 'POST',
      path: '/json',
      send: () => body,
      in: Buffer.byteLength(body),
      out: Buffer.byteLength(JSON.stringify({ got: JSON.parse(body) })),
    },
    {
      what: 'a body never read (refused first)',
      method: 'POST',
      path: '/unread',
      send: () => 'x'.repeat(5000),
      in: 0,
      out: 2,
    },
    {
      what: 'strings in their encodings, by write and end',
      method: 'GET',
      path: '/strings',
      send: () => null,
      in: 0,
      out: STRINGS,
    },
    {
      what: 'buffers and typed arrays, with and without callbacks',
      method: 'GET',
      path: '/buffers',
      send: () => null,
      in: 0,
      out: 22,
    },
    { what: 'a streamed body (pipeline)', method: 'GET', path: '/stream', send: () => null, in: 0, out: 8000 },
    { what: 'HEAD: no body', method: 'HEAD', path: '/strings', send: () => null, in: 0, out: 0 },
    { what: '204: no body', method: 'GET', path: '/no-content', send: () => null, in: 0, out: 0 },
  ])('$what', async ({ method, path, send, ...expected }) => {
    const res = await request(`${base}${path}`, {
      method: method as 'GET',
      headers: { 'content-type': 'application/json' },
      body: send(),
    });
    const received = Buffer.from(await res.body.arrayBuffer()).length;
    expect(await both(path, method)).toEqual({ in: expected.in, out: expected.out });
    expect(received).toBe(expected.out);
  });

  it('counts a chunked request body (no Content-Length) as read', async () => {
    const chunks = ['{"name":', '"chunked",', '"n":[1,2,3]}'];
    const res = await request(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-path': 'chunked' },
      body: Readable.from(chunks.map((c) => Buffer.from(c))),
    });
    expect(res.statusCode).toBe(200);
    const answer = await res.body.text();
    // Same route as the Content-Length case above: the counters add up across requests.
    const after = await both('/json', 'POST');
    const first = Buffer.byteLength(body);
    expect(after.in).toBe(first + chunks.join('').length);
    expect(after.out).toBe(Buffer.byteLength(JSON.stringify({ got: JSON.parse(body) })) + answer.length);
  });

  it('counts each request of one keep-alive connection on its own', async () => {
    const agent = new Agent({ connections: 1, pipelining: 1 });
    const stream0 = (await counted('responseBytes', '/stream', 'GET')) ?? 0;
    const strings0 = (await counted('responseBytes', '/strings', 'GET')) ?? 0;
    try {
      const sizes: number[] = [];
      for (const path of ['/stream', '/strings', '/stream']) {
        const res = await request(`${base}${path}`, { dispatcher: agent });
        sizes.push(Buffer.from(await res.body.arrayBuffer()).length);
      }
      expect(sizes).toEqual([8000, STRINGS, 8000]);
      const deadline = performance.now() + 5_000;
      while ((await counted('responseBytes', '/stream', 'GET')) !== stream0 + 2 * 8000) {
        if (performance.now() > deadline) throw new Error('the keep-alive requests were not all counted');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await counted('responseBytes', '/strings', 'GET')).toBe(strings0 + STRINGS);
    } finally {
      await agent.close();
    }
  });

  it('counts only what left of a download its client cut, not what was offered', async () => {
    const res = await request(`${base}/huge`);
    let read = 0;
    for await (const chunk of res.body) {
      read += (chunk as Buffer).length;
      if (read >= 256 * 1024) break; // leaving the loop destroys the body: the connection is cut
    }
    const { out } = await both('/huge', 'GET');
    expect(out).toBeGreaterThanOrEqual(read);
    expect(out).toBeLessThan((BIG_CHUNKS * BIG_CHUNK.length) / 2);
  });
});
