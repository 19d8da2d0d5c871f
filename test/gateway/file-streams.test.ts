// File streams have their own bulkhead (file_connections), apart from the JSON calls' (max_concurrent): a file
// holds its slot until its last byte, JSON calls go on meanwhile; file GETs are retried only before their first
// byte. ORDS is a raw stand-in (or a MockAgent) that answers the job's GET with links naming the file.
import type { IncomingMessage, ServerResponse } from 'node:http';

import request from 'supertest';
import { request as http } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

import { testGateway } from '../helpers/gateway-app.js';
import { mockOrds, ORDS_JOBS, ordsJob } from '../helpers/mock-ords.js';
import {
  counting,
  DBA,
  EMPTY_COLLECTION,
  eventually,
  LIST,
  listening,
  metricValue,
  problem,
  rawServer,
  resilienceConfig,
} from './resilience/support.js';

const JOB = 'DATAPUMP_REST_EXPORT_1';
const FILE = `/databases/orcl/datapump/jobs/PDBADMIN,${JOB}/EXPDAT.LOG`;
const ORDS_JOB = `${ORDS_JOBS}PDBADMIN,${JOB}/`;
const ORDS_FILE = `${ORDS_JOB}EXPDAT.LOG`;
/** ORDS's job, whose one file is EXPDAT.LOG. */
const JOB_BODY = ordsJob({
  job_name: JOB,
  links: [
    { rel: 'related', href: `http://ords.example${ORDS_FILE}` },
    { rel: 'self', href: `http://ords.example${ORDS_JOB}` },
  ],
});
const unavailable = {
  code: 'ServiceUnavailable',
  message: 'pool exhausted',
  type: 'tag:oracle.com,2020:error/ServiceUnavailable',
  instance: 'tag:oracle.com,2020:ecid/X',
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A raw ORDS: the job and the list as JSON; the file through `file`. */
async function ords(file: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = await rawServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === ORDS_JOB) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(JOB_BODY));
    } else if (path === ORDS_JOBS) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(EMPTY_COLLECTION));
    } else file(req, res);
  });
  cleanups.push(server.close);
  return server;
}

const fileRequests = (received: Array<{ url: string }>) => received.filter((r) => r.url === ORDS_FILE);

describe("the files' bulkhead", () => {
  it('holds a slot of file_connections per file streamed until its last byte, while JSON calls go on', async () => {
    let held: ServerResponse | undefined;
    const upstream = await ords((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (!held) {
        held = res;
        res.write('first part\n');
        return;
      }
      res.end('another file\n');
    });
    // One JSON slot and one file slot: the stream must not take the JSON calls' one.
    const gw = testGateway({
      config: resilienceConfig({ maxConcurrent: 1 }, { url: upstream.url, fileConnections: 1, connections: 1 }),
    });
    cleanups.push(gw.close);
    const server = await listening(gw.app);
    cleanups.push(server.close);

    const streaming = await http(`${server.url}${FILE}`, { headers: DBA });
    expect(streaming.statusCode).toBe(200);
    const inFlight = async () =>
      metricValue(await gw.metrics.registry.metrics(), 'datapump_gateway_ords_in_flight{database="orcl"}');
    expect(await inFlight()).toBe(1);

    // JSON calls are not behind the stream: neither its bulkhead slot nor its connection.
    const list = await request(gw.app).get(LIST).set(DBA);
    expect(list.status).toBe(200);
    const job = await request(gw.app).get(`/databases/orcl/datapump/jobs/PDBADMIN,${JOB}/`).set(DBA);
    expect(job.status).toBe(200);

    // A second file finds the files' bulkhead full: 503 at once, ORDS's file endpoint not asked.
    const refused = await request(gw.app).get(FILE).set(DBA);
    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe(problem('gateway-overloaded'));
    expect(refused.body.detail).toMatch(/file downloads/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(fileRequests(upstream.received)).toHaveLength(1);

    held!.end('second part\n');
    expect(await streaming.body.text()).toBe('first part\nsecond part\n');
    await eventually('the slot is free', async () => (await inFlight()) === 0);
    const next = await request(gw.app).get(FILE).set(DBA);
    expect(next.status).toBe(200);
    expect(next.text).toBe('another file\n');
    expect(fileRequests(upstream.received)).toHaveLength(2);
  });
});

describe('file GET retries', () => {
  it('retries a file GET answered 503 (before its first byte) and streams the file whole', async () => {
    const mock = mockOrds();
    const counted = counting(mock.agent);
    const gw = testGateway({ dispatcher: counted.dispatcher, config: resilienceConfig({ getRetries: 2 }) });
    cleanups.push(gw.close);
    mock.answer('GET', ORDS_JOB, 200, JOB_BODY);
    mock.answer('GET', ORDS_FILE, 503, unavailable);
    mock.pool
      .intercept({ method: 'GET', path: ORDS_FILE })
      .reply(200, 'Export: Release 19.0.0.0.0\nJob successfully completed\n', {
        headers: { 'content-type': 'text/plain' },
      });
    const res = await request(gw.app).get(FILE).set(DBA);
    expect(res.status).toBe(200);
    expect(res.text).toBe('Export: Release 19.0.0.0.0\nJob successfully completed\n');
    expect(counted.calls.map((c) => c.path)).toEqual([ORDS_JOB, ORDS_FILE, ORDS_FILE]);
  });

  it('never retries a file once its answer has started, even though ORDS cut it', async () => {
    const upstream = await ords((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part of the log\n', () => res.socket?.destroy());
    });
    const gw = testGateway({ config: resilienceConfig({ getRetries: 3 }, { url: upstream.url }) });
    cleanups.push(gw.close);
    const outcome = await request(gw.app)
      .get(FILE)
      .set(DBA)
      .then(
        (r) => r.status,
        (err: Error) => err.message,
      );
    // The client sees a cut connection (or a short body), never a retried, spliced one.
    expect(outcome).not.toBe(503);
    expect(fileRequests(upstream.received)).toHaveLength(1);
  });
});
