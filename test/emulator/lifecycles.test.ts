// How jobs end, as Data Pump ends them: the lifecycles (dropped, kept, completed), keep_master, the three log endings,
// retainFinishedMs folded in, and whether a vanished job's files are still served.
import { describe, expect, it } from 'vitest';

import { type EmulatorOptions, resolveOptions } from '../../src/emulator/index.js';
import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const get = (url: string) => call(url, { headers: auth });
const related = (job: { links: Array<{ rel: string; href: string }> }) =>
  job.links.filter((l) => l.rel === 'related').map((l) => l.href);
const lastLine = (text: string) => text.trimEnd().split('\n').pop()!;

type Lifecycle = NonNullable<EmulatorOptions['lifecycle']>;
type Outcome = 'success' | 'errors' | 'failure';

const FILE: Record<Outcome, string> = { success: 'OK%U.DMP', errors: 'ERRS%U.DMP', failure: 'FAIL%U.DMP' };
const LAST_LINE: Record<Outcome, RegExp> = {
  success:
    /^Job "PDBADMIN"\."DATAPUMP_REST_EXPORT_20190906155736" successfully completed at Fri Sep 6 15:57:37 2019 elapsed 0 00:00:01$/,
  errors:
    /^Job "PDBADMIN"\."DATAPUMP_REST_EXPORT_20190906155736" completed with 1 error\(s\) at Fri Sep 6 15:57:37 2019 elapsed 0 00:00:01$/,
  failure:
    /^Job "PDBADMIN"\."DATAPUMP_REST_EXPORT_20190906155736" stopped due to fatal error at Fri Sep 6 15:57:37 2019 elapsed 0 00:00:01$/,
};

describe('lifecycles', () => {
  // [lifecycle, keep_master in the body, state once it has ended, whether a job that completed then vanishes]
  const fates: Array<[Lifecycle, 0 | 1 | undefined, 'COMPLETED' | 'NOT RUNNING', boolean]> = [
    ['dropped', undefined, 'COMPLETED', true],
    ['dropped', 0, 'COMPLETED', true],
    ['dropped', 1, 'NOT RUNNING', false], // ORDS 25.4+ keep_master: 1 keeps the control table
    ['kept', undefined, 'NOT RUNNING', false],
    ['kept', 0, 'COMPLETED', true],
    ['kept', 1, 'NOT RUNNING', false],
    ['completed', undefined, 'COMPLETED', false], // emulator-only: keep_master is not consulted
    ['completed', 0, 'COMPLETED', false],
    ['completed', 1, 'COMPLETED', false],
  ];
  const rows = fates.flatMap(([lifecycle, keepMaster, state, vanishes]) =>
    (['success', 'errors', 'failure'] as const).map((outcome) => ({
      lifecycle,
      keepMaster,
      outcome,
      // A failed job keeps its control table whatever keep_master says, so it can be restarted.
      state: outcome === 'failure' ? 'NOT RUNNING' : state,
      vanishes: outcome !== 'failure' && vanishes,
    })),
  );

  it.each(rows)(
    '$lifecycle, keep_master $keepMaster, $outcome: $state, vanishes: $vanishes',
    async ({ lifecycle, keepMaster, outcome, state, vanishes }) => {
      const { api, jobs, clock } = await startTestEmulator({
        lifecycle,
        jobDurationMs: 1000,
        completedVisibleMs: 500,
        failWhenFileNameContains: 'FAIL',
        completeWithErrorsWhenFileNameContains: 'ERRS',
      });
      const body = { file_name: FILE[outcome], ...(keepMaster === undefined ? {} : { keep_master: keepMaster }) };
      const created = await call(`${api}database/datapump/export`, { headers: auth, body });
      expect(created.status).toBe(201);
      const url = created.headers.location!;
      const [logUrl] = related(created.json);
      clock.advance(999);
      expect((await get(url)).json).toMatchObject({ state: 'EXECUTING', datapump_sessions: 2 });

      clock.advance(1);
      const ended = (await get(url)).json;
      expect(ended).toMatchObject({ state, job_state: state, datapump_sessions: 0 });
      expect((await get(jobs)).json.items).toEqual([expect.objectContaining({ state })]);
      // The dump set was written unless the job failed, whichever state the job shows.
      expect(related(ended)).toHaveLength(outcome === 'failure' ? 1 : 2);
      expect(lastLine((await get(logUrl!)).text)).toMatch(LAST_LINE[outcome]);

      clock.advance(499);
      expect((await get(url)).json.state).toBe(state);
      clock.advance(1);
      for (const later of [0, 365 * 24 * 3600 * 1000]) {
        clock.advance(later);
        const read = await get(url);
        const list = (await get(jobs)).json;
        if (vanishes) {
          expect(read.status).toBe(404);
          expect(read.json).toMatchObject({ code: 'NotFound', type: 'tag:oracle.com,2020:error/NotFound' });
          expect(list).toMatchObject({ count: 0, items: [] });
        } else {
          expect(read.json.state).toBe(state);
          expect(list.items).toEqual([expect.objectContaining({ state })]);
        }
      }
    },
  );

  it('the default is dropped, COMPLETED for 1000 ms', async () => {
    expect(resolveOptions()).toMatchObject({ lifecycle: 'dropped', completedVisibleMs: 1000, vanishedFiles: 'gone' });
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000 });
    const url = (await call(jobs, { headers: auth, body: { operation: 'EXPORT' } })).headers.location!;
    clock.advance(1999);
    expect((await get(url)).json.state).toBe('COMPLETED');
    clock.advance(1);
    expect((await get(url)).status).toBe(404);
  });

  it('completedVisibleMs 0: a poller sees EXECUTING, then nothing', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000, completedVisibleMs: 0 });
    const url = (await call(jobs, { headers: auth, body: { operation: 'EXPORT' } })).headers.location!;
    clock.advance(999);
    expect((await get(url)).json.state).toBe('EXECUTING');
    clock.advance(1);
    expect((await get(url)).status).toBe(404);
  });

  it('keep_master on POST jobs/ chooses too (unconfirmed for real ORDS)', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000 });
    const kept = await call(jobs, { headers: auth, body: { operation: 'EXPORT', keep_master: 1 } });
    const dropped = await call(jobs, { headers: auth, body: { operation: 'EXPORT', keep_master: 0 } });
    clock.advance(5000);
    expect((await get(kept.headers.location!)).json.state).toBe('NOT RUNNING');
    expect((await get(dropped.headers.location!)).status).toBe(404);
  });

  it('jobs of several lifetimes leave the list out of creation order', async () => {
    const { jobs, clock } = await startTestEmulator({
      jobDurationMs: 1000,
      retainFinishedMs: 3000,
      completedVisibleMs: 500,
      failWhenFileNameContains: 'FAIL',
    });
    const names: string[] = [];
    for (const body of [
      { operation: 'EXPORT', file_name: 'FAIL.DMP' }, // NOT RUNNING until 1000 + 3000
      { operation: 'EXPORT' }, // COMPLETED until 1000 + 500
      { operation: 'EXPORT', keep_master: 1 }, // NOT RUNNING until 1000 + 3000
      { operation: 'IMPORT', file_name: 'X.DMP' }, // COMPLETED until 1000 + 500
    ]) {
      names.push((await call(jobs, { headers: auth, body })).json.job_name);
    }
    const listed = async () => (await get(jobs)).json.items.map((j: { job_name: string }) => j.job_name);
    clock.advance(1499);
    expect(await listed()).toEqual(names);
    clock.advance(1);
    expect(await listed()).toEqual([names[0], names[2]]);
    expect((await get(`${jobs}?limit=1&offset=1`)).json).toMatchObject({ count: 1, hasMore: false });
    clock.advance(2500);
    expect(await listed()).toEqual([]);
  });
});

