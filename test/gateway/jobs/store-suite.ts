// The JobStore contract, one suite run against every implementation (memory, SQLite, PostgreSQL).
import { afterEach, beforeEach, describe } from 'vitest';

import type { JobStore } from '../../../src/gateway/jobs/store.js';
import { intentCases } from './store-suite-intents.js';
import { recordAndListingCases } from './store-suite-listing.js';
import { stateAndAuditCases } from './store-suite-state.js';

export type StoreFactory = () => Promise<{ store: JobStore; cleanup(): Promise<void> }>;

/** Registers the contract's tests; each test gets a fresh store from `makeStore` and cleans it up after. */
export function describeJobStore(name: string, makeStore: StoreFactory): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await cleanup?.();
      store = undefined;
      cleanup = undefined;
    });
    const current = () => {
      if (!store) throw new Error('no store: makeStore failed in beforeEach');
      return store;
    };
    recordAndListingCases(current);
    stateAndAuditCases(current);
    intentCases(current);
  });
}
