// The in-memory job store against the shared JobStore contract.
import { createMemoryJobStore } from '../../../src/gateway/jobs/memory-store.js';
import { describeJobStore } from './store-suite.js';

describeJobStore('memory', async () => {
  const store = createMemoryJobStore();
  return { store, cleanup: () => store.close() };
});
