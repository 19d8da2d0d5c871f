// The emulator's options, their defaults, and how they are checked and completed.
import { schemaAsserter } from './ajv.js';
import { type Clock, systemClock } from './clock.js';
import type { Fault } from './fault-spec.js';
import { type IdSource, randomIds } from './ids.js';
import { optionsSchema } from './options-schema.js';

export interface EmulatorOptions {
  /** Interface `listen()` binds. Default `127.0.0.1`. */
  host?: string;
  /** Port `listen()` binds; 0 picks a free one. Default 8181. */
  port?: number;
  /** Origin used in `Location` and links (`http://host:port`); default: from the request's `Host`, as ORDS does. */
  publicUrl?: string | null;
  /** The database segment of ORDS's URL. Default `orcl`. */
  database?: string;
  /** The schema alias segment of ORDS's URL. Default `pdbadmin`. */
  schema?: string;
  /** Database users for HTTP Basic: user name (case-insensitive, as Oracle's) → password. Default `{ pdbadmin: 'oracle' }`. */
  users?: Record<string, string>;
  /** OAuth2 clients (client credentials grant): client id → secret. Default `{ 'emulator-client': 'emulator-secret' }`. */
  clients?: Record<string, string>;
  /** Lifetime of issued access tokens. Default 3600. */
  tokenTtlSeconds?: number;
  /** Time from creation until a job stops EXECUTING. Default 5000. */
  jobDurationMs?: number;
  /** Time a finished job stays visible (as in DBA_DATAPUMP_JOBS); null keeps it. Default null. */
  retainFinishedMs?: number | null;
  /** A job whose `file_name` contains this text fails (NOT RUNNING, ORA- lines). Default null. */
  failWhenFileNameContains?: string | null;
  /** Exact size of every job log, generated lazily (for streaming tests); null: a short natural log. Default null. */
  logBytes?: number | null;
  /** Size of an export's dump file. Default 65536. */
  dumpBytes?: number;
  /**
   * Serve any file name asked of an existing job (a short fake body), not only the job's own files: an ORDS that
   * does not check the name, to prove a client of it does. Default false.
   */
  serveAnyFile?: boolean;
  /** Check create bodies against the upstream contract. Default true; benchmarks switch it off. */
  validate?: boolean;
  /** Page size of `GET jobs/` without `limit`. Default 25. */
  defaultLimit?: number;
  /** Largest page size applied, whatever `limit` asks (ORDS's `misc.pagination.maxRows`). Default 10000. */
  maxLimit?: number;
  /** Largest request body read. Default 4 MiB. */
  bodyLimitBytes?: number;
  /** Faults active from the start. Default none. */
  faults?: Fault[];
  /** Seed of the PRNG behind fault `fraction`s. Default 1. */
  faultSeed?: number;
  /** How many of the latest ORDS requests `/__emulator/requests` keeps; 0 records nothing. Default 1000. */
  recordRequests?: number;
  /** Source of "now". Default the system clock. */
  clock?: Clock;
  /** Source of ECIDs and tokens. Default random. */
  ids?: IdSource;
}

export type ResolvedOptions = Readonly<Required<Omit<EmulatorOptions, 'faults'>>> & {
  readonly faults: readonly Fault[];
};

export const DEFAULT_OPTIONS = {
  host: '127.0.0.1',
  port: 8181,
  publicUrl: null,
  database: 'orcl',
  schema: 'pdbadmin',
  users: { pdbadmin: 'oracle' },
  clients: { 'emulator-client': 'emulator-secret' },
  tokenTtlSeconds: 3600,
  jobDurationMs: 5000,
  retainFinishedMs: null,
  failWhenFileNameContains: null,
  logBytes: null,
  dumpBytes: 65536,
  serveAnyFile: false,
  validate: true,
  defaultLimit: 25,
  maxLimit: 10000,
  bodyLimitBytes: 4 * 1024 * 1024,
  faults: [],
  faultSeed: 1,
  recordRequests: 1000,
} as const satisfies Omit<EmulatorOptions, 'clock' | 'ids'>;

const assertOptions: (value: unknown) => asserts value is EmulatorOptions = schemaAsserter<EmulatorOptions>(
  optionsSchema,
  'emulator options',
);

/** Checks `options` (throwing one Error that lists every problem) and fills in the defaults. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const { clock, ids, ...data } = options;
  // Drop explicit `undefined`s so "not given" and "given as undefined" mean the same.
  const defined: unknown = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  assertOptions(defined);
  return Object.freeze({
    ...DEFAULT_OPTIONS,
    ...defined,
    users: { ...(defined.users ?? DEFAULT_OPTIONS.users) },
    clients: { ...(defined.clients ?? DEFAULT_OPTIONS.clients) },
    faults: [...(defined.faults ?? [])],
    clock: clock ?? systemClock(),
    ids: ids ?? randomIds(),
  }) as ResolvedOptions;
}
