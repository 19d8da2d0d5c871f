// Jobs other tools started (expdp, DBMS_DATAPUMP, SQL Developer), added through POST /__emulator/jobs: any owner,
// names with spaces, other operations and modes, space-padded values, any state, and a log.
import { describe, expect, it } from 'vitest';

import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const get = (url: string) => call(url, { headers: auth });
const related = (job: { links: Array<{ rel: string; href: string }> }) =>
  job.links.filter((l) => l.rel === 'related').map((l) => l.href);
const addJobs = (origin: string, body: unknown) => call(`${origin}/__emulator/jobs`, { method: 'POST', body });

const PAD = (text: string) => text.padEnd(30, ' ');

describe('POST /__emulator/jobs', () => {
  it('adds jobs that show in the list and in GET, names with spaces percent-encoded', async () => {
    const { origin, jobs } = await startTestEmulator();
    await call(jobs, { headers: auth, body: { operation: 'EXPORT' } }); // an ORDS job among them
    const added = await addJobs(origin, [
      {
        owner_name: 'SYSTEM',
        job_name: 'SYS EXPORT SCHEMA 01',
        operation: 'EXPORT',
        job_mode: 'SCHEMA',
        state: 'EXECUTING',
        degree: 4,
      },
      { owner_name: 'HR', job_name: 'SYS_IMPORT_FULL_01', operation: 'IMPORT', job_mode: 'FULL', pad: true },
      { owner_name: 'scott', job_name: 'sql file', operation: 'SQL_FILE', job_mode: 'TRANSPORTABLE', state: 'IDLING' },
    ]);
    expect(added.status).toBe(201);
    expect(added.json).toEqual([
      {
        owner_name: 'SYSTEM',
        job_name: 'SYS EXPORT SCHEMA 01',
        path: '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/SYSTEM,SYS%20EXPORT%20SCHEMA%2001/',
      },
      {
        owner_name: 'HR',
        job_name: 'SYS_IMPORT_FULL_01',
        path: '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/HR,SYS_IMPORT_FULL_01/',
      },
      {
        owner_name: 'scott',
        job_name: 'sql file',
        path: '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/scott,sql%20file/',
      },
    ]);
    const list = (await get(jobs)).json;
    expect(list.count).toBe(4);
    expect(list.items.slice(1)).toEqual([
      {
        job_name: 'SYS EXPORT SCHEMA 01',
        owner_name: 'SYSTEM',
        operation: 'EXPORT',
        job_mode: 'SCHEMA',
        state: 'EXECUTING',
        job_state: 'EXECUTING',
        degree: 4,
        attached_sessions: 0,
        datapump_sessions: 2,
        links: [{ rel: 'self', href: `${jobs}SYSTEM,SYS%20EXPORT%20SCHEMA%2001/` }],
      },
      expect.objectContaining({ operation: PAD('IMPORT'), job_mode: PAD('FULL'), state: 'NOT RUNNING' }),
      expect.objectContaining({ operation: 'SQL_FILE', job_mode: 'TRANSPORTABLE', state: 'IDLING' }),
    ]);
    const one = await get(`${origin}${added.json[0].path}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ job_name: 'SYS EXPORT SCHEMA 01', owner_name: 'SYSTEM', state: 'EXECUTING' });
    expect(one.headers.etag).toBeDefined();
    expect(related(one.json)).toEqual([`${jobs}SYSTEM,SYS%20EXPORT%20SCHEMA%2001/export.log`]);
    // A padded row keeps its padding in GET too, and its log is expdp's import.log.
    const padded = (await get(`${origin}${added.json[1].path}`)).json;
    expect(padded.operation).toHaveLength(30);
    expect(related(padded)).toEqual([`${jobs}HR,SYS_IMPORT_FULL_01/import.log`]);
  });

  it('q filters see the values as stored, padding included', async () => {
    const { origin, jobs } = await startTestEmulator();
    await addJobs(origin, [
      { owner_name: 'HR', job_name: 'A', operation: 'EXPORT', pad: true },
      { owner_name: 'HR', job_name: 'B', operation: 'EXPORT' },
    ]);
    const q = (filter: object) => get(`${jobs}?q=${encodeURIComponent(JSON.stringify(filter))}`);
    expect((await q({ operation: 'EXPORT' })).json.items.map((j: { job_name: string }) => j.job_name)).toEqual(['B']);
    expect((await q({ operation: { $like: 'EXPORT%' } })).json.count).toBe(2);
  });

  // [ending asked (or from the state), state, last line of the generated log]
  it.each<[string | undefined, string, RegExp]>([
    [
      undefined,
      'COMPLETED',
      /^Job "SYSTEM"\."SYS EXPORT SCHEMA 01" successfully completed at Fri Sep 6 15:57:36 2019 /,
    ],
    [undefined, 'NOT RUNNING', /^Job "SYSTEM"\."SYS EXPORT SCHEMA 01" stopped due to fatal error at Fri Sep 6 /],
    [undefined, 'STOPPED', /^Job "SYSTEM"\."SYS EXPORT SCHEMA 01" stopped by user request at Fri Sep 6 /],
    [undefined, 'EXECUTING', /^Percent done: 50$/],
    ['errors', 'NOT RUNNING', /^Job "SYSTEM"\."SYS EXPORT SCHEMA 01" completed with 1 error\(s\) at Fri Sep 6 /],
    ['successful', 'NOT RUNNING', /successfully completed at /], // kept control table (keep_master) after success
  ])('ending %s, state %s: the log ends as Data Pump would', async (ending, state, last) => {
    const { origin } = await startTestEmulator();
    const [ref] = (
      await addJobs(origin, {
        owner_name: 'SYSTEM',
        job_name: 'SYS EXPORT SCHEMA 01',
        state,
        ...(ending ? { ending } : {}),
      })
    ).json;
    const job = (await get(`${origin}${ref.path}`)).json;
    const log = await get(related(job)[0]!);
    expect(log.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(log.text.trimEnd().split('\n').pop()).toMatch(last);
    expect(log.text).toContain('Starting "SYSTEM"."SYS EXPORT SCHEMA 01":');
  });

  it('a given log, log_file and files are served as given; log_file null means no log', async () => {
    const { origin, jobs } = await startTestEmulator({ dumpBytes: 100 });
    const [withLog, withoutLog] = (
      await addJobs(origin, [
        {
          owner_name: 'PDBADMIN',
          job_name: 'DBMS_DP_1',
          state: 'COMPLETED',
          log_file: 'my job.log',
          log: 'Job "PDBADMIN"."DBMS_DP_1" successfully completed at Mon Jan 1 00:00:00 2024 elapsed 0 00:00:01\n',
          files: ['expdat.dmp'],
        },
        { owner_name: 'PDBADMIN', job_name: 'DBMS_DP_2', log_file: null },
      ])
    ).json;
    const job = (await get(`${origin}${withLog.path}`)).json;
    expect(related(job)).toEqual([`${jobs}PDBADMIN,DBMS_DP_1/my%20job.log`, `${jobs}PDBADMIN,DBMS_DP_1/expdat.dmp`]);
    expect((await get(related(job)[0]!)).text).toMatch(/^Job "PDBADMIN"\."DBMS_DP_1" successfully completed at Mon/);
    const dump = await get(related(job)[1]!);
    expect(dump.headers['content-type']).toBe('application/octet-stream');
    expect(dump.text).toMatch(/^EMULATED DATA PUMP DUMP FILE \(not a real dump\) PDBADMIN\.DBMS_DP_1\n/);
    expect(related((await get(`${origin}${withoutLog.path}`)).json)).toEqual([]);
    expect((await get(`${origin}${withoutLog.path}export.log`)).status).toBe(404);
  });

  it('added jobs stay whatever the clock does, until DELETE /__emulator/jobs', async () => {
    const { origin, jobs, clock } = await startTestEmulator({ retainFinishedMs: 1 });
    const [ref] = (await addJobs(origin, { owner_name: 'SYS', job_name: 'SYS_EXPORT_FULL_01', state: 'EXECUTING' }))
      .json;
    clock.advance(365 * 24 * 3600 * 1000);
    expect((await get(`${origin}${ref.path}`)).json.state).toBe('EXECUTING');
    await call(`${origin}/__emulator/jobs`, { method: 'DELETE' });
    expect((await get(jobs)).json.count).toBe(0);
  });

  it("ORDS's own names skip a name an added job holds", async () => {
    const { origin, jobs } = await startTestEmulator();
    await addJobs(origin, { owner_name: 'PDBADMIN', job_name: 'DATAPUMP_REST_EXPORT_20190906155736' });
    expect((await call(jobs, { headers: auth, body: { operation: 'EXPORT' } })).json.job_name).toBe(
      'DATAPUMP_REST_EXPORT_20190906155736_2',
    );
  });

  it('409 for a name that exists (nothing is added); 400 for a bad spec', async () => {
    const { origin, jobs } = await startTestEmulator();
    await addJobs(origin, { owner_name: 'HR', job_name: 'X' });
    const conflict = await addJobs(origin, [
      { owner_name: 'HR', job_name: 'Y' },
      { owner_name: 'HR', job_name: 'X' },
    ]);
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatch(/HR,X/);
    expect((await get(jobs)).json.count).toBe(1);
    for (const bad of [
      { owner_name: 'HR' },
      { owner_name: 'HR', job_name: 'A,B' },
      { owner_name: 'HR', job_name: 'A', bogus: 1 },
      { owner_name: 'HR', job_name: 'A', ending: 'exploded' },
      [{ owner_name: '', job_name: 'A' }],
      'not json',
    ]) {
      const res = await call(`${origin}/__emulator/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof bad === 'string' ? bad : JSON.stringify(bad),
      });
      expect(res.status).toBe(400);
    }
    expect((await get(jobs)).json.count).toBe(1);
  });

  it('GET /__emulator/jobs is 405 with Allow', async () => {
    const { origin } = await startTestEmulator();
    const res = await call(`${origin}/__emulator/jobs`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST, DELETE');
  });
});
