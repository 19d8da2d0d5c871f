/**
 * @module Any failure of the state store becomes 503 store-unavailable: never a job created the gateway cannot
 * record. Verdicts pass through as they are: a GatewayError, `JobOwnedElsewhereError` and `IntentStateConflictError`
 * (the store answered).
 */
import { GatewayError } from '../problems/gateway-error.js';
import { IntentStateConflictError, JobOwnedElsewhereError, type StateStore } from './types.js';

function unavailable(cause: unknown): GatewayError {
  return new GatewayError('store-unavailable', {
    detail: "The gateway's state store is unavailable; try again shortly.",
    headers: { 'Retry-After': '5' },
    logContext: { storeError: cause instanceof Error ? cause.message : String(cause) },
    cause,
  });
}

const ROLES = ['registry', 'intents', 'audit', 'leases', 'retention', 'provenance', 'health'] as const;

/** Every function of `role` (own or inherited, so a class instance works too), rejecting as the guard says. */
function guardRole<T extends object>(role: T): T {
  const guarded: Record<string, unknown> = {};
  for (let o: object | null = role; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object) {
    for (const name of Object.getOwnPropertyNames(o)) {
      const fn = (role as Record<string, unknown>)[name];
      if (name === 'constructor' || name in guarded || typeof fn !== 'function') continue;
      guarded[name] = async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => unknown).apply(role, args);
        } catch (cause) {
          const verdict =
            cause instanceof GatewayError ||
            cause instanceof JobOwnedElsewhereError ||
            cause instanceof IntentStateConflictError;
          throw verdict ? cause : unavailable(cause);
        }
      };
    }
  }
  return guarded as T;
}

/** The same store with every method of every role guarded; `close` is passed through (shutdown, not a request). */
export function guardStore(store: StateStore): StateStore {
  const roles = Object.fromEntries(ROLES.map((r) => [r, guardRole(store[r])])) as Pick<
    StateStore,
    (typeof ROLES)[number]
  >;
  return { ...roles, close: () => store.close() };
}
