// How the gateway reads ORDS's job list (the all-jobs view, reconciliation): by ORDS's `next` links, row by row,
// keeping odd but representable rows and skipping (logging, counting) the others; and job names with spaces,
// percent-encoded both ways. ORDS is an undici MockAgent.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { parseOrdsJobUrl } from '../../src/gateway/upstream/ords-paths.js';
import { testGateway } from '../helpers/gateway-app.js';
import { mockOrds, ORDS_API, ORDS_JOBS, ORDS_ORIGIN, ordsJob } from '../helpers/mock-ords.js';

const DBA = { 'X-API-Key': 'dba-demo-key' };
const HR = { 'X-API-Key': 'hr-demo-key' };
const LIST = '/databases/orcl/datapump/jobs/';
const FIRST = `${ORDS_JOBS}?limit=500`;
const JOB_URL = 'http://gateway.test/databases/orcl/datapump/jobs/';

type Log = Record<string, unknown> & { level: number; msg: string };

function setup() {
  const ords = mockOrds();
  const logs: Log[] = [];
  const gw = testGateway({
    dispatcher: ords.agent,
    logStream: { write: (line) => logs.push(JSON.parse(line) as Log) },
  });
  const warnings = () => logs.filter((l) => l.level === 40);
  const skipped = async () =>
    (await gw.metrics.ordsRowsSkipped.get()).values.find((v) => v.labels.database === 'orcl')?.value ?? 0;
  const listPaths = () => ords.received.filter((r) => r.method === 'GET').map((r) => r.path);
  return { ords, gw, logs, warnings, skipped, listPaths };
}

const job = (owner: string, name: string, overrides: Record<string, unknown> = {}) =>
  ordsJob({ owner_name: owner, job_name: name, ...overrides });
const page = (items: unknown[], next?: string, extra: Record<string, unknown> = {}) => ({
  items,
  hasMore: next !== undefined,
  limit: 500,
  offset: 0,
  count: items.length,
  links: [
    { rel: 'self', href: `${ORDS_ORIGIN}${ORDS_JOBS}` },
    ...(next === undefined ? [] : [{ rel: 'next', href: next }]),
  ],
  ...extra,
});
const names = (body: { items: Array<{ owner_name: string; job_name: string }> }) =>
  body.items.map((j) => `${j.owner_name},${j.job_name}`).sort();

describe("reading ORDS's job list: paging by its next links", () => {
  it('follows the next link (its query, on the configured ORDS), never a computed offset, and reads every page', async () => {
    const { ords, gw, listPaths, warnings } = setup();
    // ORDS reports another host than the one configured: only the link's query is taken.
    ords.answer(
      'GET',
      FIRST,
      200,
      page([job('HR', 'A'), job('HR', 'B')], `http://ords.elsewhere:9999${ORDS_JOBS}?limit=500&page=2`),
    );
    ords.answer('GET', `${ORDS_JOBS}?limit=500&page=2`, 200, page([job('SALES', 'C')]));
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['HR,A', 'HR,B', 'SALES,C']);
    expect(listPaths()).toEqual([FIRST, `${ORDS_JOBS}?limit=500&page=2`]);
    expect(listPaths().some((p) => p.includes('offset'))).toBe(false);
    expect(warnings()).toEqual([]);
  });

  it('stops on a repeated page (ORDS ignoring the paging parameter), keeping what it read', async () => {
    const { ords, gw, listPaths, warnings } = setup();
    const same = page([job('HR', 'A'), job('HR', 'B')], `${ORDS_ORIGIN}${ORDS_JOBS}?limit=500&offset=500`);
    ords.answer('GET', /\/datapump\/jobs\/\?/, 200, same, {}, 50);
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['HR,A', 'HR,B']);
    expect(listPaths()).toEqual([FIRST, `${ORDS_JOBS}?limit=500&offset=500`]);
    expect(warnings().map((w) => w.msg)).toEqual([
      "ORDS's job list read stopped early: a page repeated an earlier one",
    ]);
  });

  it('stops when a next link repeats an earlier one', async () => {
    const { ords, gw, listPaths, warnings } = setup();
    const next = `${ORDS_ORIGIN}${ORDS_JOBS}?limit=500&offset=500`;
    ords.answer('GET', FIRST, 200, page([job('HR', 'A')], next));
    ords.answer('GET', `${ORDS_JOBS}?limit=500&offset=500`, 200, page([job('HR', 'B')], next), {}, 5);
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['HR,A', 'HR,B']);
    expect(listPaths()).toHaveLength(2);
    expect(warnings().map((w) => w.msg)).toEqual([
      "ORDS's job list read stopped early: a next link repeated an earlier one",
    ]);
  });

  it('stops at the page cap (20 pages) however many next links ORDS gives', async () => {
    const { ords, gw, listPaths, warnings } = setup();
    let n = 0;
    ords.pool
      .intercept({ method: 'GET', path: (p: string) => p.startsWith(`${ORDS_JOBS}?`) })
      .reply((opts) => {
        ords.received.push({ method: 'GET', path: opts.path, headers: {}, body: undefined });
        n += 1;
        const body = page([job('HR', `JOB_${n}`)], `${ORDS_ORIGIN}${ORDS_JOBS}?limit=500&cursor=${n}`);
        return {
          statusCode: 200,
          data: JSON.stringify(body),
          responseOptions: { headers: { 'content-type': 'application/json' } },
        };
      })
      .persist();
    const res = await request(gw.app).get(`${LIST}?limit=500`).set(DBA);
    expect(res.status).toBe(200);
    expect(listPaths()).toHaveLength(20);
    expect(res.body.items).toHaveLength(20);
    expect(warnings().map((w) => w.msg)).toEqual(["ORDS's job list read stopped early: more than 20 pages"]);
  });

  it('does not follow a next link that is not to the job list', async () => {
    const { ords, gw, listPaths, warnings } = setup();
    ords.answer('GET', FIRST, 200, page([job('HR', 'A')], `${ORDS_ORIGIN}${ORDS_API}metadata-catalog/?x=1`));
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(listPaths()).toEqual([FIRST]);
    expect(warnings().map((w) => w.msg)).toEqual([
      "ORDS's job list read stopped early: the next link is not to the job list",
    ]);
  });

  it('reads a page without any paging member (all are optional) as the whole list', async () => {
    const { ords, gw, listPaths } = setup();
    ords.answer('GET', FIRST, 200, { items: [job('HR', 'A')] });
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['HR,A']);
    expect(listPaths()).toEqual([FIRST]);
  });
});

