// The access log on a real HTTP server, through a logger configured as the gateway's (REDACT_PATHS): exactly one line
// per request (info, error for a 5xx, warn for an answer cut before its end) with the listed fields and no header,
// body or credential; and the app logger's other lines are still redacted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import express from 'express';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accessLog, REDACT_PATHS } from '../../../src/gateway/middleware/access-log.js';
import { requestId } from '../../../src/gateway/middleware/request-id.js';

const lines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'datapump-gateway' } },
  { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
);

const app = express();
app.use(requestId());
app.use(accessLog({ logger }));
app.use(express.json());
app.post('/echo', (req, res) => {
  res.json({ got: req.body as unknown });
});
app.get('/fail', (_req, res) => {
  res.status(503).send('down');
});
app.get('/endless', (_req, res) => {
  const source = new Readable({
    read() {
      this.push(Buffer.alloc(64 * 1024, 1));
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

/** The lines of one request id, once at least `count` of them are there (the line follows the answer by a tick). */
async function linesOf(id: string, count = 1) {
  const deadline = performance.now() + 5_000;
  const of = () => lines.filter((l) => (l.req as { id?: string } | undefined)?.id === id);
  while (of().length < count && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50)); // and no second line after it
  return of();
}

const SECRETS = ['hr-demo-key', 'Basic aHItdGVhbTpoci1kZW1vLWtleQ==', 'eyJhbGciOiJub25lIn0.e30.', 's3cr3t', 'pa55word'];

describe('the access log', () => {
  it('writes one info line with the listed fields and no header, body or credential', async () => {
    const res = await request(`${base}/echo`, {
      method: 'POST',
      headers: {
        'x-request-id': 'access-1',
        authorization: SECRETS[1]!,
        'x-api-key': SECRETS[0]!,
        cookie: `session=${SECRETS[3]!}`,
        'proxy-authorization': `Bearer ${SECRETS[2]!}`,
        'content-type': 'application/json',
        'user-agent': 'access-test/1',
      },
      body: JSON.stringify({ password: SECRETS[4], apiKey: SECRETS[0] }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    const [line, ...more] = await linesOf('access-1');
    expect(more).toEqual([]);
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'datapump-gateway',
      req: { id: 'access-1', method: 'POST', url: '/echo', userAgent: 'access-test/1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    const text = JSON.stringify(lines);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('writes a 5xx answer as an error line', async () => {
    const res = await request(`${base}/fail`, { headers: { 'x-request-id': 'access-2' } });
    await res.body.text();
    const found = await linesOf('access-2');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ level: 50, msg: 'request completed', res: { statusCode: 503 } });
  });

  it('writes an answer cut before its end as one warn line, "request aborted"', async () => {
    const res = await request(`${base}/endless`, { headers: { 'x-request-id': 'access-3' } });
    let read = 0;
    for await (const chunk of res.body) {
      read += (chunk as Buffer).length;
      if (read >= 256 * 1024) break; // leaving the loop destroys the body: the connection is cut
    }
    const found = await linesOf('access-3');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ level: 40, msg: 'request aborted', req: { url: '/endless' } });
  });

  it("leaves the app logger's own lines redacted", () => {
    logger.info({ req: { headers: { authorization: SECRETS[1] } }, login: { password: SECRETS[4] } }, 'other');
    const other = lines.find((l) => l.msg === 'other')!;
    expect(other).toMatchObject({
      req: { headers: { authorization: '[redacted]' } },
      login: { password: '[redacted]' },
    });
  });
});
