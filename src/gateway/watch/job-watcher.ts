/**
 * @module The job watcher: one loop, one replica at a time (under the store's lease), that follows every job the
 * registry holds as unfinished with individual `GET`s of those jobs (documented on every ORDS release; the list's
 * paging is not), reads each running job's log tail as it goes (its last lines appear only at the end, and a
 * dropped job's log may go with it), and, when the job ends — a terminal state, or gone from ORDS — records the
 * final state, the outcome, the file list and the last 64 KiB of the log. Lists and quotas then read the
 * registry, on every replica, instead of ORDS's whole list.
 */
import type { Readable } from 'node:stream';

import type { Logger } from 'pino';
import type { Counter } from 'prom-client';

import type { ConfigSource, DatabaseConfig } from '../config/types.js';
import { endOf, isTerminalState } from '../jobs/outcome.js';
import { fileMediaType, jobFileNames } from '../jobs/public-job.js';
import type { JobRecord, JobRegistry, Leases, Provenance } from '../store/types.js';
import type { CallMeta, JobResult, OrdsPort } from '../upstream/ords-port.js';
import type { JobViews } from './job-views.js';

/** What is kept of a log: its end, where Data Pump writes how the job ended. */
export const LOG_TAIL_BYTES = 64 * 1024;
/** Most of an ended job's log read (its tail is what is kept; a log past this is read no further). */
const MAX_LOG_READ_BYTES = 256 * 1024 * 1024;
/**
 * Most of a running job's log read in one round. ORDS documents no range read, so a tail costs the whole log; a
 * running job's tail is only insurance (its end line comes when it ends), so a larger log is skipped until then
 * rather than read whole every `watch.interval_ms` for every running job.
 */
export const RUNNING_LOG_READ_BYTES = 4 * 1024 * 1024;
/** Unfinished jobs read from the registry per page (a round reads every page). */
export const BATCH = 500;
const LEASE = 'watch';

export interface JobWatcherDeps {
  readonly config: ConfigSource;
  readonly registry: JobRegistry;
  readonly leases: Leases;
  readonly provenance?: Pick<Provenance, 'record'>;
  readonly ords: OrdsPort;
  readonly logger: Logger;
  readonly now: () => Date;
  /** This process's name for the lease. */
  readonly holder: string;
  /** `datapump_gateway_jobs_finished_total{result,source}`. */
  readonly finished?: Counter<'result' | 'source'>;
  /** Polls of a job are answered from the watcher's read of it, and long-polls woken by what it records. */
  readonly views?: Pick<JobViews, 'seen' | 'changed'>;
}

export interface WatchSummary {
  readonly skipped: boolean;
  readonly looked: number;
  readonly finished: number;
  readonly failed: number;
}

export interface JobWatcher {
  /** One round over every unfinished job (under the lease). */
  runOnce(): Promise<WatchSummary>;
  /** The same for some jobs now, without the lease (a quota refresh: the tenant's own unfinished jobs). */
  look(records: readonly JobRecord[]): Promise<void>;
  /**
   * One job, from a read the caller already made (a poll that saw the job end or vanish): no second ORDS call for
   * the job, only for its log. Resolves with the record as it is now.
   */
  settle(record: JobRecord, read: JobResult): Promise<JobRecord>;
  /** Runs now, then every `watch.interval_ms`; a failed round is logged and the next one tries again. */
  start(): { stop(): Promise<void> };
}

