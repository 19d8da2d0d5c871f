// Options: defaults, refusal of bad values, the config file, byte sizes, and CLI flag precedence.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfigFile, toEmulatorOptions } from '../../src/emulator/config-file.js';
import { DEFAULT_OPTIONS, isManualClock, resolveOptions } from '../../src/emulator/index.js';
import { parseByteSize } from '../../src/emulator/sizes.js';
import { parseFlags } from './helpers/flags.js';

function configFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'emu-config-')), 'c.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('resolveOptions', () => {
  it('fills the documented defaults', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 8181,
      database: 'orcl',
      schema: 'pdbadmin',
      users: { pdbadmin: 'oracle' },
      validate: 'documented',
      defaultLimit: 25,
      lifecycle: 'dropped',
      completedVisibleMs: 1000,
      retainFinishedMs: null,
      completeWithErrorsWhenFileNameContains: null,
      vanishedFiles: 'gone',
      dbTimeZone: 'UTC',
    });
    expect(o).toMatchObject(DEFAULT_OPTIONS);
    expect(typeof o.clock.now()).toBe('number');
  });

  it('refuses bad values, naming every one', () => {
    expect(() => resolveOptions({ port: 70000, jobDurationMs: -1 })).toThrow(
      /\/port.*\/jobDurationMs|\/jobDurationMs.*\/port/,
    );
    expect(() => resolveOptions({ database: 'bad/db' })).toThrow(/database/);
    expect(() => resolveOptions({ faults: [{ kind: 'nope' as never }] })).toThrow(/faults/);
    expect(() => resolveOptions({ ...({ bogus: 1 } as object) })).toThrow(/bogus/);
    expect(() => resolveOptions({ lifecycle: 'forever' as never })).toThrow(/lifecycle/);
    expect(() => resolveOptions({ vanishedFiles: 'maybe' as never })).toThrow(/vanishedFiles/);
    expect(() => resolveOptions({ validate: 'lenient' as never })).toThrow(/validate/);
    expect(() => resolveOptions({ completedVisibleMs: -1 })).toThrow(/completedVisibleMs/);
  });

  it.each([
    [undefined, 'documented'],
    ['documented', 'documented'],
    ['strict', 'strict'],
    ['off', 'off'],
    [true, 'strict'],
    [false, 'off'],
  ] as const)('validate %j resolves to %s', (validate, mode) => {
    expect(resolveOptions(validate === undefined ? {} : { validate }).validate).toBe(mode);
  });
});

describe('sizes', () => {
  it.each([
    ['1048576', 1048576],
    ['1GiB', 1024 ** 3],
    ['50MB', 50_000_000],
    ['64k', 65536],
    ['1.5MiB', 1572864],
    [12, 12],
  ])('%s', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });
  it.each(['', 'ten', '-1', '1TB', '1.5.5'])('refuses %j', (input) => {
    expect(() => parseByteSize(input)).toThrow(/byte size/);
  });
});

