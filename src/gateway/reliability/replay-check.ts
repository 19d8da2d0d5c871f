/** @module Tells the rate limiter which creates are replays: a replay starts nothing, so it spends no budget. */
import type { Request } from 'express';

import type { JobStore } from '../jobs/store.js';
import { requestContext } from '../middleware/request-context.js';
import { idempotencyKey } from './idempotency-key.js';

export function replayOf(jobs: JobStore, now: () => Date) {
  return async function isReplay(req: Request, kind: 'create' | 'read'): Promise<boolean> {
    const key = kind === 'create' ? idempotencyKey(req.headers['idempotency-key']) : undefined;
    const tenant = requestContext(req).caller?.tenant.id;
    if (key === undefined || tenant === undefined) return false;
    try {
      const intent = await jobs.getIntent(tenant, key);
      return intent?.state === 'created' && intent.expiresAt > now().toISOString();
    } catch {
      return false; // the route will meet the same failure and answer it
    }
  };
}
