// The checks as pure functions of what was read: each rule's PASS, WARN and FAIL, without HTTP.
import { describe, expect, it } from 'vitest';

import { loadContract } from '../../../src/contract/documents.js';
import { checkCatalog } from '../../../src/gateway/verify/catalog-check.js';
import { exitCodeOf } from '../../../src/gateway/verify/check-result.js';
import { checkCredentials } from '../../../src/gateway/verify/credentials-check.js';
import { checkDumpFiles, checkLog } from '../../../src/gateway/verify/files-check.js';
import { checkJob } from '../../../src/gateway/verify/job-check.js';
import { chooseJob, jobFiles } from '../../../src/gateway/verify/job-files.js';
import { checkJobList, checkJobRows } from '../../../src/gateway/verify/list-checks.js';
import type { Observations } from '../../../src/gateway/verify/observe.js';
import { checkOpenApi } from '../../../src/gateway/verify/openapi-check.js';
import { checkLimit, checkNext, checkOffset } from '../../../src/gateway/verify/paging-checks.js';
import { humanReport, jsonReport } from '../../../src/gateway/verify/report.js';
import { checkVersion, sameRelease } from '../../../src/gateway/verify/version-check.js';
import { answer, API, contract, job, JOBS, list, page } from './fixtures.js';

const basic = { kind: 'basic', username: 'pdbadmin' } as const;
const catalog = answer(`GET ${API}metadata-catalog/`, 200, { items: [], links: [] });
const A = job('DATAPUMP_REST_EXPORT_20260501115900');
const B = job('DATAPUMP_REST_EXPORT_20260501115930');

/** Observations of a list holding `rows`, read as observe.ts reads it (limit=1, limit=2, offset=1, the wider page). */
function listed(rows: unknown[], overrides: Partial<NonNullable<Observations['list']>> = {}): Observations {
  const more = rows.length > 1;
  return {
    auth: basic,
    catalog,
    list: {
      limit1: list(
        'limit=1',
        page(rows.slice(0, 1), { hasMore: more, limit: 1, ...(more ? { next: 'limit=1&offset=1' } : {}) }),
      ),
      limit2: list('limit=2', page(rows.slice(0, 2), { hasMore: rows.length > 2, limit: 2 })),
      offset1: list('limit=1&offset=1', page(rows.slice(1, 2), { limit: 1, offset: 1 })),
      ...(more
        ? {
            next: {
              href: `http://other-host${JOBS}?limit=1&offset=1`,
              answer: list('limit=1&offset=1', page(rows.slice(1, 2), { limit: 1, offset: 1 })),
            },
          }
        : {}),
      sample: list('limit=100', page(rows, { limit: 100 })),
      ...overrides,
    },
  };
}

describe('credentials', () => {
  it('passes Basic on a 200, naming the user', () => {
    const r = checkCredentials({ auth: basic, catalog });
    expect(r).toMatchObject({ status: 'PASS', summary: `Basic pdbadmin: 200 GET ${API}metadata-catalog/` });
  });

  it('fails a refused Basic user naming 401 and the user, never a password', () => {
    const r = checkCredentials({
      auth: basic,
      catalog: answer(`GET ${API}metadata-catalog/`, 401, { code: 'Unauthorized' }),
    });
    expect(r.status).toBe('FAIL');
    expect(r.summary).toBe(`Basic pdbadmin: 401 GET ${API}metadata-catalog/: ORDS refused the user name or password`);
  });

  it('fails a 403 as a missing role', () => {
    const r = checkCredentials({ auth: basic, catalog: answer(`GET ${API}metadata-catalog/`, 403) });
    expect(r).toMatchObject({ status: 'FAIL', summary: expect.stringMatching(/403 .*not allowed/) });
  });

  it('falls back on the job list when the catalogue tells nothing', () => {
    const r = checkCredentials({
      auth: basic,
      catalog: answer(`GET ${API}metadata-catalog/`, 404),
      list: { limit1: list('limit=1', page([])) },
    });
    expect(r).toMatchObject({ status: 'PASS', summary: `Basic pdbadmin: 200 GET ${JOBS}?limit=1` });
    const refused = checkCredentials({
      auth: basic,
      catalog: answer(`GET ${API}metadata-catalog/`, 404),
      list: { limit1: list('limit=1', {}, 401) },
    });
    expect(refused.status).toBe('FAIL');
  });

  it('warns when nothing answered (the reads carry the FAIL)', () => {
    const r = checkCredentials({ auth: basic, catalog: answer(`GET ${API}metadata-catalog/`, undefined) });
    expect(r).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/cannot tell: no answer \(ECONNREFUSED\)/),
    });
  });

  it.each([
    [401, /OAuth2 client gw: 401 POST \/ords\/orcl\/pdbadmin\/oauth\/token: ORDS refused the client id or secret/],
    [500, /500 POST .*without a token/],
    [undefined, /no answer \(ECONNREFUSED\) POST .*did not answer the token request/],
  ])('fails an OAuth2 client without a token (%s)', (status, summary) => {
    const token = answer('POST /ords/orcl/pdbadmin/oauth/token', status);
    const r = checkCredentials({ auth: { kind: 'oauth2', clientId: 'gw', token, ok: false } });
    expect(r.status).toBe('FAIL');
    expect(r.summary).toMatch(summary);
  });

  it('passes an OAuth2 client whose token is accepted, and fails one whose token is not', () => {
    const token = answer('POST /ords/orcl/pdbadmin/oauth/token', 200);
    const auth = { kind: 'oauth2', clientId: 'gw', token, ok: true } as const;
    expect(checkCredentials({ auth, catalog }).summary).toBe(
      `OAuth2 client gw: token fetched (200 POST /ords/orcl/pdbadmin/oauth/token); 200 GET ${API}metadata-catalog/`,
    );
    const refused = checkCredentials({ auth, catalog: answer(`GET ${API}metadata-catalog/`, 401) });
    expect(refused).toMatchObject({ status: 'FAIL', summary: expect.stringMatching(/ORDS refused the token/) });
  });
});

