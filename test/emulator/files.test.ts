// A job's files: the log (reflecting parameters and progress), an export's dump, 404s, and a large streamed log.
import { Readable, Writable } from 'node:stream';

import { request } from 'undici';
import { describe, expect, it } from 'vitest';

import { manualClock } from '../../src/emulator/index.js';
import { createJobStore } from '../../src/emulator/job-store.js';
import { jobLog, sizedLogChunks } from '../../src/emulator/log-stream.js';
import { BASIC, call } from './helpers/client.js';
import { assertOrdsContract } from './helpers/ords-contract.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const related = (job: { links: Array<{ rel: string; href: string }> }) =>
  job.links.filter((l) => l.rel === 'related').map((l) => l.href);

describe('job files', () => {
  it('the log echoes every parameter as data and shows progress, then the completion line', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 10_000 });
    const created = await call(jobs, {
      headers: auth,
      body: {
        operation: 'IMPORT',
        job_mode: 'TABLE',
        file_name: 'HR%U.DMP',
        threads: 3,
        filter: "'EMP'",
        name_expressions: [{ expression: "LIKE 'EMP%'" }],
        schema_expressions: [{ expression: "IN ('HR')" }],
        tablespace_expressions: [{ expression: "= 'USERS'" }],
        remap_schemas: [{ source: 'HR', target: 'BLAKE' }],
      },
    });
    const [logUrl] = related(created.json);
    expect(logUrl).toMatch(/\/IMPDAT-2019-09-06-15_57_36\.LOG$/);
    const early = await call(logUrl!, { headers: auth });
    expect(early.status).toBe(200);
    expect(early.headers['content-type']).toBe('text/plain; charset=utf-8');
    for (const line of [
      'operation: IMPORT',
      'job_mode: TABLE',
      'file_name: HR%U.DMP',
      "filter: 'EMP'",
      "name_expression: LIKE 'EMP%'",
      "schema_expression: IN ('HR')",
      "tablespace_expression: = 'USERS'",
      'remap_schema: HR:BLAKE',
      'threads: 3',
    ]) {
      expect(early.text).toContain(`;;;   ${line}\n`);
    }
    expect(early.text).toContain('Percent done: 0\n');
    expect(early.text).not.toContain('successfully completed');

    clock.advance(5_000);
    const middle = await call(logUrl!, { headers: auth });
    expect(middle.text).toContain('Percent done: 50\n');
    expect(middle.text.match(/^Processing object type /gm)).toHaveLength(2);

    clock.advance(5_000);
    const done = await call(logUrl!, { headers: auth });
    expect(done.text.trimEnd().split('\n').pop()).toBe(
      'Job "PDBADMIN"."DATAPUMP_REST_IMPORT_20190906155736" successfully completed at Fri Sep 6 15:57:46 2019 elapsed 0 00:00:10',
    );
  });

  it('a completed export links and serves its dump file; before completion it is 404', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000, dumpBytes: 10_000 });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const self = created.headers.location!;
    expect(related(created.json)).toEqual([`${self}EXPDAT-2019-09-06-15_57_36.LOG`]);
    const early = await call(`${self}EXPDAT01-15_57_36.DMP`, { headers: auth });
    expect(early.status).toBe(404);
    clock.advance(1000);
    const job = (await call(self, { headers: auth })).json;
    expect(related(job)).toEqual([`${self}EXPDAT-2019-09-06-15_57_36.LOG`, `${self}EXPDAT01-15_57_36.DMP`]);
    const res = await request(`${self}EXPDAT01-15_57_36.DMP`, { headers: auth });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(bytes.length).toBe(10_000);
    expect(bytes.subarray(0, 28).toString()).toBe('EMULATED DATA PUMP DUMP FILE');
    assertOrdsContract({
      method: 'GET',
      path: new URL(`${self}EXPDAT01-15_57_36.DMP`).pathname,
      status: 200,
      contentType: 'application/octet-stream',
      body: bytes.toString('latin1'),
    });
    // Deterministic: the same job serves the same bytes.
    const again = Buffer.from(
      await (await request(`${self}EXPDAT01-15_57_36.DMP`, { headers: auth })).body.arrayBuffer(),
    );
    expect(again.equals(bytes)).toBe(true);
  });

  it('a given file_name is the dump pattern (%U → 01); an object-storage export links no dump', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 0 });
    const named = await call(jobs, { headers: auth, body: { operation: 'EXPORT', file_name: 'HR_%U.DMP' } });
    expect(related(named.json).map((u) => u.split('/').pop())).toEqual(['EXPDAT-2019-09-06-15_57_36.LOG', 'HR_01.DMP']);
    clock.advance(0);
    const cloud = await call(jobs, {
      headers: auth,
      body: {
        operation: 'EXPORT',
        credential_name: 'OBJ_CRED',
        file_name: 'https://objectstorage.example.com/n/ns/b/b/o/hr%U.dmp',
      },
    });
    expect(related(cloud.json)).toHaveLength(1);
  });

  it("404 with ORDS's body for a file the job does not have, or a job that does not exist", async () => {
    const { jobs } = await startTestEmulator();
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const missing = await call(`${created.headers.location!}OTHER.LOG`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      code: 'NotFound',
      title: 'Not Found',
      type: 'tag:oracle.com,2020:error/NotFound',
    });
    expect((await call(`${jobs}PDBADMIN,NO_SUCH_JOB/EXPDAT.LOG`, { headers: auth })).status).toBe(404);
  });

  it('control characters in data are escaped in the log, so they cannot forge lines (validation off)', async () => {
    const { jobs } = await startTestEmulator({ validate: false });
    const created = await call(jobs, {
      headers: auth,
      body: { operation: 'EXPORT', schema_expressions: [{ expression: 'X\nJob "A"."B" successfully completed' }] },
    });
    const log = (await call(related(created.json)[0]!, { headers: auth })).text;
    expect(log).toContain(';;;   schema_expression: X\\u000aJob "A"."B" successfully completed\n');
    expect(log).not.toMatch(/^Job "A"/m);
  });
});

