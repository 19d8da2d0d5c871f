// Runs the ORDS emulator as a real child process (`node --import tsx src/emulator/main.ts --port 0 …`) for process-level tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';

import type { EmulatorConfig } from '../../src/emulator/config-file.js';
import type { ActiveFault, AddedJobSpec, Fault, RecordedRequest } from '../../src/emulator/index.js';

export type { ActiveFault, AddedJobSpec, Fault, RecordedRequest };

/** A job `addJobs` added: its key, and the path of its URL (names percent-encoded, e.g. `SYS%20EXPORT…`). */
export interface AddedJobRef {
  owner_name: string;
  job_name: string;
  /** `/ords/{db}/{schema}/_/db-api/stable/database/datapump/jobs/OWNER,NAME/` */
  path: string;
}

export interface EmulatorProcessOptions {
  /** Any option of the emulator (the factory's names), written to a temporary `--config` file. */
  config?: EmulatorConfig;
  /** Shortcut for `config.clock`; `manual` makes time move only through `advanceClock`. */
  clock?: 'real' | 'manual';
  /** Shortcut for `config.clockStart` (ISO 8601). */
  clockStart?: string;
  /** Shortcut for `config.faults`. */
  faults?: Fault[];
  /** Extra command-line flags (they win over `config`). */
  args?: string[];
  /** Extra environment variables for the child. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the listening line. Default 15000. */
  startTimeoutMs?: number;
  /**
   * Serve HTTPS (`--tls-cert`, `--tls-key`; with `clientCaFile` also `--tls-ca`: a client certificate is required).
   * The helper's own control calls trust `controlCa` and present `controlCert`/`controlKey` (PEM file paths).
   */
  tls?: {
    certFile: string;
    keyFile: string;
    clientCaFile?: string;
    controlCa: string;
    controlCert?: string;
    controlKey?: string;
  };
}

export interface ClockState {
  now: string;
  epochMs: number;
  manual: boolean;
}

export interface EmulatorProcess {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** `http://127.0.0.1:PORT/ords/orcl/pdbadmin/` (database and schema as configured) */
  ordsUrl: string;
  /** The URL printed on the listening line: `…/ords/orcl/pdbadmin/_/db-api/stable/` */
  apiUrl: string;
  port: number;
  child: ChildProcess;
  /** Settles when the child exits, with its exit code (0 after a clean SIGTERM) or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the child printed so far (stdout and stderr), for failure messages. */
  output(): string;
  setFaults(faults: Fault[]): Promise<ActiveFault[]>;
  faults(): Promise<ActiveFault[]>;
  clearFaults(): Promise<void>;
  requests(): Promise<RecordedRequest[]>;
  clearRequests(): Promise<void>;
  /** Forgets every job (a fresh job table between tests sharing one process). */
  clearJobs(): Promise<void>;
  /**
   * Adds jobs as other tools (expdp, DBMS_DATAPUMP, SQL Developer) would have started them: any owner, name
   * (spaces too), operation, mode, state, padded values, a log (see `POST /__emulator/jobs` in the README).
   */
  addJobs(jobs: AddedJobSpec[]): Promise<AddedJobRef[]>;
  /** Moves the manual clock forward (the child must run with `clock: 'manual'`). */
  advanceClock(ms: number): Promise<ClockState>;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s; removes the temporary config. */
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LISTENING = /ORDS emulator listening on (\S+)/;

async function control(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  dispatcher?: Dispatcher,
): Promise<unknown> {
  const init = {
    method,
    headers: body === undefined ? {} : ({ 'content-type': 'application/json' } as Record<string, string>),
    body: body === undefined ? null : JSON.stringify(body),
  };
  // Over TLS, undici's own fetch: Node's global one takes no CA or client certificate.
  const res = dispatcher
    ? await undiciFetch(`${baseUrl}/__emulator/${path}`, { ...init, dispatcher })
    : await fetch(`${baseUrl}/__emulator/${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /__emulator/${path} → ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function startEmulatorProcess(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
  const config: EmulatorConfig = { ...options.config };
  if (options.clock) config.clock = options.clock;
  if (options.clockStart) config.clockStart = options.clockStart;
  if (options.faults) config.faults = options.faults;
  const dir = mkdtempSync(join(tmpdir(), 'ords-emulator-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const { tls } = options;
  const tlsArgs = tls
    ? [
        '--tls-cert',
        tls.certFile,
        '--tls-key',
        tls.keyFile,
        ...(tls.clientCaFile ? ['--tls-ca', tls.clientCaFile] : []),
      ]
    : [];
  const dispatcher = tls
    ? new Agent({
        connect: {
          ca: readFileSync(tls.controlCa, 'utf8'),
          ...(tls.controlCert ? { cert: readFileSync(tls.controlCert, 'utf8') } : {}),
          ...(tls.controlKey ? { key: readFileSync(tls.controlKey, 'utf8') } : {}),
        },
      })
    : undefined;

  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/emulator/main.ts',
      '--port',
      '0',
      '--config',
      configFile,
      ...tlsArgs,
      ...(options.args ?? []),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // Never leave an orphan behind if the test process ends first.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };

  let apiUrl: string;
  try {
    apiUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`emulator did not start within ${options.startTimeoutMs ?? 15000} ms:\n${output}`)),
        options.startTimeoutMs ?? 15000,
      );
      const onData = () => {
        const match = LISTENING.exec(output);
        if (!match) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      };
      child.stdout!.on('data', onData);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`emulator exited (code ${code}, signal ${signal}) before listening:\n${output}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    cleanup();
    throw error;
  }

  const url = new URL(apiUrl);
  const baseUrl = url.origin;
  const ordsUrl = `${baseUrl}${url.pathname.replace(/_\/db-api\/[^/]+\/$/, '')}`;
  const ctl = (method: string, path: string, body?: unknown) => control(baseUrl, method, path, body, dispatcher);
  return {
    baseUrl,
    ordsUrl,
    apiUrl,
    port: Number(url.port),
    child,
    exited,
    output: () => output,
    setFaults: async (faults) => (await ctl('PUT', 'faults', faults)) as ActiveFault[],
    faults: async () => (await ctl('GET', 'faults')) as ActiveFault[],
    clearFaults: async () => {
      await ctl('DELETE', 'faults');
    },
    requests: async () => (await ctl('GET', 'requests')) as RecordedRequest[],
    clearRequests: async () => {
      await ctl('DELETE', 'requests');
    },
    clearJobs: async () => {
      await ctl('DELETE', 'jobs');
    },
    addJobs: async (jobs) => (await ctl('POST', 'jobs', jobs)) as AddedJobRef[],
    advanceClock: async (ms) => (await ctl('POST', 'clock', { advanceMs: ms })) as ClockState,
    async stop() {
      await dispatcher?.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}
