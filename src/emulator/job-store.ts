// The in-memory job table (DBA_DATAPUMP_JOBS): creation, jobs other tools started, lookup and when jobs leave it.
import type { Clock } from './clock.js';
import { type JobParams, type Operation, toJobParams } from './job-params.js';
import type { AddedJob, JobRecord, Outcome } from './job-state.js';
import { type AddedEnding, addedJobLog } from './log-text.js';
import { ADDRESSABLE_FILE_NAME, createJobNamer, defaultDumpPattern, firstDumpFile, logFileName } from './naming.js';
import { DEFAULT_OPTIONS, type Lifecycle, type VanishedFiles } from './options.js';
import { timeFormat } from './time-format.js';

export interface JobStoreOptions {
  clock: Clock;
  jobDurationMs: number;
  /** Default `dropped` (see the emulator's `lifecycle` option). */
  lifecycle?: Lifecycle;
  /** Default: `retainFinishedMs` when set, else 1000. */
  completedVisibleMs?: number;
  retainFinishedMs?: number | null;
  failWhenFileNameContains?: string | null;
  completeWithErrorsWhenFileNameContains?: string | null;
  /** Default `gone`. */
  vanishedFiles?: VanishedFiles;
  /** Default `UTC`. */
  dbTimeZone?: string;
}

/** A job as another tool (expdp, DBMS_DATAPUMP, SQL Developer) would have started it; see `/__emulator/jobs`. */
export interface AddedJobSpec {
  owner_name: string;
  job_name: string;
  /** Default `EXPORT`; any text (`SQL_FILE`, …). */
  operation?: string;
  /** Default `SCHEMA`; any text (`TRANSPORTABLE`, …). */
  job_mode?: string;
  /** Default `NOT RUNNING`; any text (`IDLING`, `STOP PENDING`, …). */
  state?: string;
  /** Default: `state`. */
  job_state?: string;
  degree?: number;
  attached_sessions?: number;
  /** Default 2 while `EXECUTING`, else 0. */
  datapump_sessions?: number;
  /** Space-pad `operation` and `job_mode` to 30 characters, as rows of kept control tables may show them. */
  pad?: boolean;
  /** The log's name (default `export.log`/`import.log`, expdp's); null: the job has no log. */
  log_file?: string | null;
  /** The log's text as served; default a short log whose last line follows `ending`. */
  log?: string;
  /** How the generated log ends; default from `state` (COMPLETED → successful, NOT RUNNING → fatal, STOPPED → stopped). */
  ending?: AddedEnding;
  /** Further file names the job serves (fake dump bytes). */
  files?: string[];
}

export interface JobStore {
  create(owner: string, operation: Operation, body: Record<string, unknown>): JobRecord;
  /** Adds jobs other tools started; all or none (throws, naming the problem, if a name is taken). */
  add(specs: readonly AddedJobSpec[]): JobRecord[];
  /** The job, unless it never existed or has dropped out. */
  find(owner: string, name: string): JobRecord | undefined;
  /** A job that has dropped out, kept only with `vanishedFiles: 'served'` (for its files). */
  findVanished(owner: string, name: string): JobRecord | undefined;
  /** Visible jobs `offset`…`offset + limit` in creation order, and how many are visible in all. */
  page(offset: number, limit: number): { jobs: JobRecord[]; total: number };
  /** Every visible job in creation order (a copy). */
  visible(): JobRecord[];
  clear(): void;
}

/** A binary min-heap of jobs by `goneAt`: jobs no longer leave in creation order (kept, failed, keep_master). */
function createDropQueue() {
  const heap: JobRecord[] = [];
  const less = (a: number, b: number) => heap[a]!.goneAt < heap[b]!.goneAt;
  const swap = (a: number, b: number) => {
    [heap[a], heap[b]] = [heap[b]!, heap[a]!];
  };
  return {
    push(job: JobRecord): void {
      heap.push(job);
      // Jobs of one lifetime arrive in goneAt order, so this loop usually stops at once.
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!less(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    },
    /** The earliest job if it is gone at `now`, removed from the queue. */
    popGone(now: number): JobRecord | undefined {
      if (heap.length === 0 || heap[0]!.goneAt > now) return undefined;
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && less(l, m)) m = l;
          if (r < heap.length && less(r, m)) m = r;
          if (m === i) break;
          swap(i, m);
          i = m;
        }
      }
      return top;
    },
    clear(): void {
      heap.length = 0;
    },
  };
}