describe('how a job ends: its log', () => {
  it.each([
    ['EXPORT', /^ORA-31693: Table data object "PDBADMIN"\."T000001" failed to load\/unload/m],
    ['IMPORT', /^ORA-39083: Object type PROCEDURE:"PDBADMIN"\."P000001" failed to create with error:$/m],
  ])('%s completed with errors: ORA- lines, the dump set, then "completed with 1 error(s)"', async (op, oraLine) => {
    const { jobs, clock } = await startTestEmulator({
      jobDurationMs: 2000,
      completeWithErrorsWhenFileNameContains: 'ERRS',
    });
    const created = await call(jobs, { headers: auth, body: { operation: op, file_name: 'HR_ERRS%U.DMP' } });
    const [logUrl] = related(created.json);
    expect((await get(logUrl!)).text).not.toMatch(/ORA-/);
    clock.advance(2000);
    const log = (await get(logUrl!)).text;
    expect(log).toMatch(oraLine);
    expect(log).toMatch(/^Master table "PDBADMIN"\."DATAPUMP_REST_\w+" successfully loaded\/unloaded$/m);
    expect(lastLine(log)).toMatch(
      new RegExp(
        `^Job "PDBADMIN"\\."DATAPUMP_REST_${op}_20190906155736" completed with 1 error\\(s\\) at Fri Sep 6 15:57:38 2019 elapsed 0 00:00:02$`,
      ),
    );
    expect((await get(created.headers.location!)).json.state).toBe('COMPLETED');
  });

  it('failure wins when both triggers match', async () => {
    const { jobs, clock } = await startTestEmulator({
      jobDurationMs: 1,
      failWhenFileNameContains: 'BAD',
      completeWithErrorsWhenFileNameContains: 'BAD',
    });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT', file_name: 'BAD.DMP' } });
    clock.advance(1);
    expect((await get(created.headers.location!)).json.state).toBe('NOT RUNNING');
    expect(lastLine((await get(related(created.json)[0]!)).text)).toMatch(/stopped due to fatal error at /);
  });

  it('a sized log (logBytes) ends the same way', async () => {
    const { jobs, clock } = await startTestEmulator({
      jobDurationMs: 1,
      logBytes: 100_000,
      completeWithErrorsWhenFileNameContains: 'ERRS',
    });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT', file_name: 'ERRS.DMP' } });
    clock.advance(1);
    const log = (await get(related(created.json)[0]!)).text;
    expect(Buffer.byteLength(log)).toBe(100_000);
    expect(lastLine(log)).toMatch(/completed with 1 error\(s\) at /);
  });
});

