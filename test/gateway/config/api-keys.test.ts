// api_keys entries: an optional id (derived when absent, unique within the tenant) and an optional expires_at
// (RFC 3339 with a time zone); configs written before either existed still load, and check-config says so.
import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/gateway/config/load.js';
import { configWarnings } from '../../../src/gateway/config/warnings.js';
import {
  ENV,
  HR_HASH,
  minimalConfig,
  problemsLoading,
  SALES_HASH,
  salesTenant,
  setAt,
  toYaml,
  type Tree,
} from './fixtures.js';

const ID_RULE = "must be 1 to 64 letters, digits, '.', '_' or '-'";
const DATE_RULE = 'must be an RFC 3339 date-time with a time zone, like 2027-03-01T14:00:00Z';
const KEYS = 'tenants.hr-team.api_keys';

function problemsOf(keys: unknown, edit: (c: Tree) => void = () => {}): readonly string[] {
  const config = minimalConfig();
  setAt(config, KEYS, keys);
  edit(config);
  return problemsLoading(config);
}

function keysOf(keys: unknown, text?: string) {
  const config = minimalConfig();
  setAt(config, KEYS, keys);
  return parseConfig(text ?? toYaml(config), ENV).tenants['hr-team']!.apiKeys;
}

describe('api_keys: refused', () => {
  it.each<[string, unknown, readonly string[]]>([
    ['an empty id', [{ id: '', sha256: HR_HASH }], [`${KEYS}[0].id: ${ID_RULE}`]],
    ['an id with a space', [{ id: 'ci key', sha256: HR_HASH }], [`${KEYS}[0].id: ${ID_RULE}`]],
    ['an id with a slash', [{ id: 'ci/key', sha256: HR_HASH }], [`${KEYS}[0].id: ${ID_RULE}`]],
    ['an id with a newline', [{ id: 'ci\nkey', sha256: HR_HASH }], [`${KEYS}[0].id: ${ID_RULE}`]],
    ['an id of 65 characters', [{ id: 'k'.repeat(65), sha256: HR_HASH }], [`${KEYS}[0].id: ${ID_RULE}`]],
    ['a non-ASCII id', [{ id: 'clé', sha256: HR_HASH }], [`${KEYS}[0].id: ${ID_RULE}`]],
    [
      'an id YAML reads as a number',
      [{ id: 2026, sha256: HR_HASH }],
      [`${KEYS}[0].id: must be a string (quote a name YAML reads as a number or true/false: "2026")`],
    ],
    [
      'two keys with one id',
      [
        { id: 'ci', sha256: HR_HASH },
        { id: 'ci', sha256: SALES_HASH },
      ],
      [`${KEYS}[1].id: "ci" is already api_keys[0]'s id (ids must be unique within a tenant)`],
    ],
    [
      "an id equal to another key's derived id",
      [{ sha256: HR_HASH }, { id: `key-${HR_HASH.slice(0, 8)}`, sha256: SALES_HASH }],
      [`${KEYS}[1].id: "key-${HR_HASH.slice(0, 8)}" is already api_keys[0]'s id (ids must be unique within a tenant)`],
    ],
    [
      'a key without an id whose derived id is taken',
      [{ id: `key-${SALES_HASH.slice(0, 8)}`, sha256: HR_HASH }, { sha256: SALES_HASH }],
      [
        `${KEYS}[1].sha256: has no id, and its derived one "key-${SALES_HASH.slice(0, 8)}" is already api_keys[0]'s id (ids must be unique within a tenant)`,
      ],
    ],
    [
      'expires_at without a time zone',
      [{ sha256: HR_HASH, expires_at: '2027-03-01T14:00:00' }],
      [`${KEYS}[0].expires_at: ${DATE_RULE}`],
    ],
    [
      'expires_at as a date only',
      [{ sha256: HR_HASH, expires_at: '2027-03-01' }],
      [`${KEYS}[0].expires_at: ${DATE_RULE}`],
    ],
    [
      'expires_at on 30 February',
      [{ sha256: HR_HASH, expires_at: '2027-02-30T00:00:00Z' }],
      [`${KEYS}[0].expires_at: ${DATE_RULE}`],
    ],
    [
      "expires_at at 25 o'clock",
      [{ sha256: HR_HASH, expires_at: '2027-03-01T25:00:00Z' }],
      [`${KEYS}[0].expires_at: ${DATE_RULE}`],
    ],
    ['expires_at as words', [{ sha256: HR_HASH, expires_at: 'next tuesday' }], [`${KEYS}[0].expires_at: ${DATE_RULE}`]],
    [
      'expires_at as epoch seconds',
      [{ sha256: HR_HASH, expires_at: 1803909600 }],
      [`${KEYS}[0].expires_at: must be a string`],
    ],
    [
      'expires_at on a leap second',
      [{ sha256: HR_HASH, expires_at: '2016-12-31T23:59:60Z' }],
      [`${KEYS}[0].expires_at: must be a date-time the gateway can read (a leap second, :60, is not)`],
    ],
    [
      'a misspelt expires_at',
      [{ sha256: HR_HASH, expire_at: '2027-03-01T14:00:00Z' }],
      [`${KEYS}[0].expire_at: is not a known setting (did you mean "expires_at"?)`],
    ],
  ])('%s', (_name, keys, problems) => {
    expect(problemsOf(keys)).toEqual(problems);
  });

  it('lets two tenants use the same id: ids are unique within a tenant only', () => {
    const edit = (c: Tree) =>
      setAt(c, 'tenants.sales-team', { ...salesTenant(), api_keys: [{ id: 'ci', sha256: SALES_HASH }] });
    expect(problemsOf([{ id: 'ci', sha256: HR_HASH }], edit)).toEqual([]);
  });
});