describe('metadata-catalog', () => {
  it.each([
    [answer(`GET ${API}metadata-catalog/`, 200, { items: [{}], links: [] }), 'PASS', /a JSON catalogue of 1 item/],
    [answer(`GET ${API}metadata-catalog/`, 200, '<html>'), 'FAIL', /not JSON/],
    [answer(`GET ${API}metadata-catalog/`, 200, [1]), 'FAIL', /JSON, but not an object/],
    [answer(`GET ${API}metadata-catalog/`, 404), 'FAIL', /404 .*database API enabled/],
  ])('%#', (catalogAnswer, status, summary) => {
    const r = checkCatalog({ auth: basic, catalog: catalogAnswer });
    expect(r.status).toBe(status);
    expect(r.summary).toMatch(summary);
  });

  it('leaves a refused read to the credentials check', () => {
    const refused = answer(`GET ${API}metadata-catalog/`, 401);
    expect(checkCatalog({ auth: basic, catalog: refused })).toMatchObject({
      status: 'WARN',
      summary: 'not checked: ORDS refused the credentials',
    });
    const listRefused = { auth: basic, catalog, list: { limit1: list('limit=1', {}, 403) } };
    expect(checkJobList(listRefused, contract)).toMatchObject({
      status: 'WARN',
      summary: 'not checked: ORDS refused the credentials',
    });
  });

  it('is not checked without a token', () => {
    const token = answer('POST /t', 401);
    expect(checkCatalog({ auth: { kind: 'oauth2', clientId: 'gw', token, ok: false } })).toMatchObject({
      status: 'WARN',
      summary: 'not checked: no OAuth2 token',
    });
  });
});

describe('openapi', () => {
  const ours = loadContract('ords');
  const at = `GET ${API}metadata-catalog/openapi.json`;
  it('warns "not served" on 404, and on any other answer', () => {
    expect(checkOpenApi({ auth: basic, openapi: answer(at, 404) }, ours)).toMatchObject({
      status: 'WARN',
      summary: `not served: 404 ${at}`,
    });
    expect(checkOpenApi({ auth: basic, openapi: answer(at, 500) }, ours).status).toBe('WARN');
    expect(checkOpenApi({ auth: basic, openapi: answer(at, 200, 'nope') }, ours).summary).toMatch(/not JSON/);
  });

  it('passes our own document, and warns, listing each, on differences', () => {
    expect(checkOpenApi({ auth: basic, openapi: answer(at, 200, ours) }, ours)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(/matches ords.yaml: 6 Data Pump operation/),
    });
    const theirs = structuredClone(ours) as any;
    for (const path of Object.keys(theirs.paths)) if (path.includes('datapump/jobs/{')) delete theirs.paths[path];
    const r = checkOpenApi({ auth: basic, openapi: answer(at, 200, theirs) }, ours);
    expect(r.status).toBe('WARN');
    expect(r.summary).toMatch(
      /^2 difference\(s\) from ords.yaml: GET \/database\/datapump\/jobs\/\{owner_name\},\{job_name\}\/: in ours/,
    );
    expect(r.evidence).toHaveLength(3);
  });
});

