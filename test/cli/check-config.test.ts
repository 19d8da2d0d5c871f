// `datapump-gateway check-config`, run as a child process: exit codes, messages, and no secret in any output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { runCli } from './run-cli.js';

const SECRET = 'pw-Quokka-4410-never-printed';
const dir = mkdtempSync(join(tmpdir(), 'dpg-check-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HASH = 'a'.repeat(64);
const BROKEN = `
listen: { hots: 127.0.0.1, port: 70000 }
public_url: http://127.0.0.1:8080
databases:
  orcl:
    url: http://127.0.0.1:8181/ords/orcl/pdbadmin/
    auth:
      basic: { username: pdbadmin, password: literal-hunter2 }
  other:
    url: not a url
    auth:
      oauth2: { client_id: gw, client_secret: "\${OTHER_SECRET}" }
tenants:
  hr-team:
    api_keys: [{ sha256: ${HASH} }]
    databases: [orcl, nope]
    grants: { operations: [EXPORT], job_modes: [SCHEMA], schemas: [HR], max_threads: 4 }
`;

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('datapump-gateway check-config', () => {
  it('accepts the example config (the default path) and prints counts only', async () => {
    const result = await runCli(['check-config'], { ORDS_PASSWORD: SECRET });
    expect(result).toEqual({ code: 0, stdout: 'config OK: 1 database, 3 tenants\n', stderr: '' });
  });

  it('takes the path from $GATEWAY_CONFIG when none is given', async () => {
    const path = writeConfig(
      'two-dbs.yaml',
      `
public_url: http://127.0.0.1:8080
databases:
  a: { url: "http://h/ords/a/", auth: { basic: { username: u, password: "\${PW}" } } }
  b: { url: "http://h/ords/b/", auth: { basic: { username: u, password: "\${PW}" } } }
tenants:
  t:
    api_keys: [{ sha256: ${HASH} }]
    databases: [a, b]
    grants: { operations: [EXPORT], job_modes: [SCHEMA], schemas: [HR], max_threads: 1 }
`,
    );
    const result = await runCli(['check-config'], { GATEWAY_CONFIG: path, PW: SECRET });
    // Valid, with the one warning this tenant earns: directories (the default DATA_PUMP_DIR) without a file_prefix.
    expect(result).toEqual({
      code: 0,
      stdout: 'config OK: 2 databases, 1 tenant\n',
      stderr: expect.stringMatching(/^warning: tenants\.t\.grants: directories are granted without a file_prefix/),
    });
  });

  it('prints every problem of a broken config, one per line, on stderr, and exits 1', async () => {
    const path = writeConfig('broken.yaml', BROKEN);
    const result = await runCli(['check-config', path], { ORDS_PASSWORD: SECRET, OTHER_SECRET: SECRET });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'databases.orcl.auth.basic.password: must be a reference to an environment variable, like ${ORDS_PASSWORD}',
      'listen.hots: is not a known setting (did you mean "host"?)',
      'listen.port: must be <= 65535',
      'databases.other.url: must be a URL',
      'tenants.hr-team.databases[1]: database "nope" is not configured',
      '',
    ]);
    expect(result.stderr).not.toContain('literal-hunter2');
    expect(result.stderr).not.toContain(SECRET);
  });

  it('reports a missing secret variable by name', async () => {
    const result = await runCli(['check-config', 'config/example.yaml']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'databases.orcl.auth.basic.password: environment variable ORDS_PASSWORD is not set\n',
    });
  });

  it('reports a YAML syntax error with its position, not the line', async () => {
    const path = writeConfig('syntax.yaml', 'public_url: http://x\npublic_url: literal-hunter2\n');
    const result = await runCli(['check-config', path]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${path}:2:1: Map keys must be unique\n` });
  });

  it('reports a file that does not exist', async () => {
    const path = join(dir, 'absent.yaml');
    const result = await runCli(['check-config', path]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${path}: cannot read the file (ENOENT)\n` });
  });

  it('refuses an unknown command (bad usage: 2)', async () => {
    const result = await runCli(['no-such-command']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'no-such-command'");
  });

  describe('--json: one document on stdout, for CI, with the same exit codes', () => {
    const parse = (stdout: string) =>
      JSON.parse(stdout) as {
        ok: boolean;
        file: string;
        databases?: number;
        tenants?: number;
        errors: { path: string | null; line?: number; column?: number; message: string }[];
        warnings: { path: string | null; message: string }[];
      };

    it('a valid config: ok, its counts, its warnings with their paths; exit 0, nothing on stderr', async () => {
      const path = writeConfig(
        'warned.yaml',
        `
public_url: http://127.0.0.1:8080
databases:
  a: { url: "http://h/ords/a/", auth: { basic: { username: u, password: "\${PW}" } } }
tenants:
  t:
    api_keys: [{ id: main, sha256: ${HASH} }]
    databases: [a]
    grants: { operations: [EXPORT], job_modes: [SCHEMA], schemas: [HR], max_threads: 1 }
`,
      );
      const result = await runCli(['check-config', path, '--json'], { PW: SECRET });
      expect([result.code, result.stderr]).toEqual([0, '']);
      const report = parse(result.stdout);
      expect(report).toMatchObject({ ok: true, file: path, databases: 1, tenants: 1, errors: [] });
      expect(report.warnings).toContainEqual({
        path: 'tenants.t.grants',
        message: expect.stringMatching(/^directories are granted without a file_prefix/),
      });
      expect(result.stdout).not.toContain(SECRET);
    });

    it('a broken config: not ok, every problem with its path and message; exit 1, nothing on stderr', async () => {
      const path = writeConfig('broken-json.yaml', BROKEN);
      const result = await runCli(['check-config', '--json', path], { ORDS_PASSWORD: SECRET, OTHER_SECRET: SECRET });
      expect([result.code, result.stderr]).toEqual([1, '']);
      const report = parse(result.stdout);
      expect(report.ok).toBe(false);
      expect(report.warnings).toEqual([]);
      expect(report.errors).toEqual([
        {
          path: 'databases.orcl.auth.basic.password',
          message: 'must be a reference to an environment variable, like ${ORDS_PASSWORD}',
        },
        { path: 'listen.hots', message: 'is not a known setting (did you mean "host"?)' },
        { path: 'listen.port', message: 'must be <= 65535' },
        { path: 'databases.other.url', message: 'must be a URL' },
        { path: 'tenants.hr-team.databases[1]', message: 'database "nope" is not configured' },
      ]);
      expect(result.stdout).not.toContain('literal-hunter2');
      expect(result.stdout).not.toContain(SECRET);
    });

    it.each([
      [
        'a YAML syntax error: the file as a whole, with line and column',
        'public_url: http://x\npublic_url: literal-hunter2\n',
        { path: null, line: 2, column: 1, message: 'Map keys must be unique' },
      ],
      ['a file that does not exist', undefined, { path: null, message: 'cannot read the file (ENOENT)' }],
    ])('%s', async (_what, text, expected) => {
      // A name with ": " in it must not be split at the wrong place.
      const path = text === undefined ? join(dir, 'absent: x.yaml') : writeConfig('syntax: x.yaml', text);
      const result = await runCli(['check-config', path, '--json']);
      expect(result.code).toBe(1);
      expect(parse(result.stdout)).toEqual({ ok: false, file: path, errors: [expected], warnings: [] });
      expect(result.stdout).not.toContain('literal-hunter2');
    });
  });
});
