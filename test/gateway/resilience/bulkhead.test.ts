// The bulkhead counts a streamed file as in flight until its last byte (it holds an ORDS connection that long),
// against a raw ORDS stand-in that sends a file's first part and holds the rest until the test lets it go.
import type { ServerResponse } from 'node:http';

import request from 'supertest';
import { request as http } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

import { testGateway } from '../../helpers/gateway-app.js';
import { DBA, eventually, listening, metricValue, problem, rawServer, resilienceConfig } from './support.js';

const FILE = '/databases/orcl/datapump/jobs/PDBADMIN,DATAPUMP_REST_EXPORT_1/EXPDAT.LOG';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('bulkhead and streamed files', () => {
  it('holds the slot of a file being streamed until its last byte, then frees it', async () => {
    let held: ServerResponse | undefined;
    const ords = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (!held) {
        held = res;
        res.write('first part\n');
        return;
      }
      res.end('another file\n');
    });
    cleanups.push(ords.close);
    const gw = testGateway({ config: resilienceConfig({ maxConcurrent: 1 }, { url: ords.url }) });
    cleanups.push(gw.close);
    const server = await listening(gw.app);
    cleanups.push(server.close);

    const streaming = await http(`${server.url}${FILE}`, { headers: DBA });
    expect(streaming.statusCode).toBe(200);
    const inFlight = async () =>
      metricValue(await gw.metrics.registry.metrics(), 'datapump_gateway_ords_in_flight{database="orcl"}');
    expect(await inFlight()).toBe(1);

    const refused = await request(gw.app).get(FILE).set(DBA);
    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe(problem('gateway-overloaded'));
    expect(refused.headers['retry-after']).toBe('1');
    expect(ords.received).toHaveLength(1);

    held!.end('second part\n');
    expect(await streaming.body.text()).toBe('first part\nsecond part\n');
    await eventually('the slot is free', async () => (await inFlight()) === 0);
    const next = await request(gw.app).get(FILE).set(DBA);
    expect(next.status).toBe(200);
    expect(next.text).toBe('another file\n');
    expect(ords.received).toHaveLength(2);
  });
});
