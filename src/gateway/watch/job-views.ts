/**
 * @module What polls of one job are answered from: this replica's last ORDS read of the job (the watcher's, or one
 * poll's, shared by every concurrent poll of it) within `watch.fresh_ms`, and the wake-ups of long-polls waiting for
 * the job to change — at once for a change recorded on this replica, and within `watch.change_check_ms` for one
 * another replica recorded in the shared store. So ORDS is read about once per job per window, however many
 * clients poll it.
 */
import { LRUCache } from 'lru-cache';

import type { JobRecord, JobRegistry } from '../store/types.js';
import type { JobResult } from '../upstream/ords-port.js';

/** Reads and waits kept for at most this many jobs (each entry is one ORDS job item, a few hundred bytes). */
const MAX_JOBS = 10_000;

/** One read of the job from ORDS, with the registry's record as it was when the read was made. */
export interface JobView {
  readonly read: JobResult;
  readonly record: JobRecord | undefined;
}

/** How a wait ended. */
export type WaitEnd = 'changed' | 'timeout' | 'closing' | 'aborted';

export interface JobViewsDeps {
  /** The store's record of a job (for changes other replicas recorded). */
  readonly registry: Pick<JobRegistry, 'find'>;
  /** `watch.fresh_ms` and `watch.change_check_ms`, read on every use (a reload may change them). */
  readonly settings: () => { readonly freshMs: number; readonly changeCheckMs: number };
  /** Milliseconds (monotonic where it matters: only differences are used). */
  readonly clock: () => number;
  /** A failed store read while waiting: logged by the caller; the wait goes on. */
  readonly onCheckError?: (err: unknown) => void;
}

export interface JobViews {
  /** This replica's read of the job made at most `fresh_ms` ago, if any (never with `fresh_ms` 0). */
  fresh(database: string, owner: string, job: string): JobView | undefined;
  /**
   * The job as `fetch` reads it, one read at a time per job: polls arriving while a read is in flight share it
   * (`own` false). Kept for `fresh_ms`. With `fresh_ms` 0 every call reads (the pre-window behaviour).
   */
  read(
    database: string,
    owner: string,
    job: string,
    record: JobRecord | undefined,
    fetch: (signal: AbortSignal) => Promise<JobResult>,
    signal: AbortSignal,
  ): Promise<JobView & { readonly own: boolean }>;
  /** A read the caller made itself (the watcher's round): polls within the window are answered from it. */
  seen(database: string, owner: string, job: string, view: JobView): void;
  /**
   * The job's record changed on this replica (a state written, an end recorded): its kept read is dropped when
   * `drop` (the record it carries is out of date), and waiting polls look again now.
   */
  changed(database: string, owner: string, job: string, drop?: boolean): void;
  /** Runs `work` once per job at a time: concurrent callers share its result (settling one job's end). */
  once<T>(database: string, owner: string, job: string, work: () => Promise<T>): Promise<T>;
  /**
   * Resolves when the job changes (`changed` here, or the store's record of it moves), after `ms`, when `signal`
   * aborts, or at once on shutdown (`close`).
   */
  waitForChange(
    database: string,
    owner: string,
    job: string,
    since: JobRecord | undefined,
    ms: number,
    signal?: AbortSignal,
  ): Promise<WaitEnd>;
  /** How many polls are waiting now. */
  waiting(): number;
  /** Shutdown: every waiting poll is answered now, and later waits end at once. */
  close(): void;
}

interface Waiter {
  readonly wake: (end: WaitEnd) => void;
}

/** The long-polls waiting on one job, and the store check that serves them all. */
interface Group {
  readonly waiters: Set<Waiter>;
  /** What the store's record looked like when the first of them began (or at the last check). */
  fingerprint: string;
  timer: ReturnType<typeof setTimeout> | undefined;
  checking: boolean;
}

/** One job's key in this process's maps and caches (a NUL cannot be in a database, owner or job name). */
export const jobKeyOf = (database: string, owner: string, job: string) => `${database}\u0000${owner}\u0000${job}`;

/** What of a record tells a waiting poll to look again: any write the watcher or a poll makes moves one of these. */
export function recordFingerprint(record: JobRecord | undefined): string {
  if (!record) return '';
  return JSON.stringify([record.lastState, record.lastSeenAt, record.outcome, record.files]);
}