describe('job list and rows', () => {
  it('passes a valid page, fails what the gateway answers 502 to', () => {
    expect(checkJobList(listed([A, B]), contract).status).toBe('PASS');
    for (const [limit1, why] of [
      [list('limit=1', page([]), 503), /503/],
      [list('limit=1', '{"items": [', 200), /not JSON/],
      [list('limit=1', { items: 'no', hasMore: 'yes' }), /breaks ords.yaml's list schema/],
    ] as const) {
      const r = checkJobList({ auth: basic, list: { limit1 } }, contract);
      expect(r.status).toBe('FAIL');
      expect(r.summary).toMatch(why);
    }
  });

  it('warns naming the rows the gateway would skip, and notes padding', () => {
    const bad = { ...job('BAD"NAME'), owner_name: 'HR' };
    const padded = {
      ...job('SYS_IMPORT_FULL_01', { owner: 'HR' }),
      operation: 'IMPORT'.padEnd(30),
      job_mode: 'FULL'.padEnd(30),
    };
    const r = checkJobRows(listed([A, bad, padded]), contract);
    expect(r.status).toBe('WARN');
    expect(r.summary).toMatch(
      /the gateway would skip 1 of 3 row\(s\) \(1 with space-padded .*\): row 1: \/job_name must match pattern \(the gateway/,
    );
    expect(checkJobRows(listed([A, padded]), contract).summary).toMatch(
      /all 2 row\(s\) readable \(1 with space-padded values/,
    );
    expect(checkJobRows(listed([]), contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/^cannot tell: no jobs/),
    });
  });
});

describe('paging', () => {
  it('limit: honoured, ignored, or too few jobs to tell', () => {
    expect(checkLimit(listed([A, B]), contract)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(/^honoured/),
    });
    const ignored = listed([A, B], { limit1: list('limit=1', page([A, B], { limit: 25 })) });
    expect(checkLimit(ignored, contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/^ignored: .* gave 2 items/),
    });
    const one = listed([A], { limit1: list('limit=1', page([A], { limit: 25 })) });
    expect(checkLimit(one, contract)).toMatchObject({ status: 'WARN', summary: expect.stringMatching(/^cannot tell/) });
    expect(checkLimit(listed([A]), contract)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(/says limit 1/),
    });
  });

  it('offset: honoured, ignored, refused, or fewer than 2 jobs', () => {
    expect(checkOffset(listed([A, B]), contract)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(/^honoured/),
    });
    const ignored = listed([A, B], { offset1: list('limit=1&offset=1', page([A], { limit: 1 })) });
    expect(checkOffset(ignored, contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/^ignored: .* the first job again/),
    });
    const refused = listed([A, B], { offset1: list('limit=1&offset=1', { code: 'BadRequest' }, 400) });
    expect(checkOffset(refused, contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/^not honoured: 400/),
    });
    expect(checkOffset(listed([A]), contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/^cannot tell: fewer than 2 jobs/),
    });
  });

  it('next: leads on, not needed, missing, elsewhere, repeating, failing', () => {
    expect(checkNext(listed([A, B]), contract)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(/leads on/),
    });
    expect(checkNext(listed([A]), contract)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(/^none needed/),
    });
    const base = listed([A, B]);
    const missing = {
      ...base,
      list: { ...base.list!, limit1: list('limit=1', page([A], { hasMore: true, limit: 1 })), next: undefined },
    };
    expect(checkNext(missing, contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/hasMore is true but no next link/),
    });
    const elsewhere = {
      ...base,
      list: { ...base.list!, next: { href: 'http://h/ords/orcl/pdbadmin/_/db-api/stable/metadata-catalog/?x=1' } },
    };
    expect(checkNext(elsewhere, contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/\(\/ords\/.*metadata-catalog\/\?x=1\) does not lead to the job list/),
    });
    const repeating = {
      ...base,
      list: { ...base.list!, next: { href: `${JOBS}?limit=1&offset=1`, answer: list('limit=1&offset=1', page([A])) } },
    };
    expect(checkNext(repeating, contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/repeats the first/),
    });
    const failing = {
      ...base,
      list: { ...base.list!, next: { href: `${JOBS}?limit=1&offset=1`, answer: list('limit=1&offset=1', {}, 500) } },
    };
    expect(checkNext(failing, contract)).toMatchObject({
      status: 'FAIL',
      summary: expect.stringMatching(/leads to 500/),
    });
  });
});

