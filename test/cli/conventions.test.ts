// Command-line conventions shared by `datapump` and `datapump-gateway`, both run as real child processes:
// --version prints the package's version, help is 0, every usage mistake is 2.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { packageVersion } from '../../src/client-cli/package-version.js';
import { run as runDatapump } from '../client-cli/run-datapump.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const NO_STACK = /\n\s+at .+:\d+:\d+/;

type Run = (args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
const CLIS: ReadonlyArray<[string, Run]> = [
  ['datapump', (args) => runDatapump(args)],
  ['datapump-gateway', (args) => runCli(args)],
];

describe.each(CLIS)('%s', (_name, run) => {
  it.each([['--version'], ['-V']])('%s prints the version of package.json on stdout, exit 0', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([['--help'], ['help']])('%s: the usage on stdout, exit 0', async (flag) => {
    const r = await run([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: datapump(-gateway)? /);
    expect(r.stdout).toMatch(/Exit codes/);
  });

  it('no command at all: the usage on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: /);
  });
});

// [what, the command line, what stderr says]: each is commander's own finding, each exits 2 with no stack.
const USAGE: ReadonlyArray<[string, string, readonly string[], RegExp]> = [
  ['datapump', 'unknown option', ['list', '--bogus'], /unknown option '--bogus'/],
  ['datapump', 'unknown global option', ['--bogus', 'list'], /unknown option '--bogus'/],
  ['datapump', 'unknown command', ['lst'], /unknown command 'lst'/],
  ['datapump', 'missing argument', ['status'], /missing required argument/],
  ['datapump', 'option missing its argument', ['list', '--limit'], /argument missing/],
  ['datapump', 'missing mandatory option', ['import'], /required option '--file <name>' not specified/],
  ['datapump', 'invalid argument', ['list', '--limit', 'ten'], /--limit must be an integer/],
  ['datapump', 'excess arguments', ['list', 'extra'], /too many arguments/],
  ['datapump', 'help for an unknown command', ['help', 'nope'], /^Usage: datapump/],
  ['datapump-gateway', 'unknown option', ['hash-key', '--bogus'], /unknown option '--bogus'/],
  ['datapump-gateway', 'unknown command', ['check-confg'], /unknown command 'check-confg'/],
  ['datapump-gateway', 'option missing its argument', ['verify-upstream', '--config'], /argument missing/],
  ['datapump-gateway', 'excess arguments', ['check-config', 'a.yaml', 'b.yaml'], /too many arguments/],
];

describe('bad usage exits 2 on both', () => {
  it.each(USAGE)('%s: %s', async (cli, _what, args, says) => {
    const r = await (cli === 'datapump' ? runDatapump(args) : runCli(args));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(says);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stdout).toBe('');
  });
});

describe('packageVersion: the nearest package.json with a name, walking up', () => {
  const root = mkdtempSync(join(tmpdir(), 'dpg-version-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, value: unknown) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), typeof value === 'string' ? value : JSON.stringify(value));
  };
  // An installed package: node_modules/<pkg>/package.json above dist/src/client-cli/, with a nameless
  // package.json ({"type":"module"}) and a broken one on the way, and the project's own package.json further up.
  write('package.json', { name: 'the-project', version: '9.9.9' });
  write('node_modules/@acme/datapump/package.json', { name: '@acme/datapump', version: '1.2.3' });
  write('node_modules/@acme/datapump/dist/package.json', { type: 'module' });
  write('node_modules/@acme/datapump/dist/src/package.json', '{ not json');
  mkdirSync(join(root, 'node_modules/@acme/datapump/dist/src/client-cli'), { recursive: true });
  write('nameless/package.json', { version: '0.0.1' });
  mkdirSync(join(root, 'nameless/deep'), { recursive: true });
  write('no-version/package.json', { name: 'x' });

  it.each([
    ['from the installed package', 'node_modules/@acme/datapump/dist/src/client-cli', '1.2.3'],
    ['from its root', 'node_modules/@acme/datapump', '1.2.3'],
    ['past a package.json without a name', 'nameless/deep', '9.9.9'],
    ['a named one without a version', 'no-version', 'unknown'],
  ])('%s', (_what, from, expected) => {
    expect(packageVersion(join(root, from))).toBe(expected);
  });

  it("from this repository's sources (as tsx runs them)", () => {
    expect(packageVersion()).toBe(version);
  });
});
