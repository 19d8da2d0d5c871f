// The loader's fast readers (plain block YAML, JSON) and `yaml` itself must lead to the same messages and the same
// config: each bad config below goes through all three, and each text with a syntax fault reaches `yaml`.
import { describe, expect, it } from 'vitest';

import { ConfigError } from '../../../src/gateway/config/errors.js';
import { parseConfig } from '../../../src/gateway/config/load.js';
import { parsePlainJson } from '../../../src/gateway/config/plain-json.js';
import { parsePlainYaml } from '../../../src/gateway/config/plain-yaml.js';
import { ENV, HR_HASH, minimalConfig, salesTenant, setAt, toYaml, type Tree } from './fixtures.js';

function problems(text: string, env: Readonly<Record<string, string>> = ENV): readonly string[] {
  try {
    parseConfig(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** The same tree three ways: read by the block-YAML reader, by JSON.parse, and (a `---` line first) by `yaml`. */
function threeWays(tree: Tree): { plain: string; json: string; full: string } {
  const plain = toYaml(tree);
  const json = JSON.stringify(tree, null, 2);
  const full = `---\n${plain}`;
  expect(parsePlainYaml(plain), 'the block-YAML reader takes it').not.toBeUndefined();
  expect(parsePlainJson(json), 'JSON.parse takes it').not.toBeUndefined();
  expect(parsePlainYaml(full) ?? parsePlainJson(full), '`yaml` takes it').toBeUndefined();
  return { plain, json, full };
}

const edits: ReadonlyArray<readonly [string, (c: Tree) => void]> = [
  ['a misspelt setting', (c) => setAt(c, 'listen', { hots: '127.0.0.1' })],
  ['a port out of range', (c) => setAt(c, 'listen', { port: 70000 })],
  ['a port from a reference that is not a number', (c) => setAt(c, 'listen', { port: '${PORT:-eighty}' })],
  ['a literal password', (c) => setAt(c, 'databases.orcl.auth.basic.password', 'hunter2')],
  ['an unset variable', (c) => setAt(c, 'public_url', 'http://${NO_SUCH_HOST}/')],
  ['a reference never closed', (c) => setAt(c, 'public_url', 'http://${HOST/')],
  ['a database not configured', (c) => setAt(c, 'tenants.hr-team.databases', ['orc1', 'ORCL'])],
  ['FULL without every schema', (c) => setAt(c, 'tenants.hr-team.grants.job_modes', ['FULL'])],
  ['a number where a list goes', (c) => setAt(c, 'tenants.hr-team.grants.schemas', 7)],
  ['the tenant label unprotected', (c) => setAt(c, 'metrics', { tenant_label: true })],
  [
    'headers timeout over the request timeout',
    (c) => setAt(c, 'server', { headers_timeout_ms: 9000, request_timeout_ms: 10 }),
  ],
  [
    'one key for two tenants, and prefixes that begin one another',
    (c) => {
      setAt(c, 'tenants.sales-team', salesTenant());
      setAt(c, 'tenants.sales-team.api_keys', [{ sha256: HR_HASH }]);
      setAt(c, 'tenants.hr-team.grants.file_prefix', 'HR');
      setAt(c, 'tenants.sales-team.grants.file_prefix', 'HR_SALES');
    },
  ],
  [
    'a key id twice',
    (c) =>
      setAt(c, 'tenants.hr-team.api_keys', [
        { id: 'a', sha256: HR_HASH },
        { id: 'a', sha256: 'b'.repeat(64) },
      ]),
  ],
];

describe('the fast readers and `yaml`', () => {
  it.each(edits)('%s: the same problems, whichever reads the file', (_name, edit) => {
    const tree = minimalConfig();
    edit(tree);
    const { plain, json, full } = threeWays(tree);
    const expected = problems(full);
    expect(expected.length).toBeGreaterThan(0);
    expect(problems(plain)).toEqual(expected);
    expect(problems(json)).toEqual(expected);
  });

  it('the same config, whichever reads the file', () => {
    const tree = minimalConfig();
    setAt(tree, 'listen', { host: '0.0.0.0', port: '${PORT:-8080}' });
    setAt(tree, 'docs', { note: '### Keys\n\nAsk the team.\n' });
    const { plain, json, full } = threeWays(tree);
    const expected = parseConfig(full, ENV);
    expect(parseConfig(plain, ENV)).toStrictEqual(expected);
    expect(parseConfig(json, ENV)).toStrictEqual(expected);
    expect(Object.isFrozen(parseConfig(plain, ENV).tenants['hr-team']!.grants.operations)).toBe(true);
  });

  it('an anchor used in two places (read by `yaml`) gets the defaults of each place, as if written out twice', () => {
    const aliased = toYaml(minimalConfig()).replace(/^tenants:/m, 'metrics: &m {}\ntenants:') + '    limits: *m\n';
    const expanded = aliased.replace('&m ', '').replace('*m', '{}');
    expect(parsePlainYaml(aliased)).toBeUndefined();
    const config = parseConfig(aliased, ENV);
    expect(config).toStrictEqual(parseConfig(expanded, ENV));
    expect(config.metrics.tenantLabel).toBe(false); // metrics' default, not written into the tenant's limits
  });

  it.each([
    ['a duplicate key', 'public_url: http://a\npublic_url: http://b\n', ['<config>:2:1: Map keys must be unique']],
    [
      'a duplicate JSON key',
      '{\n  "public_url": "http://a",\n  "public_url": "http://b"\n}',
      ['<config>:3:3: Map keys must be unique'],
    ],
    [
      'an unquoted reference in a flow mapping',
      'listen: { host: ${HOST}, port: 8080 }\n',
      ['<config>:1:18: Unexpected flow-map-start at node end (inside { } or [ ], quote a ${VAR} reference: "${VAR}")'],
    ],
    ['a tab for indentation', 'listen:\n\thost: a\n', ['<config>:2:1: Tabs are not allowed as indentation']],
  ])('%s: left to `yaml`, which names the line and column', (_name, text, expected) => {
    expect(parsePlainYaml(text)).toBeUndefined();
    expect(parsePlainJson(text)).toBeUndefined();
    expect(problems(text)).toEqual(expected);
  });
});
