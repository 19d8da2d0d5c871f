// Runs the gateway as a real child process (`node --import tsx src/cli/datapump-gateway.ts serve --config <temp yaml>`)
// for process-level tests: replicas, signals, graceful shutdown, hot reload.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

import { DEMO_KEYS, sha256 } from './gateway-config.js';

/** The YAML text itself, or the YAML tree as an object (snake_case, as written in the file). */
export type GatewayConfigInput = string | Record<string, unknown>;

export interface GatewayProcessOptions {
  readonly config: GatewayConfigInput;
  /** Environment of the child, on top of this process's (for `${VAR}` references such as ORDS_PASSWORD). */
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the listening line. Default 15000. */
  readonly startTimeoutMs?: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface GatewayProcess {
  /** `http://127.0.0.1:PORT`, from the "listening on" line. */
  readonly url: string;
  readonly child: ChildProcess;
  /** The temporary config file the child was started with (rewrite it with writeConfig). */
  readonly configPath: string;
  /** Settles when the child exits. */
  readonly exited: Promise<Exit>;
  /** Everything the child printed so far (stdout and stderr). */
  output(): string;
  /** Log lines (pino JSON on stdout) printed so far, parsed; other lines are skipped. */
  logs(): Array<Record<string, unknown>>;
  /**
   * Resolves with the first log line (parsed) at or after output offset `from` whose `msg` matches;
   * rejects after `timeoutMs` (default 10000) or when the child exits first.
   */
  waitForLog(msg: RegExp | string, options?: { from?: number; timeoutMs?: number }): Promise<Record<string, unknown>>;
  /** Replaces the config file's content (for SIGHUP tests). */
  writeConfig(config: GatewayConfigInput): void;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then waits for the exit (SIGKILL after `timeoutMs`, default 10000); removes the temporary directory. */
  stop(timeoutMs?: number): Promise<Exit>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LISTENING = /datapump-gateway listening on (\S+)/;

const running = new Set<ChildProcess>();
// Never leave an orphan behind, whatever way the test process ends.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** SIGKILLs every gateway process still running (an afterAll safety net; stop() is the clean way). */
export async function killAllGatewayProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

const toYaml = (config: GatewayConfigInput) => (typeof config === 'string' ? config : stringify(config));

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'datapump-gateway-'));
  const configPath = join(dir, 'gateway.yaml');
  writeFileSync(configPath, toYaml(options.config));

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/datapump-gateway.ts', 'serve', '--config', configPath],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: string) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  let exitedYet = false;
  void exited.then(() => {
    exitedYet = true;
    for (const listener of listeners) listener();
  });

  /** Calls `check` on every new output until it returns a value; rejects on timeout or exit. */
  function waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(listener);
        fn();
      };
      const listener = () => {
        const found = check();
        if (found !== undefined) finish(() => resolve(found));
        else if (exitedYet) finish(() => reject(new Error(`gateway exited before ${what}:\n${output}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no ${what} within ${timeoutMs} ms:\n${output}`))),
        timeoutMs,
      );
      listeners.add(listener);
      listener();
    });
  }

  const parsedLogs = (from = 0) =>
    output
      .slice(from)
      .split('\n')
      .flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return []; // a line still being written
        }
      });

  let url: string;
  try {
    url = await waitFor('listening line', () => LISTENING.exec(output)?.[1], options.startTimeoutMs ?? 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    child,
    configPath,
    exited,
    output: () => output,
    logs: () => parsedLogs(),
    waitForLog(msg, { from = 0, timeoutMs = 10_000 } = {}) {
      const matches = (m: unknown) => typeof m === 'string' && (typeof msg === 'string' ? m === msg : msg.test(m));
      // Whole lines only: a line is complete once its newline has arrived.
      return waitFor(`log line ${String(msg)}`, () => parsedLogs(from).find((entry) => matches(entry.msg)), timeoutMs);
    },
    writeConfig(config) {
      writeFileSync(configPath, toYaml(config));
    },
    signal(signal) {
      child.kill(signal);
    },
    async stop(timeoutMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };
}

/** Environment a gateway process built from gatewayConfigTree needs (the emulator's default password). */
export const GATEWAY_PROCESS_ENV = { ORDS_PASSWORD: 'oracle' } as const;

const GENEROUS_LIMITS = {
  create: '1000/minute',
  read: '1000/minute',
  concurrent_jobs: 1000,
  jobs_per_day: 10000,
  concurrent_downloads: 1000,
};

/** One tenant of the YAML: the sha256 of `key`, database orcl, generous limits unless given. */
export function tenantTree(
  key: string,
  grants: Record<string, unknown>,
  limits: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    api_keys: [{ sha256: sha256(key) }],
    databases: ['orcl'],
    grants,
    limits: { ...GENEROUS_LIMITS, ...limits },
  };
}

/** The demo tenants (keys as in DEMO_KEYS) in YAML form. */
export function demoTenantsTree(): Record<string, Record<string, unknown>> {
  return {
    'hr-team': tenantTree(DEMO_KEYS['hr-team'], {
      operations: ['EXPORT', 'IMPORT'],
      job_modes: ['SCHEMA', 'TABLE'],
      schemas: ['HR'],
      max_threads: 4,
      directories: ['DATA_PUMP_DIR'],
      file_prefix: 'HR_',
    }),
    'sales-team': tenantTree(DEMO_KEYS['sales-team'], {
      operations: ['EXPORT'],
      job_modes: ['SCHEMA', 'TABLE'],
      schemas: ['SALES'],
      max_threads: 2,
      directories: ['DATA_PUMP_DIR'],
      file_prefix: 'SALES_',
    }),
  };
}

export interface GatewayTreeOptions {
  /** The emulator's (or an ORDS's) base URL up to `/ords/{db}/{schema}/`. */
  readonly ordsUrl: string;
  /** Top-level sections replacing the defaults (`store`, `limits`, `server`, `tenants`, …). */
  readonly overrides?: Record<string, unknown>;
}

/**
 * A complete config tree (the YAML as an object) for a gateway process on a free port in front of
 * `ordsUrl`: memory store, local counters, info logs (the tests read them), the demo tenants.
 */
export function gatewayConfigTree({ ordsUrl, overrides = {} }: GatewayTreeOptions): Record<string, unknown> {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    public_url: 'http://gateway.test',
    log_level: 'info',
    server: { shutdown_grace_ms: 5000 },
    store: { memory: true },
    databases: {
      orcl: {
        url: ordsUrl,
        auth: { basic: { username: 'pdbadmin', password: '${ORDS_PASSWORD}' } },
        timeouts: { connect_ms: 2000, create_ms: 10000, read_ms: 10000, file_idle_ms: 10000 },
      },
    },
    tenants: demoTenantsTree(),
    ...overrides,
  };
}
