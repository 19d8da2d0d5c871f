/** @module Periodically deletes job records and audit events older than their retention periods. */
import type { Provenance, Retention } from '../store/types.js';

type IntervalHandle = unknown;

export interface RetentionPurgeOptions {
  readonly store: Retention;
  /** What tenants' exports produced, kept for its own, longer period (`store.provenance_days`). */
  readonly provenance?: { readonly store: Pick<Provenance, 'purgeOlderThan'>; readonly keepMs: number };
  /** Finished job records created longer ago than this are deleted. */
  readonly retentionMs: number;
  /** Audit events longer ago than this are deleted (`store.audit_retention_days`); default `retentionMs`. */
  readonly auditRetentionMs?: number;
  /** How often to purge. */
  readonly intervalMs: number;
  /** Also purge once right away (e.g. at startup after a long downtime); default false. */
  readonly immediate?: boolean;
  readonly now?: () => Date;
  readonly onPurged?: (result: { jobs: number; audit: number; exports?: number; cutoff: string }) => void;
  /** Purge failures (store down) land here; the next tick tries again. Never thrown. */
  readonly onError?: (err: unknown) => void;
  readonly setInterval?: (fn: () => void, ms: number) => IntervalHandle;
  readonly clearInterval?: (handle: IntervalHandle) => void;
}

export interface RetentionPurge {
  /** Stops the timer; resolves once a purge already running has finished and been reported (never rejects). */
  stop(): Promise<void>;
}

export function startRetentionPurge({
  store,
  provenance,
  retentionMs,
  auditRetentionMs,
  intervalMs,
  immediate = false,
  now = () => new Date(),
  onPurged,
  onError,
  setInterval: schedule = (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: unschedule = (h) => globalThis.clearInterval(h as ReturnType<typeof globalThis.setInterval>),
}: RetentionPurgeOptions): RetentionPurge {
  if (!(Number.isFinite(retentionMs) && retentionMs > 0))
    throw new RangeError(`retentionMs must be > 0, got ${retentionMs}`);
  if (auditRetentionMs !== undefined && !(Number.isFinite(auditRetentionMs) && auditRetentionMs > 0))
    throw new RangeError(`auditRetentionMs must be > 0, got ${auditRetentionMs}`);
  if (!(Number.isFinite(intervalMs) && intervalMs > 0))
    throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);

  let running: Promise<void> | undefined;
  let stopped = false;
  const report = (err: unknown) => {
    try {
      onError?.(err);
    } catch {
      // A throwing error handler must not become an unhandled rejection that kills the gateway.
    }
  };

  const tick = () => {
    // A slow store must not pile up purges: skip the tick while the previous one still runs.
    if (running || stopped) return;
    running = (async () => {
      try {
        const at = now().getTime();
        const cutoff = new Date(at - retentionMs).toISOString();
        const result =
          auditRetentionMs === undefined
            ? await store.purgeOlderThan(cutoff)
            : await store.purgeOlderThan(cutoff, new Date(at - auditRetentionMs).toISOString());
        const exports = provenance
          ? await provenance.store.purgeOlderThan(new Date(at - provenance.keepMs).toISOString())
          : 0;
        onPurged?.({ ...result, ...(provenance ? { exports } : {}), cutoff });
      } catch (err) {
        report(err);
      } finally {
        running = undefined;
      }
    })();
  };

  const handle = schedule(tick, intervalMs);
  // The purge is housekeeping: it must never be what keeps the process alive.
  (handle as { unref?: () => void } | null)?.unref?.();
  if (immediate) tick();

  return {
    async stop() {
      if (!stopped) {
        stopped = true;
        unschedule(handle);
      }
      await running;
    },
  };
}
