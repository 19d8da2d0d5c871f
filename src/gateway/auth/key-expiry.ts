/** @module Which API keys expire soon: judged at /metrics scrape time from the config snapshot and the clock. */
import type { GatewayConfig } from '../config/types.js';

/** How far ahead /metrics looks: two weeks leaves time to hand a tenant a new key and move its clients. */
export const EXPIRING_SOON_MS = 14 * 86_400_000;

export interface ExpiringKey {
  readonly tenant: string;
  readonly keyId: string;
  readonly expiresAtMs: number;
}

/** Keys not yet expired at `nowMs` that will be within `withinMs` (an expired key is refused, not "soon"). */
export function keysExpiringSoon(config: GatewayConfig, nowMs: number, withinMs = EXPIRING_SOON_MS): ExpiringKey[] {
  const soon: ExpiringKey[] = [];
  for (const tenant of Object.values(config.tenants)) {
    for (const key of tenant.apiKeys) {
      const at = key.expiresAtMs;
      if (at !== null && at > nowMs && at - nowMs <= withinMs)
        soon.push({ tenant: tenant.id, keyId: key.id, expiresAtMs: at });
    }
  }
  return soon;
}