const pad30 = (text: string) => text.padEnd(30, ' ');

export function createJobStore(input: JobStoreOptions): JobStore {
  const options = {
    lifecycle: input.lifecycle ?? DEFAULT_OPTIONS.lifecycle,
    completedVisibleMs: input.completedVisibleMs ?? input.retainFinishedMs ?? DEFAULT_OPTIONS.completedVisibleMs,
    retainFinishedMs: input.retainFinishedMs ?? null,
    failWhen: input.failWhenFileNameContains ?? null,
    errorsWhen: input.completeWithErrorsWhenFileNameContains ?? null,
    keepVanished: (input.vanishedFiles ?? DEFAULT_OPTIONS.vanishedFiles) === 'served',
  };
  const { clock, jobDurationMs } = input;
  const format = timeFormat(input.dbTimeZone ?? DEFAULT_OPTIONS.dbTimeZone);
  const jobs = new Map<string, JobRecord>();
  const vanished = new Map<string, JobRecord>();
  const drops = createDropQueue();
  // Creation order, with the jobs that dropped out still in it until the next compaction: `head` skips a dead
  // prefix (the usual case: one lifetime for every job), `deadInside` counts the dead ones after it.
  let order: JobRecord[] = [];
  let head = 0;
  let deadInside = 0;
  let namer = createJobNamer(format);
  const key = (owner: string, name: string) => `${owner},${name}`;
  const alive = (job: JobRecord) => jobs.get(key(job.owner, job.name)) === job;

  function prune(): void {
    const now = clock.now();
    for (let job = drops.popGone(now); job; job = drops.popGone(now)) {
      const k = key(job.owner, job.name);
      if (jobs.get(k) !== job) continue;
      jobs.delete(k);
      deadInside += 1;
      if (options.keepVanished) vanished.set(k, job);
    }
  }

  /** Prunes, then makes `order.slice(head)` exactly the visible jobs. */
  function compact(): void {
    prune();
    while (deadInside > 0 && head < order.length && !alive(order[head]!)) {
      head += 1;
      deadInside -= 1;
    }
    if (deadInside > 0) {
      order = order.slice(head).filter(alive);
      head = 0;
      deadInside = 0;
    } else if (head > 1024 && head * 2 > order.length) {
      // Compact once the dead prefix dominates, so memory follows the visible jobs.
      order = order.slice(head);
      head = 0;
    }
  }

  function outcomeOf(params: JobParams): Outcome {
    const fileName = params.fileName ?? '';
    if (options.failWhen !== null && fileName.includes(options.failWhen)) return 'failure';
    if (options.errorsWhen !== null && fileName.includes(options.errorsWhen)) return 'errors';
    return 'success';
  }

  /** `keep_master` (ORDS 25.4+) chooses per job, except in the emulator-only `completed` lifecycle. */
  function fateOf(params: JobParams): Lifecycle {
    if (options.lifecycle === 'completed') return 'completed';
    if (params.keepMaster === 1) return 'kept';
    if (params.keepMaster === 0) return 'dropped';
    return options.lifecycle;
  }

  function goneAt(endsAt: number, outcome: Outcome, fate: Lifecycle): number {
    // Data Pump drops the control table of a job that completed; the job was visible while its processes lived.
    if (outcome !== 'failure' && fate === 'dropped') return endsAt + options.completedVisibleMs;
    return options.retainFinishedMs === null ? Infinity : endsAt + options.retainFinishedMs;
  }

  const taken = (owner: string) => (name: string) => jobs.has(key(owner, name)) || vanished.has(key(owner, name));

  function build(owner: string, params: JobParams, now: number): JobRecord {
    const name = namer.next(owner, params.operation, now, taken(owner));
    const isExport = params.operation === 'EXPORT';
    const dumpPattern = isExport ? (params.fileName ?? defaultDumpPattern(now, format)) : null;
    // Object-storage exports write to a bucket, not to a file the job URL could serve.
    const firstFile = dumpPattern && !params.credentialName ? firstDumpFile(dumpPattern) : null;
    const endsAt = now + jobDurationMs;
    const outcome = outcomeOf(params);
    const fate = fateOf(params);
    return {
      owner,
      name,
      params,
      createdAt: now,
      endsAt,
      outcome,
      fate,
      goneAt: goneAt(endsAt, outcome, fate),
      logFile: logFileName(params.operation, now, format),
      dumpPattern,
      dumpFiles: firstFile && ADDRESSABLE_FILE_NAME.test(firstFile) ? [firstFile] : [],
      startedText: format.oracleDate(now),
      endedText: format.oracleDate(endsAt),
    };
  }

  function buildAdded(spec: AddedJobSpec, now: number): JobRecord {
    const operation = spec.operation ?? 'EXPORT';
    const jobMode = spec.job_mode ?? 'SCHEMA';
    const state = spec.state ?? 'NOT RUNNING';
    const isImport = operation.trim().toUpperCase() === 'IMPORT';
    const ending: AddedEnding =
      spec.ending ??
      (state === 'COMPLETED'
        ? 'successful'
        : state === 'NOT RUNNING'
          ? 'fatal'
          : state === 'STOPPED'
            ? 'stopped'
            : 'none');
    const logFile = spec.log_file === undefined ? (isImport ? 'import.log' : 'export.log') : spec.log_file;
    const when = format.oracleDate(now);
    const added: AddedJob = {
      row: {
        operation: spec.pad ? pad30(operation) : operation,
        job_mode: spec.pad ? pad30(jobMode) : jobMode,
        state,
        job_state: spec.job_state ?? state,
        degree: spec.degree ?? 1,
        attached_sessions: spec.attached_sessions ?? 0,
        datapump_sessions: spec.datapump_sessions ?? (state === 'EXECUTING' ? 2 : 0),
      },
      log:
        spec.log ??
        addedJobLog({
          owner: spec.owner_name,
          name: spec.job_name,
          operation,
          jobMode,
          ending,
          startedText: when,
          endedText: when,
        }),
    };
    return {
      owner: spec.owner_name,
      name: spec.job_name,
      params: toJobParams(isImport ? 'IMPORT' : 'EXPORT', { job_mode: jobMode.trim() }),
      createdAt: now,
      endsAt: now,
      outcome: 'success',
      fate: 'completed',
      goneAt: Infinity, // until DELETE /__emulator/jobs
      logFile,
      dumpPattern: null,
      dumpFiles: [...(spec.files ?? [])],
      startedText: when,
      endedText: when,
      added,
    };
  }

  function insert(job: JobRecord): void {
    const k = key(job.owner, job.name);
    vanished.delete(k);
    jobs.set(k, job);
    order.push(job);
    if (job.goneAt !== Infinity) drops.push(job);
  }

  return {
    create(owner, operation, body) {
      prune();
      const job = build(owner, toJobParams(operation, body), clock.now());
      insert(job);
      return job;
    },
    add(specs) {
      prune();
      const now = clock.now();
      const seen = new Set<string>();
      for (const spec of specs) {
        const k = key(spec.owner_name, spec.job_name);
        if (jobs.has(k) || seen.has(k)) throw new Error(`a job ${JSON.stringify(k)} already exists`);
        seen.add(k);
      }
      const added = specs.map((spec) => buildAdded(spec, now));
      for (const job of added) insert(job);
      return added;
    },
    find(owner, name) {
      prune();
      return jobs.get(key(owner, name));
    },
    findVanished(owner, name) {
      prune();
      return vanished.get(key(owner, name));
    },
    page(offset, limit) {
      compact();
      const start = head + offset;
      return { jobs: order.slice(start, start + limit), total: order.length - head };
    },
    visible() {
      compact();
      return order.slice(head);
    },
    clear() {
      jobs.clear();
      vanished.clear();
      drops.clear();
      order = [];
      head = 0;
      deadInside = 0;
      namer = createJobNamer(format); // a cleared table frees every name again
    },
  };
}
