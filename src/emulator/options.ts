// The emulator's options, their defaults, and how they are checked and completed.
import { schemaAsserter } from './ajv.js';
import { type Clock, systemClock } from './clock.js';
import type { Fault } from './fault-spec.js';
import { type IdSource, randomIds } from './ids.js';
import { optionsSchema } from './options-schema.js';
import { DEFAULT_ORDS_VERSION, ordsVersionProblem } from './ords-release.js';
import { checkTimeZone } from './time-format.js';

export type Lifecycle = 'dropped' | 'kept' | 'completed';
export type VanishedFiles = 'gone' | 'served';
export type ValidateMode = 'documented' | 'strict' | 'off';
export type DumpMediaType = 'application/octet-stream' | 'application/vnd.tcpdump.pcap';
/** The list's paging query parameters, which `ignorePaging` can make the emulator disregard. */
export type PagingParam = 'limit' | 'offset';

/** PEM text of the emulator's server certificate and key, and of the CA client certificates must come from. */
export interface EmulatorTls {
  cert: string;
  key: string;
  /** When given, a client certificate issued by it is required (mutual TLS). */
  ca?: string;
}

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
  /**
   * What becomes of a job that completes (successfully or with errors), as Data Pump and ORDS do it:
   * - `dropped`: Data Pump drops the control table (KEEP_MASTER=NO, ORDS before 25.4): the job shows `COMPLETED`
   *   for `completedVisibleMs`, then leaves the list and `GET` answers 404;
   * - `kept`: the control table stays (ORDS 25.4+ `keep_master: 1`, its default): the job stays `NOT RUNNING`;
   * - `completed`: the emulator's first behaviour, the job stays `COMPLETED` (no real ORDS is known to do this).
   * A body's `keep_master` (0 → dropped, 1 → kept) overrides `dropped` and `kept` per job. Failed jobs always stay
   * `NOT RUNNING`. Default `dropped`.
   */
  lifecycle?: Lifecycle;
  /**
   * How long a `dropped` job shows `COMPLETED` before it vanishes (the moment its processes still live).
   * Default: `retainFinishedMs` when that is set, else 1000.
   */
  completedVisibleMs?: number;
  /**
   * Legacy (`--retain-finished`): when set, every finished job (failed, kept and `completed` ones too) vanishes this
   * long after it ended, and a `dropped` job shows `COMPLETED` this long unless `completedVisibleMs` is given. With
   * the default lifecycle it therefore behaves exactly as before. Default null (no such limit).
   */
  retainFinishedMs?: number | null;
  /** A job whose `file_name` contains this text fails (NOT RUNNING, ORA- lines, "stopped due to fatal error"). Default null. */
  failWhenFileNameContains?: string | null;
  /**
   * A job whose `file_name` contains this text completes with errors (ORA- lines, "completed with 1 error(s)"); its
   * state follows `lifecycle` as a successful job's does. `failWhenFileNameContains` wins when both match. Default null.
   */
  completeWithErrorsWhenFileNameContains?: string | null;
  /**
   * Whether the files of a job that vanished (dropped) are still served: `gone` (404, as for any unknown job) or
   * `served` (its log and dump stay readable at their URLs). Unconfirmed for real ORDS. Default `gone`.
   */
  vanishedFiles?: VanishedFiles;
  /**
   * The database's time zone (an IANA name): job-name timestamps, default file names and log dates are written in
   * it, as ORDS and Data Pump use the database's time. Default `UTC`.
   */
  dbTimeZone?: string;
  /** Exact size of every job log, generated lazily (for streaming tests); null: a short natural log. Default null. */
  logBytes?: number | null;
  /** Size of an export's dump file. Default 65536. */
  dumpBytes?: number;
  /**
   * The `Content-Type` of a served dump file: `application/octet-stream`, or `application/vnd.tcpdump.pcap`, the
   * media type Oracle's file page gives dump files (24.3; realities §6). Default `application/octet-stream`.
   */
  dumpMediaType?: DumpMediaType;
  /**
   * The ORDS release played (`19.4`, `22.3.1`, …; 19 or later), with each difference Oracle documents between
   * releases: before 21 POST `jobs/` takes only EXPORT (400 otherwise); before 22.3 POST `export` has no `file_name`
   * and `credential_name`, and POST `import` no `credential_name` (before 21.3 POST `jobs/` neither); before 25.4 no
   * call has `keep_master`. A member the release lacks is dropped like an unknown one (refused under `strict`).
   * `metadata-catalog/openapi.json` describes the release. Default `25.4` (every behaviour modelled).
   */
  ordsVersion?: string;
  /**
   * Serve any file name asked of an existing job (a short fake body), not only the job's own files: an ORDS that
   * does not check the name, to prove a client of it does. Default false.
   */
  serveAnyFile?: boolean;
  /**
   * How create bodies are checked:
   * - `documented`: what ORDS documents (and is observed) to accept: unknown members are dropped silently, no
   *   upper-case rule, no list or `threads` caps; only documented enums, types and required members are checked;
   * - `strict`: the upstream contract's request schemas as they were when this option was added (unknown members,
   *   lower-case identifiers, list and `threads` caps all refused); a frozen copy, so it does not loosen with
   *   `openapi/ords.yaml`;
   * - `off`: only what is needed to build a job (benchmarks).
   * `true` and `false` are the old spellings of `strict` and `off`. Default `documented`.
   */
  validate?: ValidateMode | boolean;
  /** Page size of `GET jobs/` without `limit`. Default 25. */
  defaultLimit?: number;
  /** Largest page size applied, whatever `limit` asks (ORDS's `misc.pagination.maxRows`). Default 10000. */
  maxLimit?: number;
  /**
   * Paging parameters of `GET jobs/` the emulator does not read, to play an ORDS that ignores them (how a client,
   * e.g. `verify-upstream`, copes): with `limit` every page is `defaultLimit` long; with `offset` every page starts
   * at the first job, and its `next` link (still written) leads to the first page again. An ignored parameter is
   * not checked either (no 400). The answer's `limit` and `offset` say what was applied. Default `[]`.
   */
  ignorePaging?: PagingParam[];
  /** Largest request body read. Default 4 MiB. */
  bodyLimitBytes?: number;
  /** Faults active from the start. Default none. */
  faults?: Fault[];
  /** Seed of the PRNG behind fault `fraction`s. Default 1. */
  faultSeed?: number;
  /** How many of the latest ORDS requests `/__emulator/requests` keeps; 0 records nothing. Default 1000. */
  recordRequests?: number;
  /**
   * Serve HTTPS (ORDS behind TLS): the server certificate and key (PEM text), and with `ca` also ask every client for
   * a certificate and refuse the connection of one without a certificate that CA issued (mutual TLS). The links it
   * writes then start with `https://`. Default null (plain HTTP).
   */
  tls?: EmulatorTls | null;
  /** Source of "now". Default the system clock. */
  clock?: Clock;
  /** Source of ECIDs and tokens. Default random. */
  ids?: IdSource;
}

