/** @module Any failure of the job registry becomes 503 store-unavailable: never a job created the gateway cannot record. */
import { GatewayError } from '../problems/gateway-error.js';
import type { JobStore } from './store.js';

function unavailable(cause: unknown): GatewayError {
  return new GatewayError('store-unavailable', {
    detail: "The gateway's state store is unavailable; try again shortly.",
    headers: { 'Retry-After': '5' },
    logContext: { storeError: cause instanceof Error ? cause.message : String(cause) },
    cause,
  });
}

export function guardStore(store: JobStore): JobStore {
  const guarded = {} as Record<keyof JobStore, unknown>;
  for (const key of Object.keys(store) as (keyof JobStore)[]) {
    const fn = store[key] as (...args: unknown[]) => Promise<unknown>;
    guarded[key] = async (...args: unknown[]) => {
      try {
        return await fn.apply(store, args);
      } catch (cause) {
        throw cause instanceof GatewayError ? cause : unavailable(cause);
      }
    };
  }
  return guarded as JobStore;
}
