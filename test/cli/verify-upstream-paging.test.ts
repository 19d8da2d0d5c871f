// `datapump-gateway verify-upstream` against the emulator run as a process with `--ignore-paging`: the list-limit,
// list-offset and list-next WARNs an ORDS ignoring `limit` or `offset` gets, and that WARNs still exit 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { runCli } from './run-cli.js';

const PASSWORD = 'oracle';
const JOBS = 3;
const dir = mkdtempSync(join(tmpdir(), 'dpg-verify-paging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let emulator: EmulatorProcess | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

/** A gateway config whose one database is the emulator (the password from ORDS_PASSWORD). */
function writeConfig(emu: EmulatorProcess): string {
  const path = join(dir, `config-${emu.port}.yaml`);
  writeFileSync(
    path,
    `
public_url: http://127.0.0.1:8080
databases:
  orcl:
    url: ${emu.ordsUrl}
    auth:
      basic: { username: pdbadmin, password: "\${ORDS_PASSWORD}" }
tenants:
  t:
    api_keys: [{ sha256: ${'a'.repeat(64)} }]
    databases: [orcl]
    grants: { operations: [EXPORT], job_modes: [SCHEMA], schemas: [HR], max_threads: 1, file_prefix: HR_ }
`,
  );
  return path;
}

async function createExport(emu: EmulatorProcess): Promise<void> {
  const res = await fetch(`${emu.apiUrl}database/datapump/jobs/`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`pdbadmin:${PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ operation: 'EXPORT' }),
  });
  expect(res.status).toBe(201);
}

interface Check {
  check: string;
  status: 'PASS' | 'WARN' | 'FAIL';
  summary: string;
}

const LIST = '200 GET /ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/';
type Expected = Record<'list-limit' | 'list-offset' | 'list-next', Pick<Check, 'status' | 'summary'>>;

const honoured: Expected = {
  'list-limit': { status: 'PASS', summary: `honoured: ${LIST}?limit=1 gave 1 item of several` },
  'list-offset': { status: 'PASS', summary: `honoured: ${LIST}?limit=1&offset=1 gave the second job of limit=2` },
  'list-next': { status: 'PASS', summary: `the next link leads on: ${LIST}?limit=1&offset=1, 1 item(s)` },
};
const limitIgnored = { status: 'WARN', summary: `ignored: ${LIST}?limit=1 gave ${JOBS} items` } as const;
const offsetIgnored = {
  status: 'WARN',
  summary: `ignored: ${LIST}?limit=1&offset=1 gave the first job again`,
} as const;
// With limit ignored the first page holds every job, so no next page is needed.
const noNextNeeded = { status: 'PASS', summary: `none needed: ${LIST}?limit=1 holds the whole list` } as const;

// Each row: the emulator's flags, and what the three paging checks make of it.
const ROWS: Array<[string, string[], Expected]> = [
  ['(none)', [], honoured],
  [
    'limit',
    ['--ignore-paging', 'limit'],
    // `offset=1` still shifts the (25-long) page by one: the second job of limit=2 comes first.
    { ...honoured, 'list-limit': limitIgnored, 'list-next': noNextNeeded },
  ],
  [
    'offset',
    ['--ignore-paging', 'offset'],
    {
      'list-limit': honoured['list-limit'],
      'list-offset': offsetIgnored,
      // The next link asks for offset=1, which the emulator ignores again: the first job once more.
      'list-next': {
        status: 'WARN',
        summary: `the next link's page (${LIST}?limit=1&offset=1) repeats the first: the gateway stops there`,
      },
    },
  ],
  [
    'limit,offset',
    ['--ignore-paging', 'limit,offset'],
    { 'list-limit': limitIgnored, 'list-offset': offsetIgnored, 'list-next': noNextNeeded },
  ],
];

describe('verify-upstream against an emulator ignoring paging parameters', () => {
  it.each(ROWS)('--ignore-paging %s', async (_name, args, expected) => {
    // Jobs that run for the whole test, so none drops out of the list between the reads.
    emulator = await startEmulatorProcess({ config: { jobDurationMs: 600_000 }, args });
    for (let i = 0; i < JOBS; i++) await createExport(emulator);

    const result = await runCli(
      ['verify-upstream', '--config', writeConfig(emulator), '--database', 'orcl', '--json'],
      {
        ORDS_PASSWORD: PASSWORD,
      },
    );
    expect(result.stderr).toBe('');
    const doc = JSON.parse(result.stdout) as { result: string; exit_code: number; checks: Check[] };
    const checks = Object.fromEntries(doc.checks.map((c) => [c.check, { status: c.status, summary: c.summary }]));
    expect({
      'list-limit': checks['list-limit'],
      'list-offset': checks['list-offset'],
      'list-next': checks['list-next'],
    }).toEqual(expected);
    // WARNs are "the gateway copes": the run says WARN and exits 0, as long as nothing FAILs.
    expect(doc.checks.filter((c) => c.status === 'FAIL')).toEqual([]);
    if (Object.values(expected).some((c) => c.status === 'WARN')) expect(doc.result).toBe('WARN');
    expect(doc.exit_code).toBe(0);
    expect(result.code).toBe(0);
  });
});
