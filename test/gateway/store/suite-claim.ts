// StateStore contract, part 2: claims — idempotency keys, then quota — as one atomic step.
import { describe, expect, it } from 'vitest';

import type { ClaimResult, StateStore } from '../../../src/gateway/store/types.js';
import { at, completion, intent, job, OPEN_QUOTA, quota, seed } from './fixtures.js';

const outcomes = (results: readonly ClaimResult[]) => {
  const tally: Record<string, number> = {};
  for (const r of results) {
    const k = r.outcome === 'over-quota' ? `over-quota:${r.quota}:${r.count}` : r.outcome;
    tally[k] = (tally[k] ?? 0) + 1;
  }
  return tally;
};

export function claimCases(current: () => StateStore): void {
  describe('intents.claim: idempotency keys', () => {
    it('claims a key once per tenant: the second claim gets the first intent back and writes nothing', async () => {
      const store = current();
      const first = intent();
      expect(await store.intents.claim(first, OPEN_QUOTA)).toEqual({ outcome: 'claimed' });
      const second = intent({ fingerprint: 'e'.repeat(64) });
      expect(await store.intents.claim(second, OPEN_QUOTA)).toStrictEqual({ outcome: 'existing', existing: first });
      expect(await store.intents.get('hr-team', 'key-1')).toStrictEqual(first);
      expect((await store.intents.list(['pending'], at(99))).map((i) => i.id)).toEqual([first.id]);
      // Another tenant's identical key is its own.
      expect(await store.intents.claim(intent({ tenant: 'sales-team' }), OPEN_QUOTA)).toEqual({ outcome: 'claimed' });
    });

    it('round-trips every field, a null evidence token and a missing payload included', async () => {
      const store = current();
      const a = intent({ idempotencyKey: 'a', evidenceToken: null, canonicalRequest: undefined });
      const b = intent({ idempotencyKey: 'b', canonicalRequest: null, createdAt: at(1, 7) });
      await store.intents.claim(a, OPEN_QUOTA);
      await store.intents.claim(b, OPEN_QUOTA);
      expect(await store.intents.get('hr-team', 'a')).toStrictEqual(a);
      expect(await store.intents.get('hr-team', 'b')).toStrictEqual(b);
      expect(await store.intents.get('hr-team', 'c')).toBeUndefined();
    });

    it('lets exactly one of many concurrent claims of one key win; the others get the winner', async () => {
      const store = current();
      const claims = Array.from({ length: 20 }, () => intent({ idempotencyKey: 'race' }));
      const results = await Promise.all(claims.map((i) => store.intents.claim(i, OPEN_QUOTA)));
      expect(outcomes(results)).toEqual({ claimed: 1, existing: 19 });
      const winner = claims[results.findIndex((r) => r.outcome === 'claimed')];
      for (const r of results) if (r.outcome === 'existing') expect(r.existing).toStrictEqual(winner);
    });

    it('replaces a claim whose key has expired; intents without a key are always written', async () => {
      const store = current();
      const old = intent({ expiresAt: at(2) });
      await store.intents.claim(old, OPEN_QUOTA);
      const later = intent({ createdAt: at(3), updatedAt: at(3), expiresAt: at(60) });
      expect(await store.intents.claim(later, quota({ now: at(3) }))).toEqual({ outcome: 'claimed' });
      expect(await store.intents.get('hr-team', 'key-1')).toStrictEqual(later);
      expect(await store.intents.claim(intent({ idempotencyKey: null }), OPEN_QUOTA)).toEqual({ outcome: 'claimed' });
      expect(await store.intents.claim(intent({ idempotencyKey: null }), OPEN_QUOTA)).toEqual({ outcome: 'claimed' });
      expect((await store.intents.list(['pending'], at(99))).map((i) => i.id)).not.toContain(old.id);
      expect(await store.intents.list(['pending'], at(99))).toHaveLength(3);
    });

    it('checks the key before the quota: a replay is answered even when the tenant is at its limit', async () => {
      const store = current();
      const first = intent();
      await store.intents.claim(first, OPEN_QUOTA);
      const full = quota({ concurrentJobs: 1, jobsPerDay: 1 });
      expect(await store.intents.claim(intent(), full)).toStrictEqual({ outcome: 'existing', existing: first });
      expect(await store.intents.claim(intent({ idempotencyKey: 'other' }), full)).toEqual({
        outcome: 'over-quota',
        quota: 'concurrent_jobs',
        count: 1,
      });
      expect(await store.intents.get('hr-team', 'other')).toBeUndefined();
    });

    it('over quota writes nothing: an expired intent holding the key stays, no new intent appears', async () => {
      const store = current();
      const old = intent({ expiresAt: at(2) });
      await store.intents.claim(old, OPEN_QUOTA);
      await seed(store, job({ jobName: 'RUNNING' }));
      const refused = await store.intents.claim(intent({ createdAt: at(3) }), quota({ now: at(3), concurrentJobs: 1 }));
      expect(refused).toEqual({ outcome: 'over-quota', quota: 'concurrent_jobs', count: 1 });
      expect(await store.intents.get('hr-team', 'key-1')).toStrictEqual(old);
      expect((await store.intents.list(['pending'], at(99))).map((i) => i.id)).toEqual([old.id]);
    });
  });

  describe('intents.claim: quota', () => {
    it('40 concurrent claims with concurrentJobs 10: exactly 10 claimed, 30 over concurrent_jobs', async () => {
      const store = current();
      const claims = Array.from({ length: 40 }, (_, i) => intent({ idempotencyKey: `k${i}` }));
      const results = await Promise.all(claims.map((i) => store.intents.claim(i, quota({ concurrentJobs: 10 }))));
      expect(outcomes(results)).toEqual({ claimed: 10, 'over-quota:concurrent_jobs:10': 30 });
      expect(await store.intents.list(['pending'], at(99))).toHaveLength(10);
    });

    it('40 concurrent claims with jobsPerDay 10: exactly 10 claimed, 30 over daily_jobs', async () => {
      const store = current();
      const claims = Array.from({ length: 40 }, () => intent({ idempotencyKey: null }));
      const results = await Promise.all(claims.map((i) => store.intents.claim(i, quota({ jobsPerDay: 10 }))));
      expect(outcomes(results)).toEqual({ claimed: 10, 'over-quota:daily_jobs:10': 30 });
      expect(await store.intents.list(['pending'], at(99))).toHaveLength(10);
    });

    it('reserving intents (pending, in-doubt, quarantined) hold quota until they expire or are released', async () => {
      const store = current();
      const [p, d, q] = [
        intent({ idempotencyKey: 'p' }),
        intent({ idempotencyKey: 'd' }),
        intent({ idempotencyKey: 'q' }),
      ];
      for (const i of [p, d, q]) await store.intents.claim(i, OPEN_QUOTA);
      await store.intents.transition(d.id, { state: 'in-doubt', at: at(2) });
      await store.intents.transition(q.id, { state: 'quarantined', at: at(2) });
      const probe = (now: string, concurrentJobs: number) =>
        store.intents.claim(
          intent({ idempotencyKey: null, createdAt: now, expiresAt: at(100) }),
          quota({ now, concurrentJobs }),
        );
      const over = (count: number) => ({ outcome: 'over-quota', quota: 'concurrent_jobs', count });
      expect(await probe(at(49, 59_999), 3)).toEqual(over(3));
      // At their expiry (at(50)) they hold nothing: this probe is claimed, and holds a place itself until at(100).
      expect(await probe(at(50), 1)).toEqual({ outcome: 'claimed' });
      expect(await probe(at(10), 4)).toEqual(over(4));
      await store.intents.release(p.id);
      expect(await probe(at(10), 4)).toEqual({ outcome: 'claimed' });
      expect(await probe(at(10), 4)).toEqual(over(4));
    });

    it('settled intents do not count, their registry jobs do while unfinished (and towards the day always)', async () => {
      const store = current();
      const i = intent({ idempotencyKey: null });
      await store.intents.claim(i, OPEN_QUOTA);
      await store.intents.complete(i.id, completion(job({ jobName: 'CREATED' })));
      const r = intent({ idempotencyKey: null });
      await store.intents.claim(r, OPEN_QUOTA);
      await store.intents.complete(r.id, completion(job({ jobName: 'RECOVERED' }), { state: 'recovered' }));
      const probe = (limits: Parameters<typeof quota>[0]) =>
        store.intents.claim(intent({ idempotencyKey: null }), quota(limits));
      expect(await probe({ concurrentJobs: 2 })).toEqual({ outcome: 'over-quota', quota: 'concurrent_jobs', count: 2 });
      expect(await probe({ jobsPerDay: 2 })).toEqual({ outcome: 'over-quota', quota: 'daily_jobs', count: 2 });
      await store.registry.updateState('orcl', 'HR', 'CREATED', 'COMPLETED', at(3));
      await store.registry.updateState('orcl', 'HR', 'RECOVERED', 'NOT RUNNING', at(3));
      expect(await probe({ concurrentJobs: 1, jobsPerDay: 3 })).toEqual({ outcome: 'claimed' });
      expect(await probe({ jobsPerDay: 3 })).toEqual({ outcome: 'over-quota', quota: 'daily_jobs', count: 3 });
    });

    it('counts the day from dayStart inclusive, for registry jobs and reserving intents alike', async () => {
      const store = current();
      await seed(store, job({ jobName: 'AT_START', createdAt: at(0), lastState: 'COMPLETED' }));
      await seed(store, job({ jobName: 'BEFORE', createdAt: at(0, -1), lastState: 'COMPLETED' }));
      await store.intents.claim(intent({ idempotencyKey: 'a', createdAt: at(0) }), OPEN_QUOTA);
      await store.intents.claim(intent({ idempotencyKey: 'b', createdAt: at(0, -1) }), OPEN_QUOTA);
      const day = quota({ dayStart: at(0), jobsPerDay: 2 });
      expect(await store.intents.claim(intent({ idempotencyKey: 'c' }), day)).toEqual({
        outcome: 'over-quota',
        quota: 'daily_jobs',
        count: 2,
      });
      expect(await store.intents.claim(intent({ idempotencyKey: 'c' }), { ...day, jobsPerDay: 3 })).toEqual({
        outcome: 'claimed',
      });
    });

    it("another tenant's jobs and intents do not count; the first quota exceeded is the one reported", async () => {
      const store = current();
      await seed(store, job({ tenant: 'sales-team', ownerName: 'SH' }));
      await store.intents.claim(intent({ tenant: 'sales-team', idempotencyKey: null }), OPEN_QUOTA);
      const mine = quota({ concurrentJobs: 1, jobsPerDay: 1 });
      expect(await store.intents.claim(intent({ idempotencyKey: 'a' }), mine)).toEqual({ outcome: 'claimed' });
      expect(await store.intents.claim(intent({ idempotencyKey: 'b' }), mine)).toEqual({
        outcome: 'over-quota',
        quota: 'concurrent_jobs',
        count: 1,
      });
      expect(await store.intents.claim(intent({ idempotencyKey: 'b' }), { ...mine, concurrentJobs: 5 })).toEqual({
        outcome: 'over-quota',
        quota: 'daily_jobs',
        count: 1,
      });
      const db = { ...mine, concurrentJobs: 5, jobsPerDay: 5, databaseRunningJobs: 1 };
      expect(await store.intents.claim(intent({ idempotencyKey: 'b' }), db)).toEqual({
        outcome: 'over-quota',
        quota: 'database_running_jobs',
        count: 3,
      });
    });

    it("databaseRunningJobs counts every tenant's unfinished jobs and reserving intents on that database only", async () => {
      const store = current();
      await seed(store, job({ tenant: 'sales-team', ownerName: 'SH', jobName: 'RUNNING' }));
      await seed(store, job({ tenant: 'sales-team', ownerName: 'SH', jobName: 'DONE', lastState: 'COMPLETED' }));
      await seed(store, job({ tenant: 'dba-team', database: 'orcl2', jobName: 'ELSEWHERE' }));
      await store.intents.claim(intent({ tenant: 'dba-team', idempotencyKey: null }), OPEN_QUOTA);
      await store.intents.claim(intent({ tenant: 'dba-team', database: 'orcl2', idempotencyKey: null }), OPEN_QUOTA);
      const probe = (databaseRunningJobs?: number) =>
        store.intents.claim(intent({ idempotencyKey: null }), quota({ concurrentJobs: 5, databaseRunningJobs }));
      expect(await probe(2)).toEqual({ outcome: 'over-quota', quota: 'database_running_jobs', count: 2 });
      expect(await probe()).toEqual({ outcome: 'claimed' });
      expect(await probe(3)).toEqual({ outcome: 'over-quota', quota: 'database_running_jobs', count: 3 });
      expect(await probe(4)).toEqual({ outcome: 'claimed' });
    });

    it('40 concurrent claims of four tenants on one database with databaseRunningJobs 10: exactly 10 claimed', async () => {
      const store = current();
      const tenants = ['a', 'b', 'c', 'd'];
      const claims = Array.from({ length: 40 }, (_, i) => intent({ tenant: tenants[i % 4], idempotencyKey: null }));
      const limits = quota({ concurrentJobs: 100, databaseRunningJobs: 10 });
      const results = await Promise.all(claims.map((i) => store.intents.claim(i, limits)));
      expect(outcomes(results)).toEqual({ claimed: 10, 'over-quota:database_running_jobs:10': 30 });
    });
  });
}
