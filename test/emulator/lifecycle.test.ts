// A job's life under the injected clock: EXECUTING → COMPLETED / NOT RUNNING, retention, names, sessions.
// The lifecycles (dropped, kept, completed) and how jobs end are in lifecycles.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { manualClock } from '../../src/emulator/index.js';
import { createJobStore } from '../../src/emulator/job-store.js';
import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const create = (jobs: string, body: unknown) => call(jobs, { headers: auth, body });
const get = (url: string) => call(url, { headers: auth });

describe('job lifecycle', () => {
  it('goes EXECUTING → COMPLETED after jobDurationMs, sessions following', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 10_000 });
    const created = await create(jobs, { operation: 'EXPORT', threads: 4 });
    const url = created.headers.location!;
    expect(created.json).toMatchObject({
      state: 'EXECUTING',
      job_state: 'EXECUTING',
      degree: 4,
      attached_sessions: 0,
      datapump_sessions: 2,
    });
    clock.advance(9_999);
    expect((await get(url)).json).toMatchObject({ state: 'EXECUTING', datapump_sessions: 2 });
    clock.advance(1);
    expect((await get(url)).json).toMatchObject({
      state: 'COMPLETED',
      job_state: 'COMPLETED',
      degree: 4,
      datapump_sessions: 0,
    });
    // The list agrees with the job.
    expect((await get(jobs)).json.items[0]).toMatchObject({ job_name: created.json.job_name, state: 'COMPLETED' });
  });

  it('a job whose file name holds the trigger ends NOT RUNNING with ORA- lines in its log', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000, failWhenFileNameContains: 'FAIL' });
    const created = await create(jobs, { operation: 'IMPORT', file_name: 'WILL_FAIL%U.DMP' });
    const url = created.headers.location!;
    const logUrl = created.json.links.find((l: { rel: string }) => l.rel === 'related').href as string;
    expect((await get(logUrl)).text).not.toMatch(/ORA-/);
    clock.advance(1000);
    expect((await get(url)).json).toMatchObject({
      state: 'NOT RUNNING',
      job_state: 'NOT RUNNING',
      datapump_sessions: 0,
    });
    const log = (await get(logUrl)).text;
    expect(log).toMatch(/^ORA-31640: unable to open dump file "WILL_FAIL%U.DMP" for read$/m);
    expect(log.trimEnd().split('\n').pop()).toMatch(
      /^Job "PDBADMIN"."DATAPUMP_REST_IMPORT_\d{14}" stopped due to fatal error at /,
    );
    // A job without the trigger still completes.
    const ok = await create(jobs, { operation: 'EXPORT', file_name: 'GOOD%U.DMP' });
    clock.advance(1000);
    expect((await get(ok.headers.location!)).json.state).toBe('COMPLETED');
  });

  it('retainFinishedMs (legacy): a finished job drops out of the list and of GET after it, as before', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000, retainFinishedMs: 5000 });
    const created = await create(jobs, { operation: 'EXPORT' });
    const url = created.headers.location!;
    clock.advance(1000 + 4999);
    expect((await get(url)).status).toBe(200);
    expect((await get(jobs)).json.count).toBe(1);
    clock.advance(1);
    const gone = await get(url);
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe('NotFound');
    expect((await get(jobs)).json).toMatchObject({ count: 0, items: [] });
  });

  it('older jobs drop out first; younger ones stay until their own retention ends', async () => {
    const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1000, retainFinishedMs: 5000 });
    const older = await create(jobs, { operation: 'EXPORT' });
    clock.advance(3000);
    const younger = await create(jobs, { operation: 'IMPORT', file_name: 'X.DMP' });
    clock.advance(3000); // older finished 5 s ago, younger 2 s ago
    expect((await get(older.headers.location!)).status).toBe(404);
    expect((await get(younger.headers.location!)).status).toBe(200);
    expect((await get(jobs)).json.items.map((j: { operation: string }) => j.operation)).toEqual(['IMPORT']);
    clock.advance(3000);
    expect((await get(jobs)).json).toMatchObject({ count: 0, hasMore: false });
  });

  it('a finished job of any lifecycle stays for ever without retainFinishedMs, unless dropped', async () => {
    for (const [lifecycle, state] of [
      ['kept', 'NOT RUNNING'],
      ['completed', 'COMPLETED'],
    ] as const) {
      const { jobs, clock } = await startTestEmulator({ jobDurationMs: 1, lifecycle });
      const created = await create(jobs, { operation: 'EXPORT' });
      clock.advance(365 * 24 * 3600 * 1000);
      expect((await get(created.headers.location!)).json.state).toBe(state);
    }
  });

  it('two jobs in the same second get _2, _3 suffixes; the next second starts afresh', async () => {
    const { jobs, clock } = await startTestEmulator();
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await create(jobs, { operation: 'EXPORT' })).json.job_name);
    expect(names).toEqual([
      'DATAPUMP_REST_EXPORT_20190906155736',
      'DATAPUMP_REST_EXPORT_20190906155736_2',
      'DATAPUMP_REST_EXPORT_20190906155736_3',
    ]);
    // Imports have their own base name.
    expect((await create(jobs, { operation: 'IMPORT', file_name: 'X.DMP' })).json.job_name).toBe(
      'DATAPUMP_REST_IMPORT_20190906155736',
    );
    clock.advance(999);
    expect((await create(jobs, { operation: 'EXPORT' })).json.job_name).toBe('DATAPUMP_REST_EXPORT_20190906155736_4');
    clock.advance(1);
    expect((await create(jobs, { operation: 'EXPORT' })).json.job_name).toBe('DATAPUMP_REST_EXPORT_20190906155737');
  });

  it('names are unique per owner, and exactly the jobs not yet gone are visible, in creation order (property)', () => {
    const lifecycles = ['dropped', 'kept', 'completed'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...lifecycles),
        fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }),
        fc.integer({ min: 0, max: 2000 }),
        fc.array(
          fc.record({
            advance: fc.integer({ min: 0, max: 2500 }),
            owner: fc.constantFrom('PDBADMIN', 'HR'),
            op: fc.constantFrom('EXPORT' as const, 'IMPORT' as const),
            keepMaster: fc.constantFrom(undefined, 0, 1),
            fails: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 10 }),
        (lifecycle, retainFinishedMs, completedVisibleMs, steps, limit) => {
          const clock = manualClock();
          const store = createJobStore({
            clock,
            jobDurationMs: 1000,
            lifecycle,
            completedVisibleMs,
            retainFinishedMs,
            failWhenFileNameContains: 'FAIL',
          });
          // The model: when each job leaves DBA_DATAPUMP_JOBS, from the rules the README states.
          const model: Array<{ key: string; goneAt: number }> = [];
          const seen = new Set<string>();
          for (const step of steps) {
            clock.advance(step.advance);
            const body = { file_name: step.fails ? 'FAIL.DMP' : 'X.DMP', keep_master: step.keepMaster };
            const job = store.create(step.owner, step.op, body);
            const key = `${job.owner},${job.name}`;
            expect(seen.has(key)).toBe(false);
            seen.add(key);
            expect(job.name).toMatch(/^DATAPUMP_REST_(EXPORT|IMPORT)_\d{14}(_\d+)?$/);
            const fate =
              lifecycle === 'completed'
                ? 'completed'
                : step.keepMaster === 1
                  ? 'kept'
                  : step.keepMaster === 0
                    ? 'dropped'
                    : lifecycle;
            const endsAt = clock.now() + 1000;
            const goneAt =
              !step.fails && fate === 'dropped'
                ? endsAt + completedVisibleMs
                : retainFinishedMs === null
                  ? Infinity
                  : endsAt + retainFinishedMs;
            model.push({ key, goneAt });
            const expected = model.filter((m) => clock.now() < m.goneAt).map((m) => m.key);
            const keys = (jobs: Array<{ owner: string; name: string }>) => jobs.map((j) => `${j.owner},${j.name}`);
            expect(keys(store.visible())).toEqual(expected);
            const page = store.page(1, limit);
            expect(page.total).toBe(expected.length);
            expect(keys(page.jobs)).toEqual(expected.slice(1, 1 + limit));
          }
        },
      ),
    );
  });

  it('the owner is the authenticated user in upper case', async () => {
    const { jobs } = await startTestEmulator({ users: { pdbadmin: 'oracle', hr: 'hr-secret' } });
    const res = await call(jobs, {
      headers: { authorization: `Basic ${Buffer.from('hr:hr-secret').toString('base64')}` },
      body: { operation: 'EXPORT' },
    });
    expect(res.json.owner_name).toBe('HR');
    expect(res.headers.location).toMatch(/\/jobs\/HR,DATAPUMP_REST_EXPORT_/);
    // Oracle user names are case-insensitive: PDBADMIN is pdbadmin.
    const upper = await call(jobs, {
      headers: { authorization: `Basic ${Buffer.from('PDBADMIN:oracle').toString('base64')}` },
      body: { operation: 'EXPORT' },
    });
    expect(upper.json.owner_name).toBe('PDBADMIN');
  });
});
