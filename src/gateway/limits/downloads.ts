/**
 * @module Download limits: how many files a tenant may download at once, and how slowly a download may be read.
 *
 * - **Concurrent downloads per tenant** (`limits.concurrent_downloads`, all databases together), counted in this
 *   process (a replica counts its own: the cap bounds what one tenant can hold of *this* process's download
 *   connections, which is what it protects). Beyond it `429 rate-limited` with `Retry-After`, before ORDS is
 *   called. A slot is released once the response closes, whatever way: finished, failed, cut, or the client
 *   gone. The cap is read per request, so a reload applies to the next download.
 * - **Pace** (`databases.<name>.timeouts.file_idle_ms`, `file_min_bytes_per_second`): what is measured is
 *   the bytes the client actually takes (what passes to the response, which backpressure from a client that
 *   does not read holds back), and only while the client is what holds the download back (the response is
 *   full, or was during the window). A download is cut when its client has taken nothing for `fileIdleMs`, or
 *   when over a window of `fileIdleMs` it took less than `fileMinBytesPerSecond` on average (0: only the idle
 *   check). An ORDS that pauses is not the client's fault: undici's body timeout (`fileIdleMs` between chunks)
 *   covers that, and a slow ORDS is not cut here.
 */
import { Transform, type TransformCallback } from 'node:stream';

import type { TenantConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';

/** What a tenant over its download cap is told to wait: downloads last long, so a second would be too eager. */
export const DOWNLOAD_RETRY_AFTER_SECONDS = 5;

export interface DownloadLimits {
  /**
   * Takes one of the tenant's download slots, or throws `429 rate-limited` when all of them are in use.
   * Returns the release (idempotent): call it when the response closes.
   */
  acquire(tenant: TenantConfig): () => void;
  /** The tenant's downloads in progress in this process. */
  active(tenantId: string): number;
}

export function createDownloadLimits(): DownloadLimits {
  const active = new Map<string, number>();
  return {
    acquire(tenant) {
      const cap = tenant.limits.concurrentDownloads;
      const running = active.get(tenant.id) ?? 0;
      if (running >= cap) {
        throw new GatewayError('rate-limited', {
          detail: `The tenant may download at most ${cap} file${cap === 1 ? '' : 's'} at once, and ${running} ${
            running === 1 ? 'is' : 'are'
          } in progress; try again once one has finished.`,
          headers: { 'Retry-After': String(DOWNLOAD_RETRY_AFTER_SECONDS) },
          logContext: { limit: 'concurrent_downloads', cap, running },
        });
      }
      active.set(tenant.id, running + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (active.get(tenant.id) ?? 1) - 1;
        if (left > 0) active.set(tenant.id, left);
        else active.delete(tenant.id);
      };
    },
    active: (tenantId) => active.get(tenantId) ?? 0,
  };
}

export interface PaceLimits {
  /** Longest time the client may take nothing (while the download waits for it). */
  readonly idleMs: number;
  /** Least average rate over each `idleMs` window (while the download waits for the client); 0 for no check. */
  readonly minBytesPerSecond: number;
}

export interface PaceCut {
  readonly reason: 'idle' | 'slow';
  /** Bytes the client took in all. */
  readonly bytes: number;
  /** For `slow`: the rate over the window that was too slow (bytes per second). */
  readonly bytesPerSecond?: number;
  readonly windowMs: number;
}

/** What the pace check watches: the response's backpressure. `http.ServerResponse` is one. */
export interface PacedResponse {
  readonly writableNeedDrain: boolean;
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

export interface PaceGuard {
  /** Put between the ORDS body and the response: it counts what the client takes. */
  readonly meter: Transform;
  /** Bytes that passed to the response so far. */
  bytes(): number;
  /** Stops watching: call it once the download ended, whatever way. */
  stop(): void;
}

/**
 * Watches one download's pace; calls `onCut` once (and stops) when the client is too slow. The caller destroys
 * what must be destroyed (the response and the ORDS body) and logs. `now` is monotonic milliseconds.
 */
export function paceGuard(
  res: PacedResponse,
  limits: PaceLimits,
  onCut: (cut: PaceCut) => void,
  now: () => number = () => performance.now(),
): PaceGuard {
  const { idleMs, minBytesPerSecond } = limits;
  let total = 0;
  let lastProgress = now();
  let windowStart = lastProgress;
  let windowBytes = 0;
  /** Whether the client held the download back at some time during the current window. */
  let heldBack = false;
  const onDrain = () => {
    heldBack = true; // a drain follows a full response: the client was behind
  };
  res.on('drain', onDrain);

  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      total += chunk.length;
      lastProgress = now();
      callback(null, chunk);
    },
  });

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(ticker);
    res.off('drain', onDrain);
  };

  const check = () => {
    const at = now();
    const waiting = res.writableNeedDrain; // the response is full: the download waits for its client
    if (waiting && at - lastProgress >= idleMs) {
      stop();
      onCut({ reason: 'idle', bytes: total, windowMs: idleMs });
      return;
    }
    if (at - windowStart < idleMs) return;
    const rate = ((total - windowBytes) * 1000) / (at - windowStart);
    const clientBound = heldBack || waiting;
    windowStart = at;
    windowBytes = total;
    heldBack = false;
    if (minBytesPerSecond > 0 && clientBound && rate < minBytesPerSecond) {
      stop();
      onCut({ reason: 'slow', bytes: total, bytesPerSecond: Math.round(rate), windowMs: idleMs });
    }
  };
  // A few checks per window: an idle client is cut within about a quarter window of `idleMs`.
  const ticker = setInterval(check, Math.max(10, Math.floor(idleMs / 4)));
  ticker.unref();

  return { meter, bytes: () => total, stop };
}
