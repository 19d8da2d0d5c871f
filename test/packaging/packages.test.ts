// `make pack`'s two tarballs as another team gets them: each installed into an empty project with npm, then used
// only from there: the client's dependency tree, both --version lines, the installed emulator, the installed
// gateway in front of it running a job for a script that imports the installed client, and a browser bundle.
// Slow: the gateway's install compiles better-sqlite3 (a minute or more on two cores).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLIENT_NAME, GATEWAY_NAME, SERVER_PACKAGES } from '../../scripts/pack.js';
import { freePort } from '../helpers/free-port.js';
import { type Finished, run, serve, type Server } from './installed.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error'];
// node-gyp compiles better-sqlite3 on every core there is; under strict-allow-scripts an install script the
// project's allowScripts does not name fails the install, so the README's policy is proven complete.
const INSTALL_ENV = { JOBS: 'max', npm_config_strict_allow_scripts: 'true' };

function ok(what: string, r: Finished): Finished {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** An empty project with only a package.json, as another team's would start. */
function project(dir: string, extra: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'consumer', version: '1.0.0', private: true, type: 'module', ...extra };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Every package name in `npm ls --all --json`'s tree. */
function treeNames(node: { dependencies?: Record<string, unknown> }): string[] {
  return Object.entries(node.dependencies ?? {}).flatMap(([name, child]) => [
    name,
    ...treeNames(child as { dependencies?: Record<string, unknown> }),
  ]);
}

describe('the packages of make pack, installed into empty projects', { timeout: 180_000 }, () => {
  let work: string;
  let clientProject: string;
  let gatewayProject: string;
  const bin = (dir: string, name: string) => join(dir, 'node_modules/.bin', name);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'datapump-packages-'));
    const out = join(work, 'packages');
    ok(
      'scripts/pack.ts',
      await run(process.execPath, ['--import', 'tsx', 'scripts/pack.ts', '--out', out, '--skip-typecheck'], {
        cwd: ROOT,
      }),
    );
    const tarballs = readdirSync(out).sort();
    expect(tarballs).toEqual([`datapump-gateway-${VERSION}.tgz`, `datapump-gateway-client-${VERSION}.tgz`]);

    clientProject = project(join(work, 'client-user'));
    // The README's allowScripts policy: better-sqlite3 compiles its native module; swagger-ui-express's
    // @scarf/scarf would only report the install.
    gatewayProject = project(join(work, 'gateway-user'), {
      allowScripts: { 'better-sqlite3': true, '@scarf/scarf': false },
    });
    await Promise.all([
      run('npm', [...NPM_INSTALL, join(out, `datapump-gateway-client-${VERSION}.tgz`)], { cwd: clientProject }).then(
        (r) => ok('npm install (client)', r),
      ),
      run('npm', [...NPM_INSTALL, join(out, `datapump-gateway-${VERSION}.tgz`)], {
        cwd: gatewayProject,
        env: INSTALL_ENV,
      }).then((r) => ok('npm install (gateway)', r)),
    ]);
  }, 1_800_000);

  // Two node_modules trees to delete: slow on a busy machine.
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  }, 300_000);

  it('the client pulls in no server package: only what the client and its CLI import', async () => {
    const ls = ok('npm ls', await run('npm', ['ls', '--all', '--json'], { cwd: clientProject }));
    const names = treeNames(JSON.parse(ls.stdout) as { dependencies?: Record<string, unknown> });
    expect(names).toContain(CLIENT_NAME);
    for (const server of SERVER_PACKAGES) expect(names).not.toContain(server);
    const manifest = JSON.parse(
      readFileSync(join(clientProject, 'node_modules', CLIENT_NAME, 'package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['commander', 'openapi-fetch']);
  });

  it.each([
    ['datapump', () => clientProject],
    ['datapump-gateway', () => gatewayProject],
  ])('%s --version prints the package version', async (name, dir) => {
    const r = ok(`${name} --version`, await run(bin(dir(), name), ['--version'], { cwd: dir() }));
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('the gateway package also exports the client and the emulator', async () => {
    const script = join(gatewayProject, 'exports.mjs');
    writeFileSync(
      script,
      `import { createDatapumpClient } from '${GATEWAY_NAME}/client';
import { createEmulator } from '${GATEWAY_NAME}/emulator';
console.log(typeof createDatapumpClient, typeof createEmulator);\n`,
    );
    const r = ok('exports.mjs', await run(process.execPath, [script], { cwd: gatewayProject }));
    expect(r.stdout.trim()).toBe('function function');
  });

  it('the client bundles for a browser, with no Node built-in in it', async () => {
    const entry = join(clientProject, 'entry.mjs');
    writeFileSync(entry, `export { createDatapumpClient, DatapumpProblemError } from '${CLIENT_NAME}';\n`);
    // esbuild comes with the repository's dev tools (vite, tsx); it refuses a `node:` import for the browser.
    const r = await run(
      join(ROOT, 'node_modules/.bin/esbuild'),
      ['entry.mjs', '--bundle', '--platform=browser', '--format=esm', '--outfile=bundle.js', '--metafile=meta.json'],
      { cwd: clientProject },
    );
    expect(r.stderr).not.toMatch(/node:/);
    ok('esbuild', r);
    const meta = JSON.parse(readFileSync(join(clientProject, 'meta.json'), 'utf8')) as {
      inputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
      outputs: Record<string, { imports: unknown[] }>;
    };
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain(`node_modules/${CLIENT_NAME}/dist/src/client/client.js`);
    expect(inputs.every((path) => path === 'entry.mjs' || path.startsWith('node_modules/'))).toBe(true);
    expect(Object.values(meta.inputs).flatMap((input) => input.imports.filter((i) => i.external))).toEqual([]);
    expect(readFileSync(join(clientProject, 'bundle.js'), 'utf8')).not.toMatch(/["']node:/);
  });

  describe('the installed emulator and gateway, and a script using the installed client', () => {
    let emulator: Server;
    let gateway: Server;
    const auth = `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}`;

    beforeAll(async () => {
      const [emulatorPort, gatewayPort] = [await freePort(), await freePort()];
      emulator = await serve(
        bin(gatewayProject, 'datapump-gateway'),
        ['emulator', '--port', String(emulatorPort), '--job-duration', '300'],
        { cwd: gatewayProject, listening: /ORDS emulator listening on (\S+)/ },
      );
      // The example configuration the package ships, as `make run` uses it: demo tenants in front of the emulator.
      gateway = await serve(
        bin(gatewayProject, 'datapump-gateway'),
        ['serve', '--config', `node_modules/${GATEWAY_NAME}/config/example.yaml`],
        {
          cwd: gatewayProject,
          env: {
            PORT: String(gatewayPort),
            EMULATOR_PORT: String(emulatorPort),
            ORDS_PASSWORD: 'oracle',
            GATEWAY_DB: join(work, 'gateway.db'),
          },
          listening: /datapump-gateway listening on (\S+)/,
        },
      );
    }, 120_000);

    afterAll(async () => {
      await gateway?.stop();
      await emulator?.stop();
    }, 60_000);

    it('the emulator answers its metadata catalogue', async () => {
      const res = await fetch(`${emulator.url}metadata-catalog/`, { headers: { authorization: auth } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/json/);
    });

    it('a Node script importing the installed client creates a job and waits for its end', async () => {
      const script = join(clientProject, 'job.mjs');
      writeFileSync(
        script,
        `import { createDatapumpClient } from '${CLIENT_NAME}';
const client = createDatapumpClient({ baseUrl: process.env.DATAPUMP_URL, apiKey: process.env.DATAPUMP_API_KEY, database: 'orcl' });
const job = await client.exportSchemas(['HR']);
const done = await client.waitForJob(job, { timeoutMs: 60_000, pollIntervalMs: 100 });
console.log(JSON.stringify({ owner: done.owner_name, state: done.state, result: done.outcome.result }));\n`,
      );
      const r = ok(
        'job.mjs',
        await run(process.execPath, [script], {
          cwd: clientProject,
          env: { DATAPUMP_URL: gateway.url, DATAPUMP_API_KEY: 'hr-demo-key' },
        }),
      );
      expect(JSON.parse(r.stdout)).toEqual({ owner: 'PDBADMIN', state: 'COMPLETED', result: 'succeeded' });
    });

    it('the installed datapump command exports and waits', async () => {
      const r = await run(
        bin(clientProject, 'datapump'),
        ['--json', '--poll-interval', '100', 'export', '--schema', 'HR', '--wait', '--timeout', '60'],
        { cwd: clientProject, env: { DATAPUMP_URL: gateway.url, DATAPUMP_API_KEY: 'hr-demo-key' } },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/"state":\s*"COMPLETED"/);
    });
  });
});
