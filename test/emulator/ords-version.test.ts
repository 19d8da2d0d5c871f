// The ORDS release the emulator plays (`ordsVersion`): each difference Oracle documents between releases, shown on
// the wire (POST jobs/ IMPORT on 19.x/20.x, file_name/credential_name on the RPC calls before 22.3, keep_master
// before 25.4), metadata-catalog/openapi.json describing the release, ORDS's own statuses 570/571 and 415 as
// faults, and dumps served as Oracle's media type. Every answer is checked against openapi/ords.yaml (call()).
import { spawn } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { createEmulator, resolveOptions } from '../../src/emulator/index.js';
import { startEmulatorProcess } from '../helpers/emulator-process.js';
import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const get = (url: string) => call(url, { headers: auth });
const related = (job: { links: Array<{ rel: string; href: string }> }) =>
  job.links.filter((l) => l.rel === 'related').map((l) => decodeURIComponent(l.href.split('/').pop()!));

async function emulatorAt(ordsVersion: string | undefined, extra: Parameters<typeof startTestEmulator>[0] = {}) {
  return startTestEmulator({ jobDurationMs: 1000, ...(ordsVersion ? { ordsVersion } : {}), ...extra });
}

describe('ordsVersion: POST jobs/ and IMPORT', () => {
  it.each(['19.4', '20.4.3'])(
    '%s: POST jobs/ refuses an IMPORT with an ORDS 400 and creates nothing; POST import takes it',
    async (version) => {
      const { api, jobs } = await emulatorAt(version);
      const refused = await call(jobs, { headers: auth, body: { operation: 'IMPORT', file_name: 'HR%U.DMP' } });
      expect(refused.status).toBe(400);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json).toMatchObject({ code: 'BadRequest', type: 'tag:oracle.com,2020:error/BadRequest' });
      expect(refused.json.message).toMatch(/only the export operation is allowed in this implementation version/i);
      expect((await get(jobs)).json.items).toEqual([]);

      expect((await call(jobs, { headers: auth, body: { operation: 'EXPORT' } })).status).toBe(201);
      const imported = await call(`${api}database/datapump/import`, { headers: auth, body: { file_name: 'HR%U.DMP' } });
      expect(imported.status).toBe(201);
      expect(imported.json.operation).toBe('IMPORT');
    },
  );

  it.each(['21.0', '22.3', '25.4', undefined])('%s: POST jobs/ takes an IMPORT', async (version) => {
    const { jobs } = await emulatorAt(version);
    const created = await call(jobs, { headers: auth, body: { operation: 'IMPORT', file_name: 'HR%U.DMP' } });
    expect(created.status).toBe(201);
  });
});

