// The StateStore contract, one suite run against every backend (memory, SQLite, PostgreSQL).
import { afterEach, beforeEach, describe } from 'vitest';

import type { StateStore } from '../../../src/gateway/store/types.js';
import { adminCases } from './suite-admin.js';
import { auditCases } from './suite-audit.js';
import { claimCases } from './suite-claim.js';
import { completeCases } from './suite-complete.js';
import { provenanceCases } from './suite-provenance.js';
import { registryCases } from './suite-registry.js';
import { watchCases } from './suite-watch.js';

export type StoreFactory = () => Promise<{ store: StateStore; cleanup(): Promise<void> }>;

/** Registers the contract's tests; each test gets a fresh store from `makeStore` and cleans it up after. */
export function describeStateStore(name: string, makeStore: StoreFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    let store: StateStore | undefined;
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
    registryCases(current);
    claimCases(current);
    completeCases(current);
    auditCases(current);
    provenanceCases(current);
    watchCases(current);
    adminCases(current);
  });
}