describe('api_keys: accepted', () => {
  it('keeps loading a config written before ids and expiry: each key named key-<8 hex>, none expiring', () => {
    expect(keysOf([{ sha256: HR_HASH }, { sha256: SALES_HASH }])).toEqual([
      { id: `key-${HR_HASH.slice(0, 8)}`, derivedId: true, sha256: HR_HASH, expiresAtMs: null },
      { id: `key-${SALES_HASH.slice(0, 8)}`, derivedId: true, sha256: SALES_HASH, expiresAtMs: null },
    ]);
  });

  it.each([
    ['2027-03-01T14:00:00Z', Date.parse('2027-03-01T14:00:00Z')],
    ['2027-03-01t14:00:00z', Date.parse('2027-03-01T14:00:00Z')],
    ['2027-03-01T15:00:00+01:00', Date.parse('2027-03-01T14:00:00Z')],
    ['2027-03-01T09:30:00-04:30', Date.parse('2027-03-01T14:00:00Z')],
    ['2027-03-01T14:00:00.250Z', Date.parse('2027-03-01T14:00:00.250Z')],
  ])('reads expires_at %s as the instant it names', (expiresAt, ms) => {
    expect(keysOf([{ id: 'ci.2027-q1_a', sha256: HR_HASH, expires_at: expiresAt }])).toEqual([
      { id: 'ci.2027-q1_a', derivedId: false, sha256: HR_HASH, expiresAtMs: ms },
    ]);
  });

  it('reads an unquoted YAML timestamp as text, not as a YAML 1.1 date', () => {
    const text = toYaml(minimalConfig()).replace(
      `- sha256: ${HR_HASH}`,
      `- { id: ci, sha256: ${HR_HASH}, expires_at: 2027-03-01T14:00:00Z }`,
    );
    expect(keysOf(undefined, text)).toEqual([
      { id: 'ci', derivedId: false, sha256: HR_HASH, expiresAtMs: Date.parse('2027-03-01T14:00:00Z') },
    ]);
  });
});

describe('api_keys: warnings', () => {
  const warningsOf = (keys: unknown) => {
    const config = minimalConfig();
    setAt(config, KEYS, keys);
    setAt(config, 'tenants.hr-team.grants.file_prefix', 'HR_');
    return configWarnings(parseConfig(toYaml(config), ENV));
  };

  it.each<[string, unknown, string[]]>([
    ['named keys', [{ id: 'ci', sha256: HR_HASH }], []],
    [
      'one key without an id',
      [{ id: 'ci', sha256: HR_HASH }, { sha256: SALES_HASH }],
      [
        `tenants.hr-team.api_keys: 1 key has no id, so logs and /metrics name it key-${SALES_HASH.slice(0, 8)}: give each key an id`,
      ],
    ],
    [
      'two keys without an id',
      [{ sha256: HR_HASH }, { sha256: SALES_HASH }],
      [
        `tenants.hr-team.api_keys: 2 keys have no id, so logs and /metrics name them key-${HR_HASH.slice(0, 8)}, key-${SALES_HASH.slice(0, 8)}: give each key an id`,
      ],
    ],
  ])('%s', (_name, keys, warnings) => {
    expect(warningsOf(keys)).toEqual(warnings);
  });
});