describe('a configured log size is streamed', () => {
  it('50 MB over HTTP: exact length, whole lines, ends with the completion line', async () => {
    const size = 50 * 1024 * 1024 + 7;
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1, logBytes: size });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    clock.advance(1);
    const res = await request(related(created.json)[0]!, { headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-length']).toBeUndefined(); // chunked, as a stream
    let total = 0;
    let chunks = 0;
    let tail = Buffer.alloc(0);
    const heapBefore = process.memoryUsage().heapUsed;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      chunks += 1;
      tail = Buffer.concat([tail, chunk]).subarray(-300);
    }
    expect(total).toBe(size);
    expect(chunks).toBeGreaterThan(100); // many chunks, not one buffered body
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(40 * 1024 * 1024);
    expect(tail.toString().trimEnd().split('\n').pop()).toMatch(
      /^Job "PDBADMIN"."DATAPUMP_REST_EXPORT_20190906155736" successfully completed at /,
    );
    assertOrdsContract({
      method: 'GET',
      path: new URL(related(created.json)[0]!).pathname,
      status: 200,
      contentType: res.headers['content-type'] as string,
      body: tail.toString(),
    });
  });

  it('the log body is a lazy Readable: 1 GiB configured, only what is read gets generated', async () => {
    const clock = manualClock();
    const store = createJobStore({ clock, jobDurationMs: 0, retainFinishedMs: null, failWhenFileNameContains: null });
    const job = store.create('PDBADMIN', 'EXPORT', {});
    const body = jobLog(job, clock.now(), 1024 ** 3);
    expect(typeof body).toBe('function');
    const stream = (body as () => Readable)();
    expect(stream).toBeInstanceOf(Readable);
    let read = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (read > 1024 * 1024) break;
    }
    expect(stream.destroyed).toBe(true);
    expect(read).toBeLessThan(2 * 1024 * 1024);
  });

  it('respects backpressure: a consumer that stops reading stops the generation', async () => {
    const clock = manualClock();
    const store = createJobStore({ clock, jobDurationMs: 0, retainFinishedMs: null, failWhenFileNameContains: null });
    const source = (jobLog(store.create('PDBADMIN', 'EXPORT', {}), clock.now(), 1024 ** 3) as () => Readable)();
    const stuck = new Writable({ highWaterMark: 64 * 1024, write: () => undefined }); // never calls back
    source.pipe(stuck);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    // Only about one buffer's worth on each side exists; an eager generator would have produced far more.
    expect(source.readableLength + stuck.writableLength).toBeLessThan(512 * 1024);
    expect(source.readableEnded).toBe(false);
    source.destroy();
  });

  it('sizes: exact for any size, cut when smaller than head + tail', () => {
    const block = Buffer.from(`${'x'.repeat(63)}\n`.repeat(1024));
    for (const total of [0, 3, 10, 11, 64, 65, 100, 65536 + 5, 3 * 65536 + 64 * 7 + 13]) {
      const out = Buffer.concat([...sizedLogChunks(Buffer.from('head\n'), Buffer.from('tail\n'), total, block)]);
      expect(out.length).toBe(total);
      if (total >= 10) expect(out.toString().endsWith('tail\n')).toBe(true);
      if (total >= 10)
        expect(
          out
            .toString()
            .split('\n')
            .slice(0, -1)
            .every((l) => l.length < 64),
        ).toBe(true);
    }
  });
});
