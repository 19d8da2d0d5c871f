/**
 * @module `make pack`: compiles src/ once and writes two installable tarballs, the client
 * (`@datapump-gateway/client`: the typed client and the `datapump` CLI, no server code) and the gateway
 * (`datapump-gateway`: the admin CLI, gateway and emulator with the files they read at run time).
 *
 * Usage: node --import tsx scripts/pack.ts [--out dist/packages] [--skip-typecheck]
 * (`--skip-typecheck` emits without checking types, for the packaging test: `make typecheck` checks them.)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { type ImportReport, packageNameOf, scanPackage } from './package-imports.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export const CLIENT_NAME = '@datapump-gateway/client';
export const GATEWAY_NAME = 'datapump-gateway';

/**
 * Server packages the client must never pull in: its users are browsers and other teams' Node programs,
 * which should not compile SQLite or carry Express to call an HTTP API.
 */
export const SERVER_PACKAGES = ['express', 'better-sqlite3', 'pg', 'ioredis', 'pino'] as const;

interface RootManifest {
  version: string;
  license: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
}

export interface PackResult {
  readonly client: string;
  readonly gateway: string;
  readonly version: string;
}

function fail(message: string): never {
  throw new Error(`pack: ${message}`);
}

function describe(findings: ReadonlyArray<{ file: string; specifier: string }>): string {
  return findings.map((f) => `  ${f.file}: '${f.specifier}'`).join('\n');
}

/** The dependencies a staged package declares: exactly the root's pinned versions of what its code imports. */
function pinned(names: readonly string[], root: RootManifest, what: string): Record<string, string> {
  const missing = names.filter((name) => root.dependencies[name] === undefined);
  if (missing.length > 0)
    fail(`${what} imports ${missing.join(', ')}, which the root package.json has no (production) dependency on`);
  return Object.fromEntries(names.map((name) => [name, root.dependencies[name]!]));
}

function checkResolved(report: ImportReport, what: string): void {
  if (report.unresolved.length > 0)
    fail(`${what} has relative imports of files outside the package:\n${describe(report.unresolved)}`);
}

/** Copies the compiled files of `from` (a folder of the build) into the stage, without source maps. */
function copyBuild(build: string, stage: string, from: string): void {
  cpSync(join(build, from), join(stage, 'dist', from), {
    recursive: true,
    filter: (path) => !path.endsWith('.map'),
  });
}