describe('ordsVersion: members a release does not have are dropped (validate: documented)', () => {
  /** The dump file an export ends up with: the body's file_name, or ORDS's default when it was dropped. */
  async function dumpOf(version: string, path: string, body: Record<string, unknown>) {
    const { api, clock } = await emulatorAt(version);
    const created = await call(`${api}${path}`, { headers: auth, body });
    expect(created.status, created.text).toBe(201);
    clock.advance(1000);
    const ended = (await get(created.headers.location!)).json;
    return {
      files: related(ended),
      log: (await get(ended.links.find((l: { href: string }) => /LOG$/.test(l.href)).href)).text,
    };
  }

  it.each([
    ['19.4', false],
    ['21.3', false],
    ['22.2.1', false],
    ['22.3', true],
    ['25.4', true],
  ])('%s: POST export keeps file_name: %s', async (version, kept) => {
    const { files, log } = await dumpOf(version, 'database/datapump/export', { file_name: 'HR_TOKEN7_%U.DMP' });
    expect(files.some((f) => f === 'HR_TOKEN7_01.DMP')).toBe(kept);
    expect(log.includes('HR_TOKEN7')).toBe(kept);
    if (!kept) expect(files.some((f) => /^EXPDAT01-.*\.DMP$/.test(f))).toBe(true); // ORDS's default name
  });

  it.each(['19.4', '21.0', '25.4'])('%s: POST jobs/ keeps file_name on every release', async (version) => {
    const { files } = await dumpOf(version, 'database/datapump/jobs/', {
      operation: 'EXPORT',
      file_name: 'HR_T_%U.DMP',
    });
    expect(files).toContain('HR_T_01.DMP');
  });

  it.each([
    ['21.0', 'database/datapump/jobs/', false],
    ['21.3', 'database/datapump/jobs/', true],
    ['22.2', 'database/datapump/import', false],
    ['22.3', 'database/datapump/import', true],
  ])('%s: %s credential_name kept: %s (dropped: no object-storage URI rule either)', async (version, path, kept) => {
    const { api } = await emulatorAt(version);
    const body = {
      ...(path.endsWith('jobs/') ? { operation: 'IMPORT' } : {}),
      credential_name: 'OBJ_CRED',
      file_name: 'NOT_A_URI.DMP',
    };
    const answer = await call(`${api}${path}`, { headers: auth, body });
    // Where the release has credential_name, ORDS's rule applies (file_name must be a URI); where not, it is dropped.
    expect(answer.status, answer.text).toBe(kept ? 400 : 201);
  });

  it.each([
    ['24.4', 'COMPLETED', true],
    ['25.4', 'NOT RUNNING', false],
  ])('%s: keep_master 1 under lifecycle dropped: %s, vanishes: %s', async (version, state, vanishes) => {
    const { api, clock } = await emulatorAt(version, { lifecycle: 'dropped', completedVisibleMs: 500 });
    const created = await call(`${api}database/datapump/export`, { headers: auth, body: { keep_master: 1 } });
    expect(created.status).toBe(201);
    clock.advance(1000);
    expect((await get(created.headers.location!)).json.state).toBe(state);
    clock.advance(500);
    expect((await get(created.headers.location!)).status).toBe(vanishes ? 404 : 200);
  });

  it('validate strict: a member the release lacks is refused, naming the release that has it', async () => {
    const { api } = await emulatorAt('19.4', { validate: 'strict' });
    const refused = await call(`${api}database/datapump/export`, { headers: auth, body: { file_name: 'X%U.DMP' } });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(
      /body\/file_name is not a member of this call in ORDS 19\.4 \(documented from 22\.3\)/,
    );
  });

  it('validate off: a member the release lacks is still dropped', async () => {
    const { api, clock } = await emulatorAt('19.4', { validate: 'off' });
    const created = await call(`${api}database/datapump/export`, {
      headers: auth,
      body: { file_name: 'HR_OFF_%U.DMP' },
    });
    clock.advance(1000);
    expect(related((await get(created.headers.location!)).json)).not.toContain('HR_OFF_01.DMP');
  });
});

describe('ordsVersion: metadata-catalog/openapi.json', () => {
  type Doc = { info: { version: string }; paths: Record<string, Record<string, any>> };
  const bodyMembers = (doc: Doc, path: string) =>
    Object.keys(doc.paths[path]!.post.requestBody.content['application/json'].schema.properties as object);

  it.each([
    ['19.4', ['EXPORT'], false, false],
    ['21.3', ['EXPORT', 'IMPORT'], false, false],
    ['22.3.1', ['EXPORT', 'IMPORT'], true, false],
    ['25.4', ['EXPORT', 'IMPORT'], true, true],
  ])(
    '%s: info.version, the calls it has and their members',
    async (version, jobsOperations, rpcFileName, keepMaster) => {
      const { api } = await emulatorAt(version);
      const answer = await get(`${api}metadata-catalog/openapi.json`);
      expect(answer.status).toBe(200);
      const doc = answer.json as Doc;
      expect(doc.info.version).toBe(version);
      expect(Object.keys(doc.paths).sort()).toEqual([
        '/database/datapump/export',
        '/database/datapump/import',
        '/database/datapump/jobs/',
        '/database/datapump/jobs/{owner_name},{job_name}/',
        '/database/datapump/jobs/{owner_name},{job_name}/{filename}',
      ]);
      const jobsBody = doc.paths['/database/datapump/jobs/']!.post.requestBody.content['application/json'].schema;
      expect(jobsBody.properties.operation.enum).toEqual(jobsOperations);
      expect(bodyMembers(doc, '/database/datapump/export').includes('file_name')).toBe(rpcFileName);
      expect(bodyMembers(doc, '/database/datapump/export').includes('credential_name')).toBe(rpcFileName);
      expect(bodyMembers(doc, '/database/datapump/import')).toContain('file_name');
      expect(bodyMembers(doc, '/database/datapump/export').includes('keep_master')).toBe(keepMaster);
      expect(bodyMembers(doc, '/database/datapump/import').includes('keep_master')).toBe(keepMaster);
    },
  );

  it('defaults to 25.4; needs credentials like the rest; answers a fault of the metadata route', async () => {
    const { api, emulator } = await emulatorAt(undefined);
    expect((await get(`${api}metadata-catalog/openapi.json`)).json.info.version).toBe('25.4');
    expect((await call(`${api}metadata-catalog/openapi.json`)).status).toBe(401);
    emulator.faults.set([{ route: 'metadata', kind: 'status', status: 571, count: 1 }]);
    expect((await get(`${api}metadata-catalog/openapi.json`)).status).toBe(571);
  });
});

