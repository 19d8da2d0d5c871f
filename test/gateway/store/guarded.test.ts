// guardStore: every role's failures become 503 store-unavailable; verdicts (GatewayError, JobOwnedElsewhereError) pass.
import { describe, expect, it, vi } from 'vitest';

import { GatewayError } from '../../../src/gateway/problems/gateway-error.js';
import { guardStore } from '../../../src/gateway/store/guarded.js';
import { createMemoryStore } from '../../../src/gateway/store/memory.js';
import { JobOwnedElsewhereError, type StateStore } from '../../../src/gateway/store/types.js';
import { completion, intent, job, OPEN_QUOTA, seed } from './fixtures.js';

const ROLES = ['registry', 'intents', 'audit', 'leases', 'retention', 'provenance', 'health'] as const;

/** A store of the memory store's shape whose every method fails with `fail()` (thrown synchronously). */
function failingStore(fail: () => unknown): { store: StateStore; methods: string[] } {
  const shape = createMemoryStore();
  const methods: string[] = [];
  const roles = Object.fromEntries(
    ROLES.map((role) => [
      role,
      Object.fromEntries(
        Object.keys(shape[role]).map((name) => {
          methods.push(`${role}.${name}`);
          return [
            name,
            () => {
              throw fail();
            },
          ];
        }),
      ),
    ]),
  );
  return { store: { ...roles, close: async () => undefined } as unknown as StateStore, methods };
}

const call = (store: StateStore, path: string): Promise<unknown> => {
  const [role, name] = path.split('.') as [keyof StateStore, string];
  return (store[role] as unknown as Record<string, () => Promise<unknown>>)[name]!();
};

describe('guardStore', () => {
  it('turns any failure of any method of any role into 503 store-unavailable with Retry-After, cause kept', async () => {
    const cause = new Error('SQLITE_IOERR: disk I/O error');
    const { store, methods } = failingStore(() => cause);
    // registry 8, intents 7, audit 3, leases 2, retention 1, provenance 3, health 1
    expect(methods).toHaveLength(25);
    const guarded = guardStore(store);
    for (const path of methods) {
      const err = await call(guarded, path).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(GatewayError);
      expect(err, path).toMatchObject({
        slug: 'store-unavailable',
        status: 503,
        headers: { 'Retry-After': '5' },
        logContext: { storeError: 'SQLITE_IOERR: disk I/O error' },
        cause,
      });
    }
    const stringly = guardStore(failingStore(() => 'not an Error').store);
    await expect(stringly.health.ping()).rejects.toMatchObject({ logContext: { storeError: 'not an Error' } });
  });

  it('passes JobOwnedElsewhereError through unchanged: the store answered, it did not fail', async () => {
    const store = guardStore(createMemoryStore());
    await seed(store, job({ tenant: 'hr-team' }));
    const theirs = intent({ tenant: 'sales-team' });
    await store.intents.claim(theirs, OPEN_QUOTA);
    const err = await store.intents
      .complete(theirs.id, completion(job({ tenant: 'sales-team' })))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobOwnedElsewhereError);
    expect(err).toMatchObject({ owner: 'hr-team', job: { jobName: 'EXPORT_HR_1' } });
  });

  it('passes a GatewayError through as the same instance', async () => {
    const verdict = new GatewayError('quota-exceeded', { detail: 'already decided' });
    await expect(guardStore(failingStore(() => verdict).store).intents.claim(intent(), OPEN_QUOTA)).rejects.toBe(
      verdict,
    );
  });

  it('returns what the backend returns, calls it with its own `this`, and leaves close to the backend', async () => {
    class Registry {
      private readonly owner = 'HR';
      async owners(database: string) {
        return [`${this.owner}@${database}`];
      }
    }
    const memory = createMemoryStore();
    const close = vi.fn(async () => undefined);
    const store = guardStore({ ...memory, registry: new Registry() as unknown as StateStore['registry'], close });
    expect(await store.registry.owners('orcl')).toEqual(['HR@orcl']);
    expect(await store.leases.tryLease('l', 'me', 1_000, '2025-01-01T00:00:00.000Z')).toBe(true);
    await store.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