describe('config file and flags', () => {
  it('a config file uses the factory names; sizes may be strings; clock manual builds a manual clock', () => {
    const config = loadConfigFile(
      configFile({
        database: 'pdb1',
        logBytes: '1MiB',
        clock: 'manual',
        clockStart: '2024-01-02T03:04:05Z',
        faults: [{ kind: 'hang', route: 'job' }],
      }),
    );
    expect(config).toMatchObject({ database: 'pdb1', logBytes: 1048576 });
    const options = toEmulatorOptions(config);
    expect(isManualClock(options.clock!)).toBe(true);
    expect(options.clock!.now()).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
  });

  it('refuses a bad config file with a message naming it', () => {
    expect(() => loadConfigFile(configFile('{'))).toThrow(/is not JSON/);
    expect(() => loadConfigFile(configFile({ port: 'x' }))).toThrow(/\/port/);
    expect(() => loadConfigFile(configFile([]))).toThrow(/JSON object/);
    expect(() => loadConfigFile('/nonexistent/config.json')).toThrow(/cannot read/);
    expect(() => loadConfigFile(configFile({ dbTimeZone: 'Nowhere/At_All' }))).toThrow(/config file .*dbTimeZone/);
  });

  it('flags win over the config file; unset flags do not override it', () => {
    const file = configFile({ port: 1111, database: 'pdb1', validate: false, jobDurationMs: 10 });
    expect(parseFlags(['--config', file])).toMatchObject({
      port: 1111,
      database: 'pdb1',
      validate: false,
      jobDurationMs: 10,
    });
    expect(parseFlags(['--config', file, '--port', '0', '--job-duration', '99'])).toMatchObject({
      port: 0,
      database: 'pdb1',
      validate: false,
      jobDurationMs: 99,
    });
    expect(parseFlags(['--config', file, '--validate', 'strict'])).toMatchObject({ validate: 'strict' });
  });

  it('--validate takes a mode; --no-validate (kept for scripts) is --validate off', () => {
    expect(parseFlags(['--validate', 'documented']).validate).toBe('documented');
    expect(parseFlags(['--validate', 'strict']).validate).toBe('strict');
    expect(parseFlags(['--validate', 'off']).validate).toBe('off');
    expect(parseFlags(['--no-validate']).validate).toBe('off');
    expect(parseFlags([]).validate).toBeUndefined();
  });

  it('EMULATOR_PORT sets the port; --port wins over it', () => {
    expect(parseFlags([], { EMULATOR_PORT: '9999' }).port).toBe(9999);
    expect(parseFlags(['--port', '0'], { EMULATOR_PORT: '9999' }).port).toBe(0);
  });

  it('every flag maps to its option', () => {
    const config = parseFlags([
      '--host',
      '0.0.0.0',
      '--database',
      'db',
      '--schema',
      'hr',
      '--user',
      'hr:hr',
      '--user',
      'scott:ti:ger',
      '--client',
      'gw:secret',
      '--token-ttl',
      '5',
      '--job-duration',
      '100',
      '--lifecycle',
      'kept',
      '--completed-visible',
      '300',
      '--retain-finished',
      '200',
      '--fail-when-file-name-contains',
      'FAIL',
      '--complete-with-errors-when-file-name-contains',
      'ERRS',
      '--vanished-files',
      'served',
      '--db-time-zone',
      'Europe/Paris',
      '--log-bytes',
      '1GiB',
      '--dump-bytes',
      '10k',
      '--no-validate',
      '--faults',
      '[{"kind":"hang","route":"file"}]',
      '--fault-seed',
      '42',
      '--record-requests',
      '10',
      '--public-url',
      'https://ords.example.com',
      '--clock',
      'manual',
      '--clock-start',
      '2020-01-01T00:00:00Z',
    ]);
    expect(config).toEqual({
      host: '0.0.0.0',
      database: 'db',
      schema: 'hr',
      users: { hr: 'hr', scott: 'ti:ger' },
      clients: { gw: 'secret' },
      tokenTtlSeconds: 5,
      jobDurationMs: 100,
      lifecycle: 'kept',
      completedVisibleMs: 300,
      retainFinishedMs: 200,
      failWhenFileNameContains: 'FAIL',
      completeWithErrorsWhenFileNameContains: 'ERRS',
      vanishedFiles: 'served',
      dbTimeZone: 'Europe/Paris',
      logBytes: 1024 ** 3,
      dumpBytes: 10240,
      validate: 'off',
      faults: [{ kind: 'hang', route: 'file' }],
      faultSeed: 42,
      recordRequests: 10,
      publicUrl: 'https://ords.example.com',
      clock: 'manual',
      clockStart: '2020-01-01T00:00:00Z',
    });
  });

  it('refuses bad flags', () => {
    expect(() => parseFlags(['--port', 'abc'])).toThrow(/--port/);
    expect(() => parseFlags(['--user', 'nocolon'])).toThrow(/name:secret/);
    expect(() => parseFlags(['--clock', 'sundial'])).toThrow();
    expect(() => parseFlags(['--faults', '[{"kind":"boom"}]'])).toThrow(/faults/);
    expect(() => parseFlags(['--lifecycle', 'forever'])).toThrow();
    expect(() => parseFlags(['--vanished-files', 'maybe'])).toThrow();
    expect(() => parseFlags(['--validate', 'lenient'])).toThrow();
    expect(() => parseFlags(['--completed-visible', 'soon'])).toThrow(/--completed-visible/);
    expect(() => parseFlags(['--db-time-zone', 'Nowhere/At_All'])).toThrow(/dbTimeZone/);
  });
});
