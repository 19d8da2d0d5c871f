/** @module `make run`: starts the ORDS emulator and the gateway as two processes, waits for both, prints curl commands. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { type ChildLogs, teeChild, wantsPretty } from './log-view.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// From dist/src/dev/ the project root is one level further up.
const projectRoot = root.endsWith('/dist/') ? fileURLToPath(new URL('../../../', import.meta.url)) : root;
const compiled = import.meta.url.endsWith('.js');
const entry = (ts: string) => (compiled ? ['dist/' + ts.replace(/\.ts$/, '.js')] : ['--import', 'tsx', ts]);

const env = {
  ...process.env,
  PORT: process.env.PORT ?? '8080',
  EMULATOR_PORT: process.env.EMULATOR_PORT ?? '8181',
  // The emulator's default database password; the example config reads it from here, never from a file.
  ORDS_PASSWORD: process.env.ORDS_PASSWORD ?? 'oracle',
  GATEWAY_CONFIG: process.env.GATEWAY_CONFIG ?? 'config/example.yaml',
};
const gatewayUrl = `http://127.0.0.1:${env.PORT}`;

// On a terminal the JSON log lines are shown one readable line each (probes left out), and kept whole in files;
// piped, they pass through unchanged (and are kept in the files too). DATAPUMP_RUN_LOG_DIR moves the files.
const pretty = wantsPretty(process.env, process.stdout.isTTY === true);
const logs: ChildLogs = {
  dir: process.env.DATAPUMP_RUN_LOG_DIR ?? join(projectRoot, '.run'),
  pretty,
  colorize: pretty && process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb',
  stdout: process.stdout,
  stderr: process.stderr,
};
const logFiles: string[] = [];
/** `.run/gateway.log` when under the project, the absolute path otherwise. */
const shown = (path: string) => (path.startsWith(projectRoot) ? relative(projectRoot, path) : path);

function start(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  logFiles.push(teeChild(name, child, logs));
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping.`);
      stop(1);
    }
  });
  return child;
}

/** Polls until `url` answers `ready(status)`; a start-up wait, not a test, so polling is the honest tool. */
async function waitFor(
  url: string,
  what: string,
  ready: (status: number) => boolean,
  deadlineMs = 30_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (ready(res.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${what} did not become ready at ${url} within ${deadlineMs / 1000} s`);
    await sleep(200);
  }
}

let stopping = false;
const children: ChildProcess[] = [];
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3_000).unref();
  // Never rejects (each promise only waits for an exit); `void` says the process ends in the callback.
  void Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))))).then(
    () => process.exit(code),
  );
}
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

// EMULATOR_ARGS chooses the ORDS behaviour to run against, e.g. `--lifecycle kept` (see the emulator's README).
const emulatorArgs = (process.env.EMULATOR_ARGS ?? '').split(/\s+/).filter(Boolean);
children.push(start('emulator', [...entry('src/emulator/main.ts'), '--port', env.EMULATOR_PORT, ...emulatorArgs]));
await waitFor(
  `http://127.0.0.1:${env.EMULATOR_PORT}/ords/orcl/pdbadmin/_/db-api/stable/metadata-catalog/`,
  'the ORDS emulator',
  (s) => s < 500,
).catch(fail);
children.push(start('gateway', [...entry('src/cli/datapump-gateway.ts'), 'serve', '--config', env.GATEWAY_CONFIG]));
await waitFor(`${gatewayUrl}/readyz`, 'the gateway', (s) => s === 200).catch(fail);

const jobs = `${gatewayUrl}/databases/orcl/datapump/jobs/`;
console.log(`
datapump-gateway is ready on ${gatewayUrl} (ORDS emulator on http://127.0.0.1:${env.EMULATOR_PORT}). Try:

  # export the HR schema as hr-team (the ORDS reference's export body)
  curl -i -u hr-team:hr-demo-key -X POST -H 'Content-Type: application/json' \\
    -d '{"operation":"EXPORT","schema_expressions":[{"expression":"IN ( '"'"'HR'"'"' )"}]}' ${jobs}

  # import an HR dump remapped to BLAKE as dba-team (the reference's import body)
  curl -i -u dba-team:dba-demo-key -X POST -H 'Content-Type: application/json' \\
    -d '{"operation":"IMPORT","job_mode":"FULL","file_name":"EXPDAT%U2019-03-25-12_55_03.DMP","remap_schemas":[{"source":"HR","target":"BLAKE"}]}' ${jobs}

  # follow a job (use the Location of the answer above), list yours, read the log
  curl -s -H 'X-API-Key: hr-demo-key' ${jobs}
  curl -s -H 'X-API-Key: hr-demo-key' '<Location>'
  curl -s -H 'X-API-Key: hr-demo-key' '<Location>EXPDAT-….LOG'

  Browse the contract: ${gatewayUrl}/docs    Metrics: ${gatewayUrl}/metrics    Ctrl-C stops both.

  Logs: ${logFiles.map(shown).join(', ')} (every line, JSON)${pretty ? '; shown here one line each, without health probes' : ''}.
  The ORDS emulator keeps its jobs in memory only: a restart forgets them (and their logs).
`);

/** Reports why start-up failed and waits for stop() to end the process (no stack trace for a user error). */
async function fail(error: Error): Promise<never> {
  console.error(error.message);
  stop(1);
  return new Promise<never>(() => {});
}