describe("reading ORDS's job list: row by row", () => {
  it('skips a row that breaks the contract among good rows: the list still answers 200, the row is logged by position and counted', async () => {
    const { ords, gw, warnings, skipped } = setup();
    const broken = {
      job_name: 'NO_OWNER',
      operation: 'EXPORT',
      job_mode: 'SCHEMA',
      state: 'EXECUTING',
      note: 'LEAK-ME',
    };
    ords.answer('GET', FIRST, 200, page([job('HR', 'A'), broken, job('HR', 'B')]));
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['HR,A', 'HR,B']);
    expect(await skipped()).toBe(1);
    const [warning, ...others] = warnings();
    expect(others).toEqual([]);
    expect(warning).toMatchObject({
      msg: "a row of ORDS's job list was skipped: the gateway cannot represent it",
      database: 'orcl',
      page: 1,
      index: 1,
      position: 1,
    });
    expect((warning!.violations as string[]).join(' ')).toMatch(/owner_name/);
    // The row's position, never the row or the body.
    expect(JSON.stringify(warning)).not.toMatch(/LEAK-ME|NO_OWNER/);
    const metrics = await request(gw.app).get('/metrics');
    expect(metrics.text).toContain('datapump_gateway_ords_rows_skipped_total{database="orcl"} 1');
  });

  it('skips every row it cannot represent, whatever is wrong with it, across pages, and keeps the good ones', async () => {
    const { ords, gw, warnings, skipped } = setup();
    const bad = [
      'not an object',
      42,
      null,
      [job('HR', 'IN_AN_ARRAY')],
      { owner_name: 'HR' },
      job('', 'EMPTY_OWNER'),
      job('HR', ''),
      job('HR', 'A,B'), // a comma cannot be addressed as {owner},{job}
      job('HR', 'A/B'),
      job('HR', ' LEADING_SPACE'),
      job('HR', 'CONTROL\u0007CHAR'),
      job('HR', 'X'.repeat(129)),
      job('HR', 'NO_STATE', { state: undefined }),
      job('HR', 'NUMBER_STATE', { state: 7 }),
      job('HR', 'BLANK_MODE', { job_mode: '    ' }),
      job('HR', 'BAD_DEGREE', { degree: 'four' }),
      job('HR', 'BAD_LINKS', { links: 'none' }),
    ];
    ords.answer(
      'GET',
      FIRST,
      200,
      page([job('HR', 'GOOD_1'), ...bad.slice(0, 8)], `${ORDS_ORIGIN}${ORDS_JOBS}?limit=500&offset=9`),
    );
    ords.answer('GET', `${ORDS_JOBS}?limit=500&offset=9`, 200, page([...bad.slice(8), job('HR', 'GOOD_2')]));
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200);
    expect(names(res.body)).toEqual(['HR,GOOD_1', 'HR,GOOD_2']);
    expect(await skipped()).toBe(bad.length);
    expect(warnings().map((w) => w.position)).toEqual(bad.map((_, i) => i + 1));
    expect(warnings().map((w) => [w.page, w.index])).toContainEqual([2, 0]);
  });

  it('keeps odd but representable rows: padded operation and job_mode trimmed, names with spaces, other tools’ jobs', async () => {
    const { ords, gw, skipped, warnings } = setup();
    const spaced = `${ORDS_ORIGIN}${ORDS_JOBS}SYSTEM,SYS%20EXPORT%20SCHEMA%2001/`;
    ords.answer(
      'GET',
      FIRST,
      200,
      page([
        job('SYSTEM', 'SYS EXPORT SCHEMA 01', {
          operation: 'EXPORT'.padEnd(30, ' '),
          job_mode: 'SCHEMA'.padEnd(30, ' '),
          state: 'NOT RUNNING',
          job_state: 'NOT RUNNING',
          links: [{ rel: 'self', href: spaced }],
        }),
        job('scott', 'sql file', {
          operation: 'SQL_FILE',
          job_mode: 'TRANSPORTABLE',
          state: 'IDLING',
          links: [{ rel: 'self', href: `${ORDS_ORIGIN}${ORDS_JOBS}scott,sql file/` }],
        }),
      ]),
    );
    const res = await request(gw.app).get(LIST).set(DBA);
    expect(res.status).toBe(200); // the gateway validates its own answers against the public contract in tests
    expect(await skipped()).toBe(0);
    expect(warnings()).toEqual([]);
    const byName = Object.fromEntries(res.body.items.map((j: { job_name: string }) => [j.job_name, j]));
    expect(byName['SYS EXPORT SCHEMA 01']).toMatchObject({
      owner_name: 'SYSTEM',
      operation: 'EXPORT',
      job_mode: 'SCHEMA',
      state: 'NOT RUNNING',
      links: [{ rel: 'self', href: `${JOB_URL}SYSTEM,SYS%20EXPORT%20SCHEMA%2001/` }],
    });
    expect(byName['sql file']).toMatchObject({
      owner_name: 'scott',
      operation: 'SQL_FILE',
      job_mode: 'TRANSPORTABLE',
      links: [{ rel: 'self', href: `${JOB_URL}scott,sql%20file/` }],
    });
  });

  it('still refuses an answer that is no list page at all (502 upstream-invalid-response)', async () => {
    for (const body of [
      { items: 'nope' },
      [job('HR', 'A')],
      { items: [], links: 'x' },
      { items: [], hasMore: 'yes' },
    ]) {
      const { ords, gw, skipped } = setup();
      ords.answer('GET', FIRST, 200, body);
      const res = await request(gw.app).get(LIST).set(DBA);
      expect(res.status, JSON.stringify(body)).toBe(502);
      expect(res.body.type).toBe('https://datapump-gateway.dev/problems/upstream-invalid-response');
      expect(await skipped()).toBe(0);
    }
  });
});