export type ResolvedOptions = Readonly<Required<Omit<EmulatorOptions, 'faults' | 'validate' | 'ignorePaging'>>> & {
  readonly faults: readonly Fault[];
  readonly ignorePaging: readonly PagingParam[];
  readonly validate: ValidateMode;
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
  lifecycle: 'dropped',
  completedVisibleMs: 1000,
  retainFinishedMs: null,
  failWhenFileNameContains: null,
  completeWithErrorsWhenFileNameContains: null,
  vanishedFiles: 'gone',
  dbTimeZone: 'UTC',
  logBytes: null,
  dumpBytes: 65536,
  dumpMediaType: 'application/octet-stream',
  ordsVersion: DEFAULT_ORDS_VERSION,
  serveAnyFile: false,
  validate: 'documented',
  defaultLimit: 25,
  maxLimit: 10000,
  ignorePaging: [],
  bodyLimitBytes: 4 * 1024 * 1024,
  faults: [],
  faultSeed: 1,
  recordRequests: 1000,
  tls: null,
} as const satisfies Omit<EmulatorOptions, 'clock' | 'ids'>;

const assertOptions: (value: unknown) => asserts value is EmulatorOptions = schemaAsserter<EmulatorOptions>(
  optionsSchema,
  'emulator options',
);

/** `true`/`false` are the spellings of `validate` from before the modes: today's strict checks, and none. */
function validateMode(value: ValidateMode | boolean | undefined): ValidateMode {
  if (value === true) return 'strict';
  if (value === false) return 'off';
  return value ?? DEFAULT_OPTIONS.validate;
}

/** Checks `options` (throwing one Error that lists every problem) and fills in the defaults. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const { clock, ids, ...data } = options;
  // Drop explicit `undefined`s so "not given" and "given as undefined" mean the same.
  const defined: unknown = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  assertOptions(defined);
  checkTimeZone(defined.dbTimeZone ?? DEFAULT_OPTIONS.dbTimeZone);
  const versionProblem = defined.ordsVersion === undefined ? undefined : ordsVersionProblem(defined.ordsVersion);
  if (versionProblem) throw new Error(`emulator options: ${versionProblem}`);
  return Object.freeze({
    ...DEFAULT_OPTIONS,
    ...defined,
    // `retainFinishedMs` folds into the dropped lifecycle's COMPLETED moment unless that is given itself.
    completedVisibleMs: defined.completedVisibleMs ?? defined.retainFinishedMs ?? DEFAULT_OPTIONS.completedVisibleMs,
    validate: validateMode(defined.validate),
    users: { ...(defined.users ?? DEFAULT_OPTIONS.users) },
    clients: { ...(defined.clients ?? DEFAULT_OPTIONS.clients) },
    faults: [...(defined.faults ?? [])],
    ignorePaging: Object.freeze([...(defined.ignorePaging ?? [])]),
    clock: clock ?? systemClock(),
    ids: ids ?? randomIds(),
  }) as ResolvedOptions;
}
