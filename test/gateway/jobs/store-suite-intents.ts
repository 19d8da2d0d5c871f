// JobStore contract, part 3: the intent journal, idempotency keys and leases (same suite for every backend).
import { describe, expect, it } from 'vitest';

import type { Intent, JobStore } from '../../../src/gateway/jobs/store.js';
import { at } from './store-fixtures.js';

let n = 0;
export function intent(overrides: Partial<Intent> = {}): Intent {
  n += 1;
  return {
    id: `intent-${n}-${Math.random().toString(36).slice(2)}`,
    tenant: 'hr-team',
    principal: 'hr-team',
    database: 'orcl',
    idempotencyKey: 'key-1',
    fingerprint: 'f'.repeat(64),
    operation: 'EXPORT',
    jobMode: 'SCHEMA',
    canonicalRequest: { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] },
    requestId: 'req-1',
    state: 'pending',
    createdAt: at(1),
    updatedAt: at(1),
    expiresAt: at(50),
    job: null,
    answer: null,
    ...overrides,
  };
}

export function intentCases(current: () => JobStore): void {
  describe('intents and idempotency keys', () => {
    it('claims a key once per tenant: the second claim gets the first intent back and writes nothing', async () => {
      const store = current();
      const first = intent();
      expect(await store.claimIntent(first)).toEqual({ claimed: true });
      const second = await store.claimIntent(intent({ fingerprint: 'e'.repeat(64) }));
      expect(second).toEqual({ claimed: false, existing: first });
      expect(await store.getIntent('hr-team', 'key-1')).toEqual(first);
      // Another tenant's identical key is its own.
      expect(await store.claimIntent(intent({ tenant: 'sales-team' }))).toEqual({ claimed: true });
    });

    it('lets exactly one of many concurrent claims of one key win', async () => {
      const store = current();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.claimIntent(intent({ idempotencyKey: 'race' }))),
      );
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
    });

    it('replaces a claim whose key has expired', async () => {
      const store = current();
      await store.claimIntent(intent({ expiresAt: at(2) }));
      const later = intent({ createdAt: at(3), updatedAt: at(3), expiresAt: at(60) });
      expect(await store.claimIntent(later)).toEqual({ claimed: true });
      expect((await store.getIntent('hr-team', 'key-1'))!.id).toBe(later.id);
    });

    it('always writes an intent without a key (the journal of every create)', async () => {
      const store = current();
      expect(await store.claimIntent(intent({ idempotencyKey: null }))).toEqual({ claimed: true });
      expect(await store.claimIntent(intent({ idempotencyKey: null }))).toEqual({ claimed: true });
      expect(await store.listIntents(['pending'], at(99))).toHaveLength(2);
    });

    it('updates state, job and answer, and lists by state and age, oldest first', async () => {
      const store = current();
      const a = intent({ idempotencyKey: 'a', createdAt: at(2) });
      const b = intent({ idempotencyKey: 'b', createdAt: at(1) });
      await store.claimIntent(a);
      await store.claimIntent(b);
      const answer = { status: 201, headers: { ETag: '"x"' }, body: { job_name: 'J', links: [] } };
      await store.updateIntent(a.id, {
        state: 'created',
        updatedAt: at(4),
        job: { ownerName: 'PDBADMIN', jobName: 'J' },
        answer,
      });
      await store.updateIntent(b.id, { state: 'in-doubt', updatedAt: at(5) });
      expect(await store.getIntent('hr-team', 'a')).toEqual({
        ...a,
        state: 'created',
        updatedAt: at(4),
        job: { ownerName: 'PDBADMIN', jobName: 'J' },
        answer,
      });
      expect((await store.getIntent('hr-team', 'b'))!.job).toBeNull();
      expect((await store.listIntents(['in-doubt', 'pending'], at(9))).map((i) => i.id)).toEqual([b.id]);
      expect(await store.listIntents(['in-doubt'], at(1))).toEqual([]);
      await store.deleteIntent(b.id);
      expect(await store.getIntent('hr-team', 'b')).toBeUndefined();
    });

    it('purges settled intents whose key expired, and keeps the unsettled ones', async () => {
      const store = current();
      const settled = intent({ idempotencyKey: 's', expiresAt: at(3) });
      const doubtful = intent({ idempotencyKey: 'd', expiresAt: at(3), state: 'in-doubt' });
      await store.claimIntent(settled);
      await store.claimIntent(doubtful);
      await store.updateIntent(settled.id, { state: 'created', updatedAt: at(2) });
      await store.purgeOlderThan(at(10));
      expect(await store.getIntent('hr-team', 's')).toBeUndefined();
      expect(await store.getIntent('hr-team', 'd')).toBeDefined();
    });
  });

  describe('leases', () => {
    it('is held by one holder until it expires or is released', async () => {
      const store = current();
      expect(await store.tryLease('reconcile', 'a', 10_000, at(1))).toBe(true);
      expect(await store.tryLease('reconcile', 'b', 10_000, at(1, 5))).toBe(false);
      expect(await store.tryLease('reconcile', 'a', 10_000, at(1, 5))).toBe(true); // renewal
      await store.releaseLease('reconcile', 'b'); // not b's to release
      expect(await store.tryLease('reconcile', 'b', 10_000, at(1, 6))).toBe(false);
      await store.releaseLease('reconcile', 'a');
      expect(await store.tryLease('reconcile', 'b', 10_000, at(1, 6))).toBe(true);
      expect(await store.tryLease('reconcile', 'a', 10_000, at(3))).toBe(true); // b's expired
    });
  });
}
