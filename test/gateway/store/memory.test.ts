// The in-memory state store against the shared StateStore contract.
import { createMemoryStore } from '../../../src/gateway/store/memory.js';
import { describeStateStore } from './suite.js';

describeStateStore('memory', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});
