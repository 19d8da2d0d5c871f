/** @module The accessor handed down through the app: holders ask for the current snapshot, a reload swaps it. */
import type { ConfigSource, GatewayConfig } from './types.js';

export interface SwappableConfigSource extends ConfigSource {
  /** Replaces the snapshot; requests already holding the old one finish with it. */
  swap(next: GatewayConfig): void;
}

export function createConfigSource(initial: GatewayConfig): SwappableConfigSource {
  let snapshot = initial;
  return Object.freeze({
    current: () => snapshot,
    swap(next: GatewayConfig): void {
      snapshot = next;
    },
  });
}
