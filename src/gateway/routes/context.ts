/** @module What every job route needs, handed down from the composition root, and small helpers they share. */
import type { Request, Response } from 'express';

import type { ConfigSource } from '../config/types.js';
import type { RequestContext } from '../middleware/request-context.js';
import { GatewayError } from '../problems/gateway-error.js';
import type { JobRegistry, Provenance } from '../store/types.js';
import type { OrdsPort } from '../upstream/ords-port.js';
import type { JobViews } from '../watch/job-views.js';
import type { JobWatcher } from '../watch/job-watcher.js';
import type { EndedJobs } from './ownership.js';

export interface RouteDeps {
  readonly config: ConfigSource;
  readonly ords: OrdsPort;
  readonly registry: JobRegistry;
  /** Remembers the dump files an export job lists (the import-provenance rule). */
  readonly provenance: Pick<Provenance, 'record'>;
  /** The job watcher's step for a job a poll saw end or vanish (watch/job-watcher.ts): recorded the same way. */
  readonly settle: JobWatcher['settle'];
  readonly now: () => Date;
  /** This replica's shared reads of jobs, and the long-polls waiting on them. */
  readonly views: JobViews;
  /** Ended jobs' records, kept in this process (they never change). */
  readonly ended: EndedJobs;
}

/** Fields every ORDS call carries: the correlation id and the trace context (the caller's, and the server span's). */
export function callMeta({
  requestId,
  traceparent,
  trace,
}: Pick<RequestContext, 'requestId' | 'traceparent' | 'trace'>) {
  return { requestId, ...(traceparent ? { traceparent } : {}), ...(trace ? { trace } : {}) };
}

/** Aborts the ORDS call of a read when the client goes away before its answer is complete. */
export function abortOnClose(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new GatewayError('not-found');
  return value;
}
