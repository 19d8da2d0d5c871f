// Hints for the first hour: "did you mean …?" for a misspelt setting, and "names are case-sensitive" for a
// database named in the wrong case — at load, and in a request's 404, where only the tenant's own databases
// are ever suggested.
import request from 'supertest';
import { describe, expect, it } from 'vitest';

import { closestName, sameButForCase } from '../../../src/gateway/config/suggest.js';
import { testGateway } from '../../helpers/gateway-app.js';
import { testConfig, testDatabase, testTenants } from '../../helpers/gateway-config.js';
import { minimalConfig, problemsLoading, setAt, type Tree } from './fixtures.js';

function problemsOf(edit: (c: Tree) => void): readonly string[] {
  const config = minimalConfig();
  edit(config);
  return problemsLoading(config);
}

describe('closestName', () => {
  it.each<[string, string[], string | undefined]>([
    ['hots', ['host', 'port'], 'host'],
    ['max_thread', ['max_threads', 'schemas'], 'max_threads'],
    ['schema_expresions', ['schemas', 'schema_expressions'], 'schema_expressions'],
    ['shcemas', ['schemas', 'tablespaces'], 'schemas'],
    ['retention_dyas', ['retention_days', 'provenance_days'], 'retention_days'],
    // Too far from anything: no guess.
    ['label', ['id', 'sha256', 'expires_at'], undefined],
    ['colour', ['host', 'port'], undefined],
    ['x', ['y', 'id'], undefined],
    ['ab', ['cd'], undefined],
    ['', ['a'], undefined],
    ['anything', [], undefined],
    // The nearest wins; a tie goes to the first listed.
    ['portt', ['port', 'ports'], 'port'],
  ])('%s among %j → %s', (name, candidates, expected) => {
    expect(closestName(name, candidates)).toBe(expected);
  });

  it('sameButForCase finds the one name that differs only in case, never the name itself', () => {
    expect(sameButForCase('ORCL', ['prod', 'orcl'])).toBe('orcl');
    expect(sameButForCase('orcl', ['orcl'])).toBeUndefined();
    expect(sameButForCase('orc', ['orcl'])).toBeUndefined();
  });
});

describe('config hints at load', () => {
  it.each<[string, (c: Tree) => void, string[]]>([
    [
      'a misspelt setting, near one allowed there',
      (c) => setAt(c, 'listen', { hots: '127.0.0.1', port: 8080 }),
      ['listen.hots: is not a known setting (did you mean "host"?)'],
    ],
    [
      'a misspelt grant',
      (c) => setAt(c, 'tenants.hr-team.grants.shcemas', ['HR']),
      ['tenants.hr-team.grants.shcemas: is not a known setting (did you mean "schemas"?)'],
    ],
    [
      'a setting allowed elsewhere but not here: no guess from another section',
      (c) => setAt(c, 'listen.max_threads', 4),
      ['listen.max_threads: is not a known setting'],
    ],
    [
      'a setting far from any: no guess',
      (c) => setAt(c, 'listen.colour', 'blue'),
      ['listen.colour: is not a known setting'],
    ],
    [
      'a database in the wrong case',
      (c) => setAt(c, 'tenants.hr-team.databases', ['ORCL']),
      [
        'tenants.hr-team.databases[0]: database "ORCL" is not configured (database names are case-sensitive: did you mean "orcl"?)',
      ],
    ],
    [
      'a misspelt database',
      (c) => setAt(c, 'tenants.hr-team.databases', ['orlc']),
      ['tenants.hr-team.databases[0]: database "orlc" is not configured (did you mean "orcl"?)'],
    ],
    [
      'a database like none: no guess',
      (c) => setAt(c, 'tenants.hr-team.databases', ['warehouse']),
      ['tenants.hr-team.databases[0]: database "warehouse" is not configured'],
    ],
  ])('%s', (_name, edit, problems) => {
    expect(problemsOf(edit)).toEqual(problems);
  });
});

describe('config hints in a request: the 404 of a database in the wrong case', () => {
  // hr-team may use orcl; sales-team may use only prod; both databases exist.
  const tenants = testTenants(['orcl']);
  const prod = testDatabase({
    name: 'prod',
    url: 'http://127.0.0.1:8181/ords/prod/pdbadmin/',
    ordsPath: 'prod/pdbadmin',
  });
  const orcl = testDatabase();
  const config = testConfig({
    databases: { orcl, prod },
    tenants: { ...tenants, 'sales-team': { ...tenants['sales-team']!, databases: ['prod'] } },
  });
  const gw = testGateway({ config });
  const detailOf = async (path: string, key: string) => {
    const res = await request(gw.app).get(path).set('X-API-Key', key);
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('https://datapump-gateway.dev/problems/database-not-found');
    return res.body.detail as string;
  };
  const HINT = (name: string) => `No such database. Database names are case-sensitive: did you mean "${name}"?`;

  it.each([
    ['its own database in upper case', '/databases/ORCL/datapump/jobs/', 'hr-demo-key', HINT('orcl')],
    ['its own database in mixed case', '/databases/Orcl/datapump/jobs/', 'hr-demo-key', HINT('orcl')],
    [
      "its own database's ORDS path in upper case",
      '/ords/ORCL/PDBADMIN/_/db-api/stable/database/datapump/jobs/',
      'hr-demo-key',
      HINT('orcl/pdbadmin'),
    ],
    // No hint names a database the caller may not use, whether or not it exists.
    [
      "another tenant's database, in the wrong case",
      '/databases/ORCL/datapump/jobs/',
      'sales-demo-key',
      'No such database.',
    ],
    ["another tenant's database, exactly", '/databases/orcl/datapump/jobs/', 'sales-demo-key', 'No such database.'],
    [
      "another tenant's ORDS path in upper case",
      '/ords/ORCL/PDBADMIN/_/db-api/stable/database/datapump/jobs/',
      'sales-demo-key',
      'No such database.',
    ],
    ['a database no one has', '/databases/nope/datapump/jobs/', 'hr-demo-key', 'No such database.'],
    ['a near miss that is not a case slip', '/databases/orc/datapump/jobs/', 'hr-demo-key', 'No such database.'],
  ])('%s', async (_name, path, key, detail) => {
    expect(await detailOf(path, key)).toBe(detail);
  });

  it('the case hint is the same whether the wrongly cased name is a real database or none', async () => {
    // Tenant hr-team asks for PROD (no such database) and for ORCL: its answer depends on its own grants only.
    expect(await detailOf('/databases/PROD/datapump/jobs/', 'hr-demo-key')).toBe('No such database.');
    expect(await detailOf('/databases/PROD/datapump/jobs/', 'sales-demo-key')).toBe(HINT('prod'));
  });
});
