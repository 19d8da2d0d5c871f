/** @module Deep freeze: holders of a frozen value (a config snapshot, a test fixture) can rely on it never changing. */

/** Freezes `value` and everything reachable from it, in place; returns it. Already-frozen parts are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