describe("ORDS's own statuses as faults (Status Codes page, 25.3)", () => {
  it.each([
    [570, 'DatabaseAccountLocked', 'Database Account Locked'],
    [571, 'DatabaseConnectionError', 'Database Connection Error'],
    [415, 'UnsupportedMediaType', 'Unsupported Media Type'],
  ])('%s: ORDS error body, declared in ords.yaml, and no job created', async (status, code, title) => {
    const { api, jobs, emulator } = await emulatorAt('25.4');
    emulator.faults.set([{ route: 'create', kind: 'status', status, count: 1 }]);
    const answer = await call(`${api}database/datapump/export`, { headers: auth, body: {} });
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ code, title, type: `tag:oracle.com,2020:error/${code}` });
    expect((await get(jobs)).json.items).toEqual([]);
  });
});

describe('dumpMediaType', () => {
  it.each(['application/vnd.tcpdump.pcap', 'application/octet-stream'] as const)(
    '%s: the dump is served with it, the log stays text/plain',
    async (dumpMediaType) => {
      const { jobs, clock } = await emulatorAt(undefined, { dumpMediaType, dumpBytes: 1024 });
      const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
      clock.advance(1000);
      const links = (await get(created.headers.location!)).json.links.filter(
        (l: { rel: string }) => l.rel === 'related',
      );
      const [log, dump] = [
        links.find((l: { href: string }) => /LOG$/.test(l.href)),
        links.find((l: { href: string }) => /DMP$/.test(l.href)),
      ];
      expect((await get(log.href)).headers['content-type']).toMatch(/^text\/plain/);
      const file = await get(dump.href);
      expect(file.headers['content-type']).toBe(dumpMediaType);
      expect(file.text.length).toBeGreaterThan(0);
    },
  );
});

describe('ordsVersion: options', () => {
  it.each([
    ['18.4', /Oracle documents the Data Pump REST API from ORDS 19 on/],
    ['latest', /ordsVersion/],
    ['22.3.1-beta', /ordsVersion/],
  ])('refuses %s', (ordsVersion, message) => {
    expect(() => createEmulator({ ordsVersion })).toThrow(message);
  });

  it('accepts a release with up to five parts and keeps it as written', () => {
    expect(resolveOptions({ ordsVersion: '24.4.0.345.1601' }).ordsVersion).toBe('24.4.0.345.1601');
    expect(resolveOptions({}).ordsVersion).toBe('25.4');
  });
});

describe('--ords-version', () => {
  it('plays the release given on the command line', async () => {
    const emu = await startEmulatorProcess({ args: ['--ords-version', '20.4.3'] });
    try {
      const doc = await call(`${emu.apiUrl}metadata-catalog/openapi.json`, { headers: auth });
      expect(doc.json.info.version).toBe('20.4.3');
      const refused = await call(`${emu.apiUrl}database/datapump/jobs/`, {
        headers: auth,
        body: { operation: 'IMPORT', file_name: 'X.DMP' },
      });
      expect(refused.status).toBe(400);
    } finally {
      await emu.stop();
    }
  });

  it.each([
    [['--ords-version', '18.4'], /Oracle documents the Data Pump REST API from ORDS 19 on/],
    [['--ords-version', 'newest'], /ordsVersion/],
  ])('refuses %j with exit code 1 and a message', async (flags, message) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/main.ts', '--port', '0', ...flags], {
      cwd: new URL('../../', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });
});