describe('job, log and dump files', () => {
  const name = 'DATAPUMP_REST_EXPORT_20260501115930';
  const jobAt = `GET ${JOBS}PDBADMIN,${name}/`;
  const logAt = `${jobAt}EXPDAT-2026-05-01-11_59_30.LOG`;
  const withJob = (answerOfJob: ReturnType<typeof answer>, log?: ReturnType<typeof answer>): Observations => ({
    ...listed([B]),
    job: { row: contract.job(B).ok ? (contract.job(B) as any).value : undefined, answer: answerOfJob },
    ...(log ? { log: { filename: 'EXPDAT-2026-05-01-11_59_30.LOG', answer: log } } : {}),
  });
  const detail = job(name, { detail: true, dump: true, state: 'COMPLETED' });

  it('job: PASS valid, WARN gone, FAIL otherwise', () => {
    expect(checkJob(withJob(answer(jobAt, 200, detail)), contract)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(/valid: EXPORT SCHEMA, state COMPLETED, 3 link/),
    });
    expect(checkJob(withJob(answer(jobAt, 404)), contract).status).toBe('WARN');
    expect(checkJob(withJob(answer(jobAt, 200, { ...detail, job_name: 'OTHER' })), contract).summary).toMatch(
      /another job/,
    );
    expect(checkJob(withJob(answer(jobAt, 200, { ...detail, degree: 'x' })), contract).summary).toMatch(
      /breaks ords.yaml's job schema/,
    );
    expect(checkJob(withJob(answer(jobAt, 502)), contract).status).toBe('FAIL');
    expect(checkJob(listed([]), contract)).toMatchObject({
      status: 'WARN',
      summary: 'cannot tell: the job list shows no job the gateway can read',
    });
  });

  it('log: text/plain passes; another type, no log link or a gone log warn; other statuses fail', () => {
    const head = {
      ...answer(logAt, 200, 'Export: Release 19', { 'content-type': 'text/plain; charset=utf-8' }),
      truncated: true,
    };
    expect(checkLog(withJob(answer(jobAt, 200, detail), head), contract)).toMatchObject({
      status: 'PASS',
      summary: expect.stringMatching(
        /served as text\/plain; charset=utf-8, first 18 byte\(s\) read, the rest not downloaded/,
      ),
    });
    const octets = answer(logAt, 200, 'x', { 'content-type': 'application/octet-stream' });
    expect(checkLog(withJob(answer(jobAt, 200, detail), octets), contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(/not text\/plain/),
    });
    expect(checkLog(withJob(answer(jobAt, 200, detail), answer(logAt, 404)), contract).status).toBe('WARN');
    expect(checkLog(withJob(answer(jobAt, 200, detail), answer(logAt, 500)), contract).status).toBe('FAIL');
    const noLinks = { ...detail, links: [] };
    expect(checkLog(withJob(answer(jobAt, 200, noLinks)), contract).summary).toMatch(
      /^cannot tell: the job links no log/,
    );
  });

  it('dump files: undeclared, octet-stream and pcap pass; another declared type warns; none listed warns', () => {
    const typed = (mediaType: string) => ({
      ...detail,
      links: detail.links.map((l) => (l.href.endsWith('.DMP') ? { ...l, mediaType } : l)),
    });
    expect(checkDumpFiles(withJob(answer(jobAt, 200, detail)), contract)).toMatchObject({
      status: 'PASS',
      summary: '1 dump link(s): EXPDAT01-11_59_30.DMP: no type declared (not downloaded)',
    });
    for (const type of ['application/octet-stream', 'application/vnd.tcpdump.pcap']) {
      expect(checkDumpFiles(withJob(answer(jobAt, 200, typed(type))), contract).status).toBe('PASS');
    }
    expect(checkDumpFiles(withJob(answer(jobAt, 200, typed('application/zip'))), contract)).toMatchObject({
      status: 'WARN',
      summary: expect.stringMatching(
        /application\/zip \(expected application\/octet-stream or application\/vnd.tcpdump.pcap\)/,
      ),
    });
    expect(checkDumpFiles(withJob(answer(jobAt, 200, job(name, { detail: true }))), contract).summary).toMatch(
      /^cannot tell: .* lists no dump file/,
    );
  });

  it('finds the log by a declared text/plain, else by its .log name, as the gateway does', () => {
    const self = `http://h${JOBS}PDBADMIN,${name}/`;
    const links = [
      { rel: 'related', href: `${self}export.out`, mediaType: 'text/plain' },
      { rel: 'related', href: `${self}EXPDAT.LOG` },
      { rel: 'related', href: `http://h${JOBS}PDBADMIN,OTHER/x.DMP` },
    ];
    const files = jobFiles({ owner_name: 'PDBADMIN', job_name: name, links });
    expect(files.log?.filename).toBe('export.out');
    expect(files.dumps.map((f) => f.filename)).toEqual(['EXPDAT.LOG']);
  });

  it('chooses a finished ORDS export, the newest, over running jobs and other tools', () => {
    const rows = [
      { ...job('SYS_EXPORT_SCHEMA_01', { state: 'COMPLETED' }) },
      job('DATAPUMP_REST_EXPORT_20260501115950'),
      job('DATAPUMP_REST_EXPORT_20260501110000', { state: 'NOT RUNNING' }),
      job('DATAPUMP_REST_EXPORT_20260501100000', { state: 'COMPLETED' }),
      { ...job('DATAPUMP_REST_IMPORT_20260501120000', { state: 'COMPLETED' }), operation: 'IMPORT' },
    ].map((row) => (contract.jobRow(row) as any).value);
    expect(chooseJob(rows)?.job_name).toBe('DATAPUMP_REST_EXPORT_20260501110000');
    expect(chooseJob([])).toBeUndefined();
  });
});