function writeManifest(stage: string, manifest: Record<string, unknown>): void {
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function npmPack(stage: string, out: string): string {
  const json = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
    cwd: stage,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [entry] = JSON.parse(json) as Array<{ filename: string }>;
  if (!entry) fail(`npm pack wrote nothing for ${stage}`);
  return join(out, entry.filename);
}

const CLIENT_README = (version: string) => `# ${CLIENT_NAME}

The typed client of the [datapump-gateway](https://www.npmjs.com/package/datapump-gateway) public API and
the \`datapump\` command line, version ${version}. No server code: its only dependencies are openapi-fetch
(the client) and commander (the command line). The client runs in Node 20.19+/22.12+ and in a browser bundle.

\`\`\`js
import { createDatapumpClient } from '${CLIENT_NAME}';
const client = createDatapumpClient({ baseUrl: 'https://datapump.example.com', apiKey: process.env.DATAPUMP_API_KEY, database: 'orcl' });
const done = await client.waitForJob(await client.exportSchemas(['HR']), { timeoutMs: 600_000 });
console.log(done.outcome.result);
\`\`\`

\`npx datapump --help\` lists the command line's commands. The full guide is the client's README in the
datapump-gateway repository (src/client/README.md).
`;

function stageClient(build: string, stage: string, root: RootManifest): void {
  copyBuild(build, stage, 'src/client');
  copyBuild(build, stage, 'src/client-cli');
  // The client's declarations import the generated public types; they ship with it.
  mkdirSync(join(stage, 'dist/generated'), { recursive: true });
  for (const file of ['public.js', 'public.d.ts'])
    cpSync(join(build, 'generated', file), join(stage, 'dist/generated', file));

  const report = scanPackage(join(stage, 'dist'));
  checkResolved(report, CLIENT_NAME);
  // The browser bundle: nothing under src/client may use a Node built-in (the CLI may).
  const inClient = report.builtins.filter((f) => !f.file.startsWith('src/client-cli/'));
  if (inClient.length > 0)
    fail(`the client imports Node built-ins, so no browser can bundle it:\n${describe(inClient)}`);
  const server = report.packages.filter((name) => (SERVER_PACKAGES as readonly string[]).includes(name));
  if (server.length > 0) fail(`the client imports server packages: ${server.join(', ')}`);

  writeManifest(stage, {
    name: CLIENT_NAME,
    version: root.version,
    description: 'Typed client and `datapump` command line of the datapump-gateway public API (no server code).',
    license: root.license,
    type: 'module',
    engines: root.engines,
    exports: {
      '.': { types: './dist/src/client/index.d.ts', default: './dist/src/client/index.js' },
      './package.json': './package.json',
    },
    types: './dist/src/client/index.d.ts',
    bin: { datapump: 'dist/src/client-cli/main.js' },
    files: ['dist', 'README.md'],
    dependencies: pinned(report.packages, root, CLIENT_NAME),
  });
  writeFileSync(join(stage, 'README.md'), CLIENT_README(root.version));
}

function stageGateway(build: string, stage: string, root: RootManifest): void {
  // Everything but src/dev (`make run`, which expects the repository around it).
  for (const folder of ['cli', 'client', 'client-cli', 'contract', 'emulator', 'gateway', 'lib'])
    copyBuild(build, stage, `src/${folder}`);
  copyBuild(build, stage, 'generated');
  // tsc copies the config schema the loader imports (src/gateway/config/schema.ts) to dist/config/.
  copyBuild(build, stage, 'config');
  // Read at run time: src/contract/documents.ts looks three levels above dist/src/contract/, i.e. the package root.
  cpSync(join(ROOT, 'generated/openapi'), join(stage, 'generated/openapi'), {
    recursive: true,
    filter: (path) => !path.endsWith('README.md'),
  });
  mkdirSync(join(stage, 'config'), { recursive: true });
  for (const file of ['gateway-config.schema.json', 'example.yaml'])
    cpSync(join(ROOT, 'config', file), join(stage, 'config', file));
  cpSync(join(ROOT, 'README.md'), join(stage, 'README.md'));

  const report = scanPackage(join(stage, 'dist'));
  checkResolved(report, GATEWAY_NAME);
  // The root's production dependencies (type packages aside): some are loaded by name, not by an import.
  const production = Object.keys(root.dependencies)
    .filter((name) => !name.startsWith('@types/'))
    .sort();
  // What the code imports must be among them (declarations aside: their type packages are dev dependencies).
  const imported = new Set(report.bare.filter((f) => f.file.endsWith('.js')).map((f) => packageNameOf(f.specifier)));
  pinned([...imported].sort(), root, GATEWAY_NAME);

  writeManifest(stage, {
    name: GATEWAY_NAME,
    version: root.version,
    description:
      'A governed HTTP gateway in front of Oracle REST Data Services (ORDS) Data Pump jobs, with an ORDS emulator.',
    license: root.license,
    type: 'module',
    engines: root.engines,
    bin: { 'datapump-gateway': 'dist/src/cli/datapump-gateway.js' },
    exports: {
      './client': { types: './dist/src/client/index.d.ts', default: './dist/src/client/index.js' },
      './emulator': { types: './dist/src/emulator/index.d.ts', default: './dist/src/emulator/index.js' },
      './package.json': './package.json',
    },
    files: ['dist', 'generated/openapi', 'config', 'README.md'],
    dependencies: pinned(production, root, GATEWAY_NAME),
  });
}

/** The contract's major and the client's major move together (CHANGELOG.md, Versioning). */
function checkVersions(root: RootManifest): void {
  const contract = JSON.parse(readFileSync(join(ROOT, 'generated/openapi/public.json'), 'utf8')) as {
    info: { version: string };
  };
  const major = (v: string) => v.split('.')[0];
  if (major(contract.info.version) !== major(root.version))
    fail(
      `openapi/public.yaml info.version ${contract.info.version} and package.json version ${root.version} differ in their major`,
    );
}

export interface PackOptions {
  /** Where the tarballs go (created when missing). */
  readonly out: string;
  /** Emit without type checking (tsc --noCheck). */
  readonly skipTypecheck?: boolean;
}

export function pack({ out, skipTypecheck = false }: PackOptions): PackResult {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as RootManifest;
  checkVersions(root);
  const work = mkdtempSync(join(tmpdir(), 'datapump-pack-'));
  try {
    const build = join(work, 'build');
    // A build of its own, so a stale dist/ (files of deleted sources) never reaches a package.
    execFileSync(
      join(ROOT, 'node_modules/.bin/tsc'),
      ['-p', 'tsconfig.build.json', '--outDir', build, '--sourceMap', 'false', ...(skipTypecheck ? ['--noCheck'] : [])],
      { cwd: ROOT, stdio: 'inherit' },
    );
    mkdirSync(out, { recursive: true });
    const clientStage = join(work, 'client');
    const gatewayStage = join(work, 'gateway');
    stageClient(build, clientStage, root);
    stageGateway(build, gatewayStage, root);
    return { client: npmPack(clientStage, out), gateway: npmPack(gatewayStage, out), version: root.version };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(ROOT, 'dist/packages') },
      'skip-typecheck': { type: 'boolean', default: false },
    },
  });
  try {
    const result = pack({ out: resolve(values.out), skipTypecheck: values['skip-typecheck'] });
    for (const tarball of [result.client, result.gateway]) console.log(`packed ${relative(process.cwd(), tarball)}`);
  } catch (error) {
    // tsc and npm have printed their own errors; ours is one line.
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
