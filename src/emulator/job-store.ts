// The in-memory job table (DBA_DATAPUMP_JOBS): creation, lookup and retention.
import type { Clock } from './clock.js';
import { type JobParams, type Operation, toJobParams } from './job-params.js';
import { isGone, type JobRecord } from './job-state.js';
import { ADDRESSABLE_FILE_NAME, createJobNamer, defaultDumpPattern, firstDumpFile, logFileName } from './naming.js';

export interface JobStoreOptions {
  clock: Clock;
  jobDurationMs: number;
  retainFinishedMs: number | null;
  failWhenFileNameContains: string | null;
}

export interface JobStore {
  create(owner: string, operation: Operation, body: Record<string, unknown>): JobRecord;
  /** The job, unless it never existed or has dropped out. */
  find(owner: string, name: string): JobRecord | undefined;
  /** Visible jobs `offset`…`offset + limit` in creation order, and how many are visible in all. */
  page(offset: number, limit: number): { jobs: JobRecord[]; total: number };
  /** Every visible job in creation order (a copy). */
  visible(): JobRecord[];
  clear(): void;
}

export function createJobStore(options: JobStoreOptions): JobStore {
  const jobs = new Map<string, JobRecord>();
  // Creation order. Every job runs equally long, so jobs that dropped out are always a prefix:
  // pruning advances `head`, and a page is a slice, however many jobs a benchmark created.
  let order: JobRecord[] = [];
  let head = 0;
  let namer = createJobNamer();
  const key = (owner: string, name: string) => `${owner},${name}`;

  function prune(): void {
    if (options.retainFinishedMs === null) return;
    const now = options.clock.now();
    while (head < order.length && isGone(order[head]!, now, options.retainFinishedMs)) {
      const job = order[head++]!;
      jobs.delete(key(job.owner, job.name));
    }
    // Compact once the dead prefix dominates, so memory follows the visible jobs.
    if (head > 1024 && head * 2 > order.length) {
      order = order.slice(head);
      head = 0;
    }
  }

  function build(owner: string, params: JobParams, now: number): JobRecord {
    const name = namer.next(owner, params.operation, now, (candidate) => jobs.has(key(owner, candidate)));
    const isExport = params.operation === 'EXPORT';
    const dumpPattern = isExport ? (params.fileName ?? defaultDumpPattern(now)) : null;
    // Object-storage exports write to a bucket, not to a file the job URL could serve.
    const firstFile = dumpPattern && !params.credentialName ? firstDumpFile(dumpPattern) : null;
    const trigger = options.failWhenFileNameContains;
    return {
      owner,
      name,
      params,
      createdAt: now,
      endsAt: now + options.jobDurationMs,
      fails: trigger !== null && (params.fileName ?? '').includes(trigger),
      logFile: logFileName(params.operation, now),
      dumpPattern,
      dumpFiles: firstFile && ADDRESSABLE_FILE_NAME.test(firstFile) ? [firstFile] : [],
    };
  }

  return {
    create(owner, operation, body) {
      prune();
      const job = build(owner, toJobParams(operation, body), options.clock.now());
      jobs.set(key(owner, job.name), job);
      order.push(job);
      return job;
    },
    find(owner, name) {
      prune();
      return jobs.get(key(owner, name));
    },
    page(offset, limit) {
      prune();
      const start = head + offset;
      return { jobs: order.slice(start, start + limit), total: order.length - head };
    },
    visible() {
      prune();
      return order.slice(head);
    },
    clear() {
      jobs.clear();
      order = [];
      head = 0;
      namer = createJobNamer(); // a cleared table frees every name again
    },
  };
}