describe('ords-version', () => {
  const openapi = (version: string) =>
    answer(`GET ${API}metadata-catalog/openapi.json`, 200, { openapi: '3.0.0', info: { version }, paths: {} });
  it.each([
    [{ openapi: openapi('25.4') }, undefined, 'PASS', /ORDS 25.4: info.version 25.4 .*ords_version not set/],
    [{ openapi: openapi('25.4.0.r3461619') }, '25.4', 'PASS', /matches databases.orcl.ords_version 25.4/],
    [{ openapi: openapi('22.3') }, '25.4', 'WARN', /but databases.orcl.ords_version says 25.4/],
    [{ openapi: openapi('1.0') }, undefined, 'WARN', /^cannot tell/],
    [
      { catalog: answer(`GET ${API}metadata-catalog/`, 200, {}, { 'x-ords-version': '24.2.0' }) },
      '24.2',
      'PASS',
      /X-ORDS-Version: 24.2.0/,
    ],
    [{}, '25.4', 'WARN', /ords_version says 25.4, unconfirmed/],
  ] as const)('%#', (obs, configured, status, summary) => {
    const r = checkVersion({ auth: basic, catalog, ...obs }, configured, 'orcl');
    expect(r.status).toBe(status);
    expect(r.summary).toMatch(summary);
  });

  it('is not checked when the credentials were refused', () => {
    const refused = answer(`GET ${API}metadata-catalog/`, 401);
    expect(checkVersion({ auth: basic, catalog: refused }, '25.4', 'orcl').summary).toBe(
      'not checked: ORDS refused the credentials',
    );
  });

  it.each([
    ['25.4', '25.4.0.r3461619', true],
    ['25.4.1', '25.4', true],
    ['25.4', '25.3', false],
    ['19.4', '19.04', true],
    ['22', '23.1', false],
  ])('sameRelease(%s, %s) is %s', (a, b, same) => {
    expect(sameRelease(a, b)).toBe(same);
  });
});

describe('report', () => {
  const database = { name: 'orcl', url: 'https://user:pw@ords.example.com/ords/orcl/pdbadmin/' } as any;
  const results = [checkCredentials({ auth: basic, catalog }), checkLimit(listed([A]), contract)];

  it('prints one line per check, then the totals, without user information from the URL', () => {
    const text = humanReport(database, results);
    expect(text.split('\n')).toEqual([
      `PASS  credentials  Basic pdbadmin: 200 GET ${API}metadata-catalog/`,
      expect.stringMatching(/^PASS {2}list-limit {3}honoured: /),
      'orcl at https://ords.example.com/ords/orcl/pdbadmin/: 2 PASS, 0 WARN, 0 FAIL',
      '',
    ]);
  });

  it('writes one JSON document with the overall result and exit code', () => {
    const doc = JSON.parse(jsonReport(database, results));
    expect(doc).toMatchObject({
      database: 'orcl',
      url: 'https://ords.example.com/ords/orcl/pdbadmin/',
      result: 'PASS',
      exit_code: 0,
    });
    expect(doc.checks[0]).toEqual({
      check: 'credentials',
      status: 'PASS',
      summary: expect.any(String),
      evidence: [{ request: `GET ${API}metadata-catalog/`, status: 200, seen: '200' }],
    });
  });

  it('exits 1 on any FAIL, 0 on WARNs alone', () => {
    expect(exitCodeOf(results)).toBe(0);
    expect(exitCodeOf([...results, { check: 'x', status: 'WARN', summary: '', evidence: [] }])).toBe(0);
    expect(exitCodeOf([...results, { check: 'x', status: 'FAIL', summary: '', evidence: [] }])).toBe(1);
  });
});
