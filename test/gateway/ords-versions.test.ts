// What each ORDS release takes on which create endpoint (upstream/ords-versions.ts), table-driven: the endpoint a
// create goes to, or every member no endpoint of the release takes; and the dotted-version comparison beneath it.
import { describe, expect, it } from 'vitest';

import { mergeConfig } from '../../src/gateway/reload.js';
import { type CreateRouteInput, routeCreate } from '../../src/gateway/upstream/ords-versions.js';
import { deepFreeze } from '../../src/lib/deep-freeze.js';
import { compareVersions, dottedVersion, parseDottedVersion } from '../../src/lib/dotted-version.js';
import { testConfig } from '../helpers/gateway-config.js';

const EXPORT = { operation: 'EXPORT', file_name: 'HR_20240101000000_TOKEN_%U.DMP' } as const;
const IMPORT = { operation: 'IMPORT', file_name: 'HR_01.DMP' } as const;
const OBJ = 'https://objectstorage.eu-frankfurt-1.oraclecloud.com/n/ns/b/hr/o/HR.DMP';

type Expected = 'jobs' | 'rpc' | string[];
type Row = [
  version: string | undefined,
  configured: 'jobs' | 'rpc',
  request: CreateRouteInput['request'],
  expected: Expected,
];

const rows: Row[] = [
  // unset: today's behaviour, whatever the request
  [undefined, 'jobs', { ...IMPORT, keep_master: 1 }, 'jobs'],
  [undefined, 'rpc', { ...EXPORT, keep_master: 0 }, 'rpc'],
  // IMPORT: POST jobs/ takes it from 21; POST import from 19
  ['19.4', 'jobs', IMPORT, 'rpc'],
  ['20.4', 'jobs', IMPORT, 'rpc'],
  ['19.4', 'rpc', IMPORT, 'rpc'],
  ['21.0', 'jobs', IMPORT, 'jobs'],
  // EXPORT with a file_name: POST export has one from 22.3; POST jobs/ always
  ['19.4', 'rpc', EXPORT, 'jobs'],
  ['22.2.9', 'rpc', EXPORT, 'jobs'],
  ['22.3', 'rpc', EXPORT, 'rpc'],
  ['22.10', 'rpc', EXPORT, 'rpc'], // compared as numbers: 22.10 > 22.3
  ['19.4', 'jobs', EXPORT, 'jobs'],
  ['19.4', 'rpc', { operation: 'EXPORT' }, 'rpc'], // no file_name: POST export takes it
  // keep_master: export/import from 25.4, never POST jobs/
  ['24.4', 'rpc', { ...EXPORT, keep_master: 1 }, ['/keep_master']],
  ['24.4', 'jobs', { ...IMPORT, keep_master: 0 }, ['/keep_master']],
  ['25.4', 'rpc', { ...EXPORT, keep_master: 1 }, 'rpc'],
  ['25.4', 'jobs', { ...EXPORT, keep_master: 1 }, 'rpc'],
  ['26.3', 'jobs', { ...IMPORT, keep_master: 0 }, 'rpc'],
  ['25.4.0.1', 'jobs', EXPORT, 'jobs'],
  // credential_name (object storage): POST jobs/ from 21.3, export/import from 22.3
  ['19.4', 'jobs', { operation: 'EXPORT', credential_name: 'C', file_name: OBJ }, ['/credential_name']],
  ['21.2', 'rpc', { operation: 'IMPORT', credential_name: 'C', file_name: OBJ }, ['/credential_name']],
  ['21.3', 'rpc', { operation: 'EXPORT', credential_name: 'C', file_name: OBJ }, 'jobs'],
  ['21.3', 'rpc', { operation: 'IMPORT', credential_name: 'C', file_name: OBJ }, 'jobs'],
  ['22.3', 'rpc', { operation: 'IMPORT', credential_name: 'C', file_name: OBJ }, 'rpc'],
  // several at once: each listed
  [
    '19.4',
    'jobs',
    { operation: 'IMPORT', credential_name: 'C', file_name: OBJ, keep_master: 1 },
    ['/credential_name', '/keep_master'],
  ],
];

describe('routeCreate: which endpoint, or what no endpoint of the release takes', () => {
  it.each(rows)('ORDS %s, create_endpoint %s, %j → %j', (ordsVersion, configured, request, expected) => {
    const route = routeCreate(deepFreeze({ ordsVersion, configured, request }));
    if (Array.isArray(expected)) {
      expect(route.ok).toBe(false);
      if (route.ok) return;
      expect(route.unsupported.map((u) => u.pointer)).toEqual(expected);
      for (const u of route.unsupported) expect(u.detail).toContain(`(${ordsVersion})`);
    } else {
      expect(route).toMatchObject({ ok: true, endpoint: expected, rerouted: expected !== configured });
    }
  });

  it('says why it rerouted, and where Oracle documents what it refused', () => {
    const rerouted = routeCreate({ ordsVersion: '19.4', configured: 'rpc', request: EXPORT });
    expect(rerouted).toEqual({
      ok: true,
      endpoint: 'jobs',
      rerouted: true,
      why: "ORDS 19.4's POST export cannot take file_name; its POST jobs/ can",
    });
    const refused = routeCreate({ ordsVersion: '24.2', configured: 'rpc', request: { ...IMPORT, keep_master: 1 } });
    expect(refused).toEqual({
      ok: false,
      unsupported: [
        {
          pointer: '/keep_master',
          detail:
            "This database's ORDS release (24.2) cannot take keep_master on an IMPORT: Oracle documents it on POST import from ORDS 25.4.",
        },
      ],
    });
    const credential = routeCreate({
      ordsVersion: '19.4',
      configured: 'jobs',
      request: { operation: 'EXPORT', credential_name: 'C', file_name: OBJ },
    });
    expect(credential.ok ? '' : credential.unsupported[0]!.detail).toBe(
      "This database's ORDS release (19.4) cannot take credential_name on an EXPORT: Oracle documents it on POST jobs/ from ORDS 21.3 and on POST export from ORDS 22.3.",
    );
  });

  it('treats a malformed release as the caller’s bug (the config schema holds the form)', () => {
    expect(() => routeCreate({ ordsVersion: 'v25', configured: 'jobs', request: EXPORT })).toThrow(TypeError);
  });
});

describe('dotted versions', () => {
  it.each([
    ['19.4', '22.3', -1],
    ['22.3', '22.3.0', 0],
    ['22.10', '22.9', 1],
    ['25.4', '25.4.0.345.1601', -1],
    ['21', '20.4.3', 1],
  ])('%s vs %s: %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(dottedVersion(a), dottedVersion(b)))).toBe(sign);
  });

  it.each(['', 'v19.4', '19.4-beta', '19..4', '1.2.3.4.5.6', ' 19.4'])('%j is not one', (text) => {
    expect(parseDottedVersion(text)).toBeUndefined();
  });
});

describe('a reload (SIGHUP) applies ords_version at once, like the other database settings but url', () => {
  it('set, changed and removed: the next create reads the new value', () => {
    const running = testConfig();
    for (const ordsVersion of ['19.4', '25.4'] as const) {
      const next = testConfig({}, { ordsVersion });
      const merged = mergeConfig(running, next);
      expect(merged.changed).toEqual(['databases.orcl']);
      expect(merged.needsRestart).toEqual([]);
      expect(merged.config.databases.orcl!.ordsVersion).toBe(ordsVersion);
      expect(mergeConfig(next, running).config.databases.orcl!.ordsVersion).toBeUndefined();
    }
  });
});
