// Dumps as Oracle labels them: ORDS's file page gives dumps `application/vnd.tcpdump.pcap` (24.3; realities §6). An
// emulator serving its dumps so (and links that say so) is read like one serving application/octet-stream: the
// public link and the streamed answer say application/octet-stream, byte for byte the same body.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatewayUrls, rewriteLinks } from '../../src/gateway/jobs/public-job.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { testGateway } from '../helpers/gateway-app.js';
import { testConfig } from '../helpers/gateway-config.js';

const HR = { 'X-API-Key': 'hr-demo-key' };
const JOBS = '/databases/orcl/datapump/jobs/';
const ORDS_AUTH = { authorization: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}` };

describe.each(['application/vnd.tcpdump.pcap', 'application/octet-stream'] as const)(
  'an ORDS serving dumps as %s',
  (dumpMediaType) => {
    let emulator: EmulatorProcess;
    beforeAll(async () => {
      emulator = await startEmulatorProcess({
        clock: 'manual',
        config: { dumpMediaType, dumpBytes: 70_000, jobDurationMs: 1_000, lifecycle: 'kept' },
      });
    });
    afterAll(async () => {
      await emulator?.stop();
    });

    it('the gateway links and streams the dump as application/octet-stream, the same bytes', async () => {
      const gw = testGateway({ config: testConfig({}, { url: emulator.ordsUrl }) });
      const created = await request(gw.app).post(JOBS).set(HR).send({ operation: 'EXPORT' });
      expect(created.status, created.text).toBe(201);
      await emulator.advanceClock(1_000);
      const job = await request(gw.app).get(`${JOBS}${created.body.owner_name},${created.body.job_name}/`).set(HR);
      const files = job.body.links.filter((l: { rel: string }) => l.rel === 'related') as Array<{
        href: string;
        mediaType: string;
      }>;
      const dump = files.find((l) => /\.DMP$/.test(l.href))!;
      expect(dump.mediaType).toBe('application/octet-stream');

      const ordsFile = await fetch(
        `${emulator.apiUrl}database/datapump/jobs/${created.body.owner_name},${created.body.job_name}/${dump.href.split('/').pop()}`,
        { headers: ORDS_AUTH },
      );
      expect(ordsFile.headers.get('content-type')).toBe(dumpMediaType); // what ORDS said
      const ordsBytes = Buffer.from(await ordsFile.arrayBuffer());

      const res = await request(gw.app)
        .get(new URL(dump.href).pathname)
        .set(HR)
        .buffer(true)
        .parse((stream, done) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect((res.body as Buffer).equals(ordsBytes)).toBe(true);
      expect(ordsBytes.length).toBe(70_000);
      await gw.close();
    });
  },
);

describe('ORDS links that carry a media type', () => {
  it('a dump link that says pcap is an application/octet-stream link; the log stays text/plain', () => {
    const ords = 'http://ords:8080/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/PDBADMIN,J1/';
    const links = rewriteLinks(
      [
        { rel: 'related', href: `${ords}EXPDAT01-15_57_36.DMP`, mediaType: 'application/vnd.tcpdump.pcap' },
        { rel: 'related', href: `${ords}EXPDAT-2019-09-06-15_57_36.LOG`, mediaType: 'text/plain' },
      ],
      gatewayUrls('http://gateway.test', 'orcl'),
      'PDBADMIN',
      'J1',
    );
    expect(links.map((l) => l.mediaType)).toEqual(['application/octet-stream', 'text/plain']);
  });
});