describe('job names beyond identifier rules', () => {
  const SPACED = 'SYSTEM,SYS%20EXPORT%20SCHEMA%2001';

  it(`GET …/jobs/${SPACED}/ reaches ORDS at …/jobs/${SPACED}/ and links back the same way`, async () => {
    const { ords, gw } = setup();
    const base = `${ORDS_ORIGIN}${ORDS_JOBS}${SPACED}/`;
    ords.answer(
      'GET',
      `${ORDS_JOBS}${SPACED}/`,
      200,
      job('SYSTEM', 'SYS EXPORT SCHEMA 01', {
        links: [
          { rel: 'collection', href: `${ORDS_ORIGIN}${ORDS_JOBS}` },
          { rel: 'related', href: `${base}export.log` },
          { rel: 'self', href: base },
        ],
      }),
    );
    const res = await request(gw.app).get(`${LIST}${SPACED}/`).set(DBA);
    expect(res.status).toBe(200);
    expect(ords.received.map((r) => r.path)).toEqual([`${ORDS_JOBS}${SPACED}/`]);
    expect(res.body).toMatchObject({ owner_name: 'SYSTEM', job_name: 'SYS EXPORT SCHEMA 01' });
    expect(res.body.links).toEqual([
      { rel: 'collection', href: JOB_URL },
      { rel: 'related', href: `${JOB_URL}${SPACED}/export.log`, mediaType: 'text/plain' },
      { rel: 'self', href: `${JOB_URL}${SPACED}/` },
    ]);
  });

  it('serves the path without its trailing slash and names of any printable characters, spaces inside', async () => {
    for (const name of ['SYS EXPORT SCHEMA 01', 'a$b#c.d-e(1)', 'Ünïcödé 名前', "O'BRIEN'S JOB", 'X'.repeat(128)]) {
      const { ords, gw } = setup();
      const encoded = `SYSTEM,${encodeURIComponent(name)}`;
      ords.answer('GET', `${ORDS_JOBS}${encoded}/`, 200, job('SYSTEM', name, { links: [] }));
      const res = await request(gw.app).get(`${LIST}${encoded}`).set(DBA);
      expect(res.status, name).toBe(200);
      expect(res.body.job_name).toBe(name);
    }
  });

  it('refuses names outside the public JobName rule with 400 naming the parameter, before ORDS is called', async () => {
    const cases: Array<[string, string]> = [
      ['a leading space', 'SYSTEM,%20X'],
      ['a trailing space', 'SYSTEM,X%20'],
      ['only spaces', 'SYSTEM,%20%20'],
      ['a control character', 'SYSTEM,A%07B'],
      ['a tab', 'SYSTEM,A%09B'],
      ['a double quote', 'SYSTEM,A%22B'],
      ['an encoded comma', 'SYSTEM,A%2CB'],
      ['129 characters', `SYSTEM,${'X'.repeat(129)}`],
    ];
    for (const [why, segment] of cases) {
      const { ords, gw } = setup();
      const res = await request(gw.app).get(`${LIST}${segment}/`).set(DBA);
      expect(res.status, why).toBe(400);
      expect(res.body.type, why).toBe('https://datapump-gateway.dev/problems/request-invalid');
      expect(JSON.stringify(res.body.errors), why).toMatch(/job_name/);
      expect(ords.received, why).toEqual([]);
    }
  });

  it('never lets an encoded slash reach ORDS', async () => {
    const { ords, gw } = setup();
    const res = await request(gw.app).get(`${LIST}SYSTEM,A%2FB/`).set(DBA);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(ords.received).toEqual([]);
  });

  it('writes Location, Content-Location and links percent-encoded for a created job whose name has spaces', async () => {
    const { ords, gw } = setup();
    const base = `${ORDS_ORIGIN}${ORDS_JOBS}PDBADMIN,MY%20EXPORT/`;
    ords.answer(
      'POST',
      ORDS_JOBS,
      201,
      job('PDBADMIN', 'MY EXPORT', {
        links: [
          { rel: 'collection', href: `${ORDS_ORIGIN}${ORDS_JOBS}` },
          { rel: 'self', href: base },
        ],
      }),
      { location: base },
    );
    const res = await request(gw.app)
      .post(LIST)
      .set(HR)
      .send({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`${JOB_URL}PDBADMIN,MY%20EXPORT/`);
    expect(res.headers['content-location']).toBe(`${JOB_URL}PDBADMIN,MY%20EXPORT/`);
    expect(res.body.links).toContainEqual({ rel: 'self', href: `${JOB_URL}PDBADMIN,MY%20EXPORT/` });
    // The owner finds it again by that URL.
    ords.answer('GET', `${ORDS_JOBS}PDBADMIN,MY%20EXPORT/`, 200, job('PDBADMIN', 'MY EXPORT', { links: [] }));
    const again = await request(gw.app)
      .get(new URL(res.headers.location as string).pathname)
      .set(HR);
    expect(again.status).toBe(200);
    expect(again.body.job_name).toBe('MY EXPORT');
  });

  it("recognises ORDS's links to such jobs, encoded or not", () => {
    for (const href of [
      `${ORDS_ORIGIN}${ORDS_JOBS}SYSTEM,SYS%20EXPORT%20SCHEMA%2001/`,
      `${ORDS_ORIGIN}${ORDS_JOBS}SYSTEM,SYS EXPORT SCHEMA 01/`,
    ]) {
      expect(parseOrdsJobUrl(href)).toEqual({ kind: 'job', owner: 'SYSTEM', job: 'SYS EXPORT SCHEMA 01' });
    }
    expect(parseOrdsJobUrl(`${ORDS_ORIGIN}${ORDS_JOBS}SYSTEM,A,B/`)).toBeUndefined();
    expect(parseOrdsJobUrl(`${ORDS_ORIGIN}${ORDS_JOBS}SYSTEM,SYS%20X/export.log`)).toEqual({
      kind: 'file',
      owner: 'SYSTEM',
      job: 'SYS X',
      filename: 'export.log',
    });
  });
});