export function createJobWatcher(deps: JobWatcherDeps): JobWatcher {
  const meta: CallMeta = { requestId: `watch-${deps.holder}` };

  /** Follows one job one step: observed while it runs, finished once it ended. True when it finished. */
  async function lookAt(record: JobRecord): Promise<boolean> {
    const database = deps.config.current().databases[record.database];
    if (!database) return false; // a database taken out of the configuration: its jobs wait for it
    return settleWith(database, record, await deps.ords.getJob(database, record.ownerName, record.jobName, meta));
  }

  /** What one read of the job teaches: recorded as observed, or as finished (true). */
  async function settleWith(database: DatabaseConfig, record: JobRecord, read: JobResult): Promise<boolean> {
    const at = deps.now().toISOString();
    if (read.kind === 'not-modified') return false; // nothing was asked conditionally; nothing to learn
    const files = read.kind === 'job' ? jobFileNames(read.job) : record.files;
    const running = read.kind === 'job' && !isTerminalState(read.job.state);
    const logTail = (await readLogTail(database, record, files, running)) ?? record.logTail;
    const end = endOf({
      ordsState: read.kind === 'job' ? read.job.state : undefined,
      logTail,
      timeZone: database.timeZone,
    });
    if (!end) {
      const seen = {
        state: read.kind === 'job' ? read.job.state.trim() : record.lastState,
        files: files ?? null,
        logTail,
        at,
      };
      await deps.registry.observe(database.name, record.ownerName, record.jobName, seen);
      const now = { ...record, lastState: seen.state, lastSeenAt: at, files: seen.files, logTail };
      deps.views?.seen(database.name, record.ownerName, record.jobName, { read, record: now });
      deps.views?.changed(database.name, record.ownerName, record.jobName);
      return false;
    }
    await deps.registry.finish(database.name, record.ownerName, record.jobName, {
      ...end,
      files: files ?? null,
      logTail,
      at,
    });
    // An export's dump files are its tenant's to import later (the import-provenance rule).
    if (deps.provenance && record.operation === 'EXPORT') {
      for (const file of (files ?? []).filter((f) => fileMediaType(f) !== 'text/plain')) {
        await deps.provenance.record({ tenant: record.tenant, database: database.name, name: file, at });
      }
    }
    // Kept reads carry the record before its end: dropped, so the next poll reads the ended record.
    deps.views?.changed(database.name, record.ownerName, record.jobName, true);
    deps.finished?.inc({ result: end.outcome.result, source: end.outcome.source });
    deps.logger.info(
      { tenant: record.tenant, database: database.name, job: `${record.ownerName},${record.jobName}`, ...end },
      'job ended',
    );
    return true;
  }

  /**
   * The log's last 64 KiB, or undefined when there is none to read (yet, or any more) or, for a running job, when
   * its log is larger than a round reads (what was kept stands).
   */
  async function readLogTail(
    database: DatabaseConfig,
    record: JobRecord,
    files: readonly string[] | null,
    running: boolean,
  ): Promise<string | undefined> {
    const log = files?.find((f) => fileMediaType(f) === 'text/plain');
    if (log === undefined) return undefined;
    const max = running ? RUNNING_LOG_READ_BYTES : MAX_LOG_READ_BYTES;
    try {
      // The file names were just read from ORDS (or recorded of a vanished job): no second read of the job.
      const file = await deps.ords.openFile(database, record.ownerName, record.jobName, log, meta, {
        knownFiles: new Set(files),
      });
      const length = Number(file.headers['content-length']);
      if (running && Number.isFinite(length) && length > max) {
        file.body.destroy();
        return undefined;
      }
      const { tail, whole } = await readTail(file.body, LOG_TAIL_BYTES, max);
      // A running log cut at `max` without its end: not its tail, so nothing to keep.
      return whole || !running ? tail : undefined;
    } catch {
      // The log cannot be had now (gone with the job, or ORDS failing): what was kept stands.
      return undefined;
    }
  }

  async function look(records: readonly JobRecord[]): Promise<{ finished: number; failed: number }> {
    let finished = 0;
    let failed = 0;
    for (const record of records) {
      try {
        if (await lookAt(record)) finished++;
      } catch (err) {
        failed++;
        deps.logger.warn(
          { err: String(err), job: `${record.ownerName},${record.jobName}`, database: record.database },
          'job watcher could not read a job; it tries again next round',
        );
      }
    }
    return { finished, failed };
  }

  async function runOnce(): Promise<WatchSummary> {
    const ttl = deps.config.current().watch.intervalMs * 3;
    const lease = () => deps.leases.tryLease(LEASE, deps.holder, ttl, deps.now().toISOString());
    if (!(await lease())) return { skipped: true, looked: 0, finished: 0, failed: 0 };
    let looked = 0;
    let finished = 0;
    let failed = 0;
    try {
      // Page by page after a cursor: jobs that never settle (a database taken out of the configuration, an ORDS
      // that keeps failing) must not keep the newer ones from being looked at.
      let page = await deps.registry.listUnfinished(BATCH);
      while (page.length > 0) {
        const round = await look(page);
        looked += page.length;
        finished += round.finished;
        failed += round.failed;
        if (page.length < BATCH) break;
        // Renewed between pages: a long round keeps the lease another replica would otherwise take mid-round.
        if (!(await lease())) break;
        page = await deps.registry.listUnfinished(BATCH, page[page.length - 1]);
      }
      return { skipped: false, looked, finished, failed };
    } finally {
      await deps.leases.releaseLease(LEASE, deps.holder).catch(() => {});
    }
  }

  return {
    runOnce,
    async look(records) {
      await look(records);
    },
    async settle(record, read) {
      const database = deps.config.current().databases[record.database];
      if (!database) return record;
      await settleWith(database, record, read);
      return (await deps.registry.find(record.database, record.ownerName, record.jobName)) ?? record;
    },
    start() {
      let running: Promise<unknown> | undefined;
      let stopped = false;
      const tick = () => {
        // A slow round is not piled up: the next starts only once this one is over.
        if (running || stopped) return;
        running = runOnce()
          .catch((err) => deps.logger.warn({ err: String(err) }, 'job watcher round failed'))
          .finally(() => {
            running = undefined;
          });
      };
      tick();
      const timer = setInterval(tick, deps.config.current().watch.intervalMs);
      timer.unref();
      return {
        async stop() {
          stopped = true;
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}

/** The last `keep` bytes of a stream (read up to `max`), as UTF-8 text starting at a whole character. */
export async function tailOf(body: Readable, keep: number, max: number): Promise<string> {
  return (await readTail(body, keep, max)).tail;
}

/** `tailOf`, and whether the stream ended before `max` (the tail is then the stream's own end). */
async function readTail(body: Readable, keep: number, max: number): Promise<{ tail: string; whole: boolean }> {
  let tail = Buffer.alloc(0);
  let read = 0;
  let whole = true;
  try {
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      read += bytes.length;
      tail = Buffer.concat([tail, bytes]);
      if (tail.length > keep) tail = tail.subarray(tail.length - keep);
      if (read >= max) {
        whole = false;
        break;
      }
    }
  } finally {
    body.destroy();
  }
  // Cut at a character boundary: skip UTF-8 continuation bytes at the start.
  let start = 0;
  while (start < tail.length && (tail[start]! & 0xc0) === 0x80) start++;
  return { tail: tail.subarray(start).toString('utf8'), whole };
}