export function createJobViews(deps: JobViewsDeps): JobViews {
  const kept = new LRUCache<string, JobView & { at: number }>({ max: MAX_JOBS });
  /** A read in flight, and how many polls still want it: aborted once every one of them has gone away. */
  const inFlight = new Map<
    string,
    { result: Promise<JobView>; join(signal: AbortSignal): void; abandoned(): boolean }
  >();
  const running = new Map<string, Promise<unknown>>();
  const groups = new Map<string, Group>();
  let closed = false;

  function fresh(key: string): JobView | undefined {
    const { freshMs } = deps.settings();
    if (freshMs <= 0) return undefined;
    const entry = kept.get(key);
    if (!entry) return undefined;
    if (deps.clock() - entry.at >= freshMs) {
      kept.delete(key);
      return undefined;
    }
    return entry;
  }

  function wakeAll(key: string, end: WaitEnd): void {
    const group = groups.get(key);
    if (!group) return;
    for (const waiter of [...group.waiters]) waiter.wake(end);
  }

  /** One store read for every poll waiting on the job; looks again every `change_check_ms` while any waits. */
  function schedule(key: string, group: Group, database: string, owner: string, job: string): void {
    if (group.timer || closed) return;
    group.timer = setTimeout(() => {
      group.timer = undefined;
      if (group.waiters.size === 0 || group.checking) return;
      group.checking = true;
      deps.registry
        .find(database, owner, job)
        .then((record) => {
          const now = recordFingerprint(record);
          if (now !== group.fingerprint) {
            group.fingerprint = now;
            // Another replica recorded something: a kept read made with an older record goes. One made with this
            // very record (this replica's watcher round, which wrote it) stays, so nobody reads ORDS again for it.
            const entry = kept.peek(key);
            if (entry && recordFingerprint(entry.record) !== now) kept.delete(key);
            wakeAll(key, 'changed');
          }
        })
        .catch((err) => deps.onCheckError?.(err))
        .finally(() => {
          group.checking = false;
          if (group.waiters.size > 0) schedule(key, group, database, owner, job);
        });
    }, deps.settings().changeCheckMs);
  }

  return {
    fresh: (database, owner, job) => fresh(jobKeyOf(database, owner, job)),

    async read(database, owner, job, record, fetch, signal) {
      const key = jobKeyOf(database, owner, job);
      if (deps.settings().freshMs <= 0) return { read: await fetch(signal), record, own: true };
      const shared = inFlight.get(key);
      // A read every sharer gave up on is being aborted: a poll arriving now reads anew, not inheriting that abort.
      if (shared && !shared.abandoned()) {
        shared.join(signal);
        return { ...(await shared.result), own: false };
      }
      const controller = new AbortController();
      let wanted = 0;
      const join = (s: AbortSignal) => {
        if (s.aborted) return;
        wanted++;
        s.addEventListener('abort', () => --wanted === 0 && controller.abort(), { once: true });
      };
      join(signal);
      const result = (async (): Promise<JobView> => {
        const read = await fetch(controller.signal);
        const view = { read, record };
        kept.set(key, { ...view, at: deps.clock() });
        return view;
      })();
      const entry = { result, join, abandoned: () => controller.signal.aborted };
      inFlight.set(key, entry);
      try {
        return { ...(await result), own: true };
      } finally {
        // An abandoned read may settle after the read that replaced it began: that one stays.
        if (inFlight.get(key) === entry) inFlight.delete(key);
      }
    },

    seen(database, owner, job, view) {
      if (deps.settings().freshMs <= 0) return;
      kept.set(jobKeyOf(database, owner, job), { ...view, at: deps.clock() });
    },

    changed(database, owner, job, drop = false) {
      const key = jobKeyOf(database, owner, job);
      if (drop) kept.delete(key);
      wakeAll(key, 'changed');
    },

    async once(database, owner, job, work) {
      const key = jobKeyOf(database, owner, job);
      const current = running.get(key);
      if (current) return (await current) as Awaited<ReturnType<typeof work>>;
      const started = work();
      running.set(key, started);
      try {
        return await started;
      } finally {
        running.delete(key);
      }
    },

    waitForChange(database, owner, job, since, ms, signal) {
      if (closed) return Promise.resolve('closing');
      if (signal?.aborted) return Promise.resolve('aborted');
      if (ms <= 0) return Promise.resolve('timeout');
      const key = jobKeyOf(database, owner, job);
      let group = groups.get(key);
      if (!group) {
        group = { waiters: new Set(), fingerprint: recordFingerprint(since), timer: undefined, checking: false };
        groups.set(key, group);
      }
      const g = group;
      return new Promise<WaitEnd>((resolve) => {
        const onAbort = () => waiter.wake('aborted');
        const timer = setTimeout(() => waiter.wake('timeout'), ms);
        const waiter: Waiter = {
          wake(end) {
            if (!g.waiters.delete(waiter)) return;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            if (g.waiters.size === 0) {
              if (g.timer) clearTimeout(g.timer);
              g.timer = undefined;
              if (groups.get(key) === g) groups.delete(key);
            }
            resolve(end);
          },
        };
        g.waiters.add(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
        schedule(key, g, database, owner, job);
      });
    },

    waiting() {
      let n = 0;
      for (const g of groups.values()) n += g.waiters.size;
      return n;
    },

    close() {
      closed = true;
      for (const key of [...groups.keys()]) wakeAll(key, 'closing');
    },
  };
}