describe('retainFinishedMs folds into the lifecycles', () => {
  it('resolves as the dropped COMPLETED moment unless completedVisibleMs is given', () => {
    expect(resolveOptions({ retainFinishedMs: 60_000 })).toMatchObject({
      completedVisibleMs: 60_000,
      retainFinishedMs: 60_000,
    });
    expect(resolveOptions({ retainFinishedMs: 60_000, completedVisibleMs: 10 })).toMatchObject({
      completedVisibleMs: 10,
      retainFinishedMs: 60_000,
    });
  });

  // [lifecycle, outcome, state while visible]: each vanishes retainFinishedMs (3000) after it ended.
  it.each<[Lifecycle, Outcome, string]>([
    ['dropped', 'success', 'COMPLETED'],
    ['dropped', 'failure', 'NOT RUNNING'],
    ['kept', 'success', 'NOT RUNNING'],
    ['kept', 'errors', 'NOT RUNNING'],
    ['completed', 'success', 'COMPLETED'],
    ['completed', 'failure', 'NOT RUNNING'],
  ])('%s, %s: %s for retainFinishedMs, then gone', async (lifecycle, outcome, state) => {
    const { jobs, clock } = await startTestEmulator({
      lifecycle,
      jobDurationMs: 1000,
      retainFinishedMs: 3000,
      failWhenFileNameContains: 'FAIL',
      completeWithErrorsWhenFileNameContains: 'ERRS',
    });
    const url = (await call(jobs, { headers: auth, body: { operation: 'EXPORT', file_name: FILE[outcome] } })).headers
      .location!;
    clock.advance(3999);
    expect((await get(url)).json.state).toBe(state);
    clock.advance(1);
    expect((await get(url)).status).toBe(404);
  });

  it('with both, a dropped job uses completedVisibleMs and every other finished job retainFinishedMs', async () => {
    const { jobs, clock } = await startTestEmulator({
      jobDurationMs: 1000,
      completedVisibleMs: 100,
      retainFinishedMs: 3000,
      failWhenFileNameContains: 'FAIL',
    });
    const ok = (await call(jobs, { headers: auth, body: { operation: 'EXPORT' } })).headers.location!;
    const failed = (await call(jobs, { headers: auth, body: { operation: 'EXPORT', file_name: 'FAIL.DMP' } })).headers
      .location!;
    clock.advance(1100);
    expect((await get(ok)).status).toBe(404);
    expect((await get(failed)).json.state).toBe('NOT RUNNING');
    clock.advance(2900);
    expect((await get(failed)).status).toBe(404);
  });
});

describe('vanishedFiles', () => {
  async function vanishedExport(vanishedFiles: 'gone' | 'served') {
    const started = await startTestEmulator({
      jobDurationMs: 1000,
      completedVisibleMs: 500,
      vanishedFiles,
      dumpBytes: 4096,
    });
    const created = await call(started.jobs, { headers: auth, body: { operation: 'EXPORT' } });
    started.clock.advance(1000);
    const files = related((await get(created.headers.location!)).json);
    expect(files).toHaveLength(2);
    started.clock.advance(500);
    expect((await get(created.headers.location!)).status).toBe(404);
    return { ...started, self: created.headers.location!, files };
  }

  it('gone (default): the file URLs of a vanished job answer 404, as for any unknown job', async () => {
    const { files } = await vanishedExport('gone');
    for (const file of files) {
      const res = await get(file);
      expect(res.status).toBe(404);
      expect(res.json.code).toBe('NotFound');
    }
  });

  it('served: the log (as it ended) and the dump stay readable; nothing else does', async () => {
    const { files, self } = await vanishedExport('served');
    const [logUrl, dumpUrl] = files;
    const log = await get(logUrl!);
    expect(log.status).toBe(200);
    expect(log.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(lastLine(log.text)).toMatch(/successfully completed at /);
    const dump = await get(dumpUrl!);
    expect(dump.status).toBe(200);
    expect(dump.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.byteLength(dump.text, 'latin1')).toBeGreaterThan(0);
    expect((await get(`${self}OTHER.DMP`)).status).toBe(404);
  });

  it('served applies to failed jobs dropped by retainFinishedMs, and DELETE /__emulator/jobs forgets them', async () => {
    const { jobs, clock, origin } = await startTestEmulator({
      jobDurationMs: 1,
      retainFinishedMs: 10,
      vanishedFiles: 'served',
      failWhenFileNameContains: 'FAIL',
    });
    const created = await call(jobs, { headers: auth, body: { operation: 'IMPORT', file_name: 'FAIL.DMP' } });
    const [logUrl] = related(created.json);
    clock.advance(11);
    expect((await get(created.headers.location!)).status).toBe(404);
    expect(lastLine((await get(logUrl!)).text)).toMatch(/stopped due to fatal error at /);
    await call(`${origin}/__emulator/jobs`, { method: 'DELETE' });
    expect((await get(logUrl!)).status).toBe(404);
  });
});
