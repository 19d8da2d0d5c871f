// `datapump-gateway hash-key`, run as a child process: output format, and that the hash is the key's SHA-256;
// in process with a fixed clock: --id and --expires-in, and that the printed line loads through the real loader.
import { createHash } from 'node:crypto';

import { Command, CommanderError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { apiKeyEntryLine, expiryTimestamp, parseExpiresIn, registerHashKey } from '../../src/cli/hash-key.js';
import { ConfigError } from '../../src/gateway/config/errors.js';
import { parseConfig } from '../../src/gateway/config/load.js';
import { ENV, minimalConfig, toYaml } from '../gateway/config/fixtures.js';
import { runCli } from './run-cli.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const GENERATED = /^key: {4}([A-Za-z0-9_-]{43})\nsha256: ([0-9a-f]{64})\n\n.+\n {2}- sha256: ([0-9a-f]{64})\n$/;

describe('datapump-gateway hash-key', () => {
  it('prints a new 32-byte base64url key, its SHA-256 and the YAML line to paste', async () => {
    const result = await runCli(['hash-key']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const match = GENERATED.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const [, key, hash, yamlHash] = match!;
    expect(Buffer.from(key!, 'base64url')).toHaveLength(32);
    expect(hash).toBe(sha256(key!));
    expect(yamlHash).toBe(hash);
  });

  it('makes a different key every time', async () => {
    const [a, b] = await Promise.all([runCli(['hash-key']), runCli(['hash-key'])]);
    expect(GENERATED.exec(a.stdout)![1]).not.toBe(GENERATED.exec(b.stdout)![1]);
  });

  it('hashes a given key with --key, without echoing it', async () => {
    const result = await runCli(['hash-key', '--key', 'hr-demo-key']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'sha256: 03ca2ec8174645c8aca0d25ec965018b885db6232e52d17ae3a01ede19f227a1',
        '',
        "Paste this line under the tenant's api_keys:",
        '  - sha256: 03ca2ec8174645c8aca0d25ec965018b885db6232e52d17ae3a01ede19f227a1',
        '',
      ].join('\n'),
    );
    expect(result.stdout).not.toContain('hr-demo-key');
  });

  it('refuses an empty --key', async () => {
    const result = await runCli(['hash-key', '--key', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --key must not be empty\n');
    expect(result.stdout).toBe('');
  });
});

const NOW = new Date('2026-12-01T14:00:00.750Z');

/** hash-key in process, with the clock fixed at NOW: stdout, stderr and the exit code a usage error carries. */
async function hashKey(args: readonly string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('datapump-gateway')
    .configureOutput({ writeOut: (t) => out.push(t), writeErr: (t) => err.push(t) })
    .exitOverride();
  registerHashKey(
    program,
    { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) }, env: {} },
    () => NOW,
  );
  let code = 0;
  try {
    await program.parseAsync(['hash-key', ...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The minimal config with its one api_keys entry replaced by `line`, pasted as the output says. */
function configWithPastedLine(line: string): string {
  const text = toYaml(minimalConfig());
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith('- sha256:'));
  const indent = lines[at - 1]!.match(/^ */)![0]; // the indentation of `api_keys:`
  lines.splice(at, 1, `${indent}${line}`);
  return lines.join('\n');
}

const loadedKeys = (line: string) => parseConfig(configWithPastedLine(line), ENV).tenants['hr-team']!.apiKeys;

describe('hash-key --expires-in', () => {
  it.each<[string, number | string]>([
    ['1h', 3_600_000],
    ['12h', 12 * 3_600_000],
    ['90d', 90 * 86_400_000],
    ['8w', 56 * 86_400_000],
    ['3650d', 3650 * 86_400_000],
    ['521w', 521 * 7 * 86_400_000],
    ['87600h', 3650 * 86_400_000],
    ['0d', '--expires-in must be more than 0'],
    ['0h', '--expires-in must be more than 0'],
    ['3651d', '--expires-in must be at most 3650d (ten years)'],
    ['522w', '--expires-in must be at most 3650d (ten years)'],
    ['9999999d', '--expires-in must be at most 3650d (ten years)'],
    ['-5d', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['90', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['d', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['1.5d', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['90D', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['90 d', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['3m', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['1y', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['1e3d', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['99999999999999999999d', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
    ['tomorrow', '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w'],
  ])('%j → %j', (text, expected) => {
    expect(parseExpiresIn(text)).toEqual(typeof expected === 'number' ? { ms: expected } : { error: expected });
  });

  it('never accepts text outside the rule, whatever it is', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseExpiresIn(text);
        if ('ms' in parsed) {
          expect(text).toMatch(/^\d{1,7}[hdw]$/);
          expect(parsed.ms).toBeGreaterThan(0);
          expect(parsed.ms).toBeLessThanOrEqual(3650 * 86_400_000);
        }
      }),
    );
  });

  it('prints expires_at in UTC to the second', () => {
    expect(expiryTimestamp(NOW, 90 * 86_400_000)).toBe('2027-03-01T14:00:00Z');
  });
});

describe('hash-key --id and --expires-in, in process', () => {
  it('prints the entry to paste, and the pasted entry loads through the real config loader', async () => {
    const result = await hashKey(['--key', 'hr-key', '--id', 'ci-2027q1', '--expires-in', '90d']);
    const hash = createHash('sha256').update('hr-key').digest('hex');
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `sha256: ${hash}`,
        '',
        "Paste this line under the tenant's api_keys:",
        `  - { id: ci-2027q1, sha256: ${hash}, expires_at: 2027-03-01T14:00:00Z }`,
        '',
      ].join('\n'),
    });
    const line = result.stdout.split('\n').at(-2)!.trimStart();
    expect(loadedKeys(line)).toEqual([
      { id: 'ci-2027q1', derivedId: false, sha256: hash, expiresAtMs: Date.parse('2027-03-01T14:00:00Z') },
    ]);
  });

  it.each([
    [['--id', 'ci'], { id: 'ci', derivedId: false, expiresAtMs: null }],
    [['--expires-in', '12h'], { derivedId: true, expiresAtMs: Date.parse('2026-12-02T02:00:00Z') }],
    [[], { derivedId: true, expiresAtMs: null }],
  ])('with %j: a new key whose pasted line loads back', async (args, expected) => {
    const result = await hashKey(args);
    expect(result.code).toBe(0);
    const line = result.stdout.split('\n').at(-2)!.trimStart();
    const [key] = loadedKeys(line);
    const generated = /^key: {4}(\S+)$/m.exec(result.stdout)![1]!;
    expect(key).toMatchObject({ ...expected, sha256: createHash('sha256').update(generated).digest('hex') });
  });

  it('quotes any id YAML would read as something else, so every valid id loads back as written', () => {
    const hash = (id: string) => createHash('sha256').update(id).digest('hex');
    const tricky = ['2026', 'true', 'null', '-', '.', '.inf', '1e3', '0x1f', '-1', '.5', 'NaN', 'y', 'No', 'off'];
    // The tricky ones through the real loader, all in one tenant; then any id the rule allows through YAML alone.
    const lines = tricky.map((id) => apiKeyEntryLine({ id, sha256: hash(id), expiresAt: '2027-03-01T14:00:00Z' }));
    const text = configWithPastedLine(lines.map((l) => l.trimStart()).join(`\n${'    '}`));
    expect(parseConfig(text, ENV).tenants['hr-team']!.apiKeys.map((k) => k.id)).toEqual(tricky);
    const idChar = fc.constantFrom(...'abcXYZ0189._-'.split(''));
    fc.assert(
      fc.property(fc.array(idChar, { minLength: 1, maxLength: 64 }), (chars) => {
        const id = chars.join('');
        const line = apiKeyEntryLine({ id, sha256: hash(id), expiresAt: '2027-03-01T14:00:00Z' });
        expect(parseYaml(line)).toEqual([{ id, sha256: hash(id), expires_at: '2027-03-01T14:00:00Z' }]);
      }),
    );
  });

  it.each<[string, string[], string]>([
    ['an id with a space', ['--id', 'ci key'], "error: --id must be 1 to 64 letters, digits, '.', '_' or '-'\n"],
    ['an empty id', ['--id', ''], "error: --id must be 1 to 64 letters, digits, '.', '_' or '-'\n"],
    [
      'an id of 65 characters',
      ['--id', 'k'.repeat(65)],
      "error: --id must be 1 to 64 letters, digits, '.', '_' or '-'\n",
    ],
    ['a zero span', ['--expires-in', '0d'], 'error: --expires-in must be more than 0\n'],
    [
      'a negative span',
      ['--expires-in=-1d'],
      'error: --expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w\n',
    ],
    ['a huge span', ['--expires-in', '100000d'], 'error: --expires-in must be at most 3650d (ten years)\n'],
    [
      'garbage',
      ['--expires-in', 'soon'],
      'error: --expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w\n',
    ],
  ])('refuses %s: usage error, exit 2, nothing printed', async (_name, args, message) => {
    expect(await hashKey(args)).toEqual({ code: 2, stdout: '', stderr: message });
  });

  it('a loaded entry whose expiry is in the past is still valid config (it just no longer authenticates)', () => {
    expect(() => loadedKeys(`- { id: old, sha256: ${'a'.repeat(64)}, expires_at: 2001-01-01T00:00:00Z }`)).not.toThrow(
      ConfigError,
    );
  });
});

describe('hash-key --id --expires-in, as a child process', () => {
  it('prints the flow-style entry and exits 0', async () => {
    const result = await runCli(['hash-key', '--key', 'hr-demo-key', '--id', 'hr-2027', '--expires-in', '1w']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\n {2}- \{ id: hr-2027, sha256: 03ca2ec8174645c8aca0d25ec965018b885db6232e52d17ae3a01ede19f227a1, expires_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \}\n$/,
    );
  });

  it('exits 2 on a bad --expires-in', async () => {
    const result = await runCli(['hash-key', '--expires-in', '0d']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'error: --expires-in must be more than 0\n' });
  });
});
