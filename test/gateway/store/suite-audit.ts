// StateStore contract, part 4: the audit log (aggregated events included), leases, retention, health.
import { describe, expect, it } from 'vitest';

import { compareJobs, type StateStore } from '../../../src/gateway/store/types.js';
import { at, auditEvent, completion, intent, job, OPEN_QUOTA, RICH_PAYLOAD, seed } from './fixtures.js';

export function auditCases(current: () => StateStore): void {
  describe('audit log', () => {
    it('lists newest first with every field, filters by tenant and honours the limit', async () => {
      const store = current();
      const events = [
        auditEvent({ at: at(0) }),
        auditEvent({
          at: at(1),
          tenant: 'sales-team',
          principal: 'bob',
          requestId: 'req-2',
          decision: 'refused',
          status: 403,
          request: RICH_PAYLOAD,
          violations: [{ pointer: '/schemas/0', detail: 'not granted' }, { detail: 'quota' }],
        }),
        auditEvent({ at: at(2), requestId: 'req-3', job: { ownerName: 'HR', jobName: 'EXPORT_HR_1' }, violations: [] }),
        auditEvent({ at: at(3), requestId: 'req-4', decision: 'failed', status: 0, request: null }),
        auditEvent({ at: at(3), requestId: 'req-5', database: 'orcl2', request: undefined }),
      ];
      for (const e of events) await store.audit.append(e);
      const newestFirst = [...events].reverse();
      expect(await store.audit.list({ limit: 100 })).toStrictEqual(newestFirst);
      expect(await store.audit.list({ limit: 2 })).toStrictEqual(newestFirst.slice(0, 2));
      expect(await store.audit.list({ tenant: 'hr-team', limit: 100 })).toStrictEqual(
        newestFirst.filter((e) => e.tenant === 'hr-team'),
      );
      expect(await store.audit.list({ tenant: 'hr-team', limit: 1 })).toStrictEqual([events[4]]);
      expect(await store.audit.list({ tenant: 'sales-team', limit: 10 })).toStrictEqual([events[1]]);
      expect(await store.audit.list({ tenant: 'nobody', limit: 10 })).toEqual([]);
    });

    it('appendAggregated with one key twice: one event, count 2, the first attempt as it was', async () => {
      const store = current();
      const first = auditEvent({ decision: 'refused', status: 422, requestId: 'req-a', at: at(1) });
      await store.audit.appendAggregated(first, 'hr-team:key-1:2025-01-15T08:01');
      await store.audit.appendAggregated(
        { ...first, requestId: 'req-b', at: at(1, 30_000) },
        'hr-team:key-1:2025-01-15T08:01',
      );
      expect(await store.audit.list({ limit: 10 })).toStrictEqual([{ ...first, count: 2 }]);
    });

    it('different keys are different events; an ordinary append never joins an aggregate', async () => {
      const store = current();
      const a = auditEvent({ requestId: 'a', at: at(1) });
      const b = auditEvent({ requestId: 'b', at: at(2) });
      await store.audit.appendAggregated(a, 'key-a');
      await store.audit.appendAggregated(b, 'key-b');
      await store.audit.append(a);
      await store.audit.appendAggregated(a, 'key-a');
      await store.audit.appendAggregated({ ...a, count: 40 }, 'key-a'); // a count given is not taken
      await store.audit.append({ ...b, requestId: 'c', at: at(0), count: 7 });
      // Same instant: the later appended is newer, so the ordinary event comes before the aggregate.
      expect(await store.audit.list({ limit: 10 })).toStrictEqual([
        b,
        a,
        { ...a, count: 3 },
        { ...b, requestId: 'c', at: at(0) },
      ]);
    });

    it('20 concurrent aggregated appends of one key count 20 in one event', async () => {
      const store = current();
      const e = auditEvent({ decision: 'refused', status: 422 });
      await Promise.all(Array.from({ length: 20 }, () => store.audit.appendAggregated(e, 'hot-key')));
      expect(await store.audit.list({ limit: 30 })).toStrictEqual([{ ...e, count: 20 }]);
    });
  });

  describe('leases', () => {
    it('is held by one holder until it expires or is released', async () => {
      const { leases } = current();
      expect(await leases.tryLease('reconcile', 'a', 10_000, at(1))).toBe(true);
      expect(await leases.tryLease('reconcile', 'b', 10_000, at(1, 5))).toBe(false);
      expect(await leases.tryLease('reconcile', 'a', 10_000, at(1, 5))).toBe(true); // renewal
      await leases.releaseLease('reconcile', 'b'); // not b's to release
      expect(await leases.tryLease('reconcile', 'b', 10_000, at(1, 6))).toBe(false);
      await leases.releaseLease('reconcile', 'a');
      expect(await leases.tryLease('reconcile', 'b', 10_000, at(1, 6))).toBe(true);
      expect(await leases.tryLease('reconcile', 'a', 10_000, at(3))).toBe(true); // b's expired
      expect(await leases.tryLease('other', 'b', 10_000, at(3))).toBe(true); // leases are per name
    });
  });

  describe('retention.purgeOlderThan', () => {
    it('deletes finished jobs created and events that happened before the cutoff, counts them, keeps the rest', async () => {
      const store = current();
      for (let i = 0; i < 5; i++) {
        // lastSeenAt is recent for all: age is by creation, not by last sighting. Each seed appends an event too.
        const tenant = i % 2 ? 'sales-team' : 'hr-team';
        await seed(
          store,
          job({ jobName: `J${i}`, createdAt: at(i), lastSeenAt: at(10), lastState: 'COMPLETED', tenant }),
        );
        await store.audit.append(auditEvent({ at: at(i), requestId: `req-${i}` }));
      }
      expect(await store.retention.purgeOlderThan(at(2))).toEqual({ jobs: 2, audit: 4 });
      expect(await store.registry.find('orcl', 'HR', 'J1')).toBeUndefined();
      expect(await store.registry.find('orcl', 'HR', 'J2')).toBeDefined();
      expect((await store.registry.listForDatabase('orcl', 10)).map((j) => j.jobName)).toEqual(['J4', 'J3', 'J2']);
      expect((await store.audit.list({ limit: 10 })).map((e) => e.requestId)).toEqual([
        'req-4',
        'done:J4',
        'req-3',
        'done:J3',
        'req-2',
        'done:J2',
      ]);
      expect(await store.retention.purgeOlderThan(at(2))).toEqual({ jobs: 0, audit: 0 });
      expect(await store.retention.purgeOlderThan(at(100))).toEqual({ jobs: 3, audit: 6 });
      expect(await store.audit.list({ limit: 10 })).toEqual([]);
    });

    it("keeps a job that is still running, however old: it still counts towards its tenant's quota", async () => {
      const store = current();
      await seed(store, job({ jobName: 'RUNNING', createdAt: at(0), lastState: 'EXECUTING' }));
      await seed(store, job({ jobName: 'FAILED', createdAt: at(0), lastState: 'NOT RUNNING' }));
      expect(await store.retention.purgeOlderThan(at(100))).toEqual({ jobs: 1, audit: 2 });
      expect(await store.registry.find('orcl', 'HR', 'RUNNING')).toBeDefined();
      expect(await store.registry.find('orcl', 'HR', 'FAILED')).toBeUndefined();
      const probe = intent({ idempotencyKey: null });
      expect(await store.intents.claim(probe, { ...OPEN_QUOTA, concurrentJobs: 1 })).toMatchObject({ count: 1 });
    });

    it('deletes settled intents (created, recovered) whose key expired before the cutoff; reserving ones stay', async () => {
      const store = current();
      const make = (key: string, expiresAt: string) => intent({ idempotencyKey: key, expiresAt });
      const all = {
        created: make('created', at(3)),
        recovered: make('recovered', at(3)),
        createdFresh: make('created-fresh', at(10)),
        pending: make('pending', at(3)),
        inDoubt: make('in-doubt', at(3)),
        quarantined: make('quarantined', at(3)),
      };
      for (const i of Object.values(all)) await store.intents.claim(i, OPEN_QUOTA);
      await store.intents.complete(all.created.id, completion(job({ jobName: 'C' })));
      await store.intents.complete(all.recovered.id, completion(job({ jobName: 'R' }), { state: 'recovered' }));
      await store.intents.complete(all.createdFresh.id, completion(job({ jobName: 'F' })));
      await store.intents.transition(all.inDoubt.id, { state: 'in-doubt', at: at(2) });
      await store.intents.transition(all.quarantined.id, { state: 'quarantined', at: at(2) });
      await store.retention.purgeOlderThan(at(10));
      const left = await Promise.all(Object.values(all).map((i) => store.intents.get('hr-team', i.idempotencyKey!)));
      expect(left.map((i) => i?.idempotencyKey)).toEqual([
        undefined,
        undefined,
        'created-fresh',
        'pending',
        'in-doubt',
        'quarantined',
      ]);
    });
  });

  describe('health and concurrency', () => {
    it('ping resolves while the store is reachable', async () => {
      await expect(current().health.ping()).resolves.toBeUndefined();
    });

    it('50 concurrent completions and 50 concurrent audit events are all persisted', async () => {
      const store = current();
      const jobs = Array.from({ length: 50 }, (_, i) =>
        job({ jobName: `CONCURRENT_${String(i).padStart(2, '0')}`, createdAt: at(i % 7) }),
      );
      await Promise.all([
        ...jobs.map((j) => seed(store, j)),
        ...jobs.map((j, i) => store.audit.append(auditEvent({ at: at(i), requestId: j.jobName }))),
      ]);
      const page = await store.registry.listForTenant('hr-team', 'orcl', { limit: 100, offset: 0 });
      expect(page.total).toBe(50);
      expect(page.items).toStrictEqual([...jobs].sort(compareJobs));
      expect(await store.audit.list({ limit: 200 })).toHaveLength(100);
      expect(
        await store.intents.claim(intent({ idempotencyKey: null }), { ...OPEN_QUOTA, concurrentJobs: 50 }),
      ).toEqual({
        outcome: 'over-quota',
        quota: 'concurrent_jobs',
        count: 50,
      });
    });
  });
}
