// JobStore contract, part 2: state updates, quota counts, the audit trail, purging, health and concurrency.
import { describe, expect, it } from 'vitest';

import { compareJobs, type JobStore } from '../../../src/gateway/jobs/store.js';
import { at, auditEvent, job, RICH_PAYLOAD } from './store-fixtures.js';

/** `current()` is the store the suite's beforeEach made for the running test. */
export function stateAndAuditCases(current: () => JobStore): void {
  describe('updateState', () => {
    it('changes the last state and when it was seen, nothing else', async () => {
      const store = current();
      const j = job({ canonicalRequest: RICH_PAYLOAD });
      await store.record(j);
      await store.updateState('orcl', 'HR', 'EXPORT_HR_1', 'COMPLETED', at(9, 1));
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual({
        ...j,
        lastState: 'COMPLETED',
        lastSeenAt: at(9, 1),
      });
    });

    it('of an unknown job is a no-op: it creates nothing and does not throw', async () => {
      const store = current();
      await store.record(job());
      await store.updateState('orcl', 'HR', 'NO_SUCH_JOB', 'COMPLETED', at(9));
      await store.updateState('orcl2', 'HR', 'EXPORT_HR_1', 'COMPLETED', at(9));
      expect(await store.find('orcl', 'HR', 'NO_SUCH_JOB')).toBeUndefined();
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(job());
      expect((await store.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(1);
    });
  });

  describe('quota counts', () => {
    it("countActiveJobs counts the tenant's non-terminal jobs on every database", async () => {
      const store = current();
      const states = ['EXECUTING', 'DEFINING', 'STOP PENDING', 'COMPLETED', 'STOPPED', 'NOT RUNNING'];
      for (const [i, lastState] of states.entries()) {
        await store.record(job({ jobName: `J${i}`, database: i % 2 ? 'orcl2' : 'orcl', lastState }));
      }
      await store.record(job({ tenant: 'sales-team', ownerName: 'SH', lastState: 'EXECUTING' }));
      expect(await store.countActiveJobs('hr-team')).toBe(3);
      expect(await store.countActiveJobs('sales-team')).toBe(1);
      expect(await store.countActiveJobs('nobody')).toBe(0);
      await store.updateState('orcl', 'HR', 'J0', 'COMPLETED', at(5));
      expect(await store.countActiveJobs('hr-team')).toBe(2);
      await store.updateState('orcl2', 'HR', 'J3', 'EXECUTING', at(5)); // J3 (COMPLETED) lives on orcl2
      expect(await store.countActiveJobs('hr-team')).toBe(3);
    });

    it('countJobsCreatedSince includes a job created exactly at `since` and excludes one a millisecond earlier', async () => {
      const store = current();
      await store.record(job({ jobName: 'J0', createdAt: at(0) }));
      await store.record(job({ jobName: 'J1', createdAt: at(1) }));
      await store.record(job({ jobName: 'J2', createdAt: at(2), database: 'orcl2', lastState: 'COMPLETED' }));
      await store.record(job({ tenant: 'sales-team', ownerName: 'SH', createdAt: at(2) }));
      expect(await store.countJobsCreatedSince('hr-team', at(0))).toBe(3);
      expect(await store.countJobsCreatedSince('hr-team', at(1))).toBe(2);
      expect(await store.countJobsCreatedSince('hr-team', at(1, -1))).toBe(2);
      expect(await store.countJobsCreatedSince('hr-team', at(1, 1))).toBe(1);
      expect(await store.countJobsCreatedSince('hr-team', at(2, 1))).toBe(0);
      expect(await store.countJobsCreatedSince('sales-team', at(0))).toBe(1);
      expect(await store.countJobsCreatedSince('nobody', at(0))).toBe(0);
    });
  });

  describe('audit trail', () => {
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
        auditEvent({ at: at(3), requestId: 'req-4', decision: 'failed', status: 503, request: null }),
        auditEvent({ at: at(3), requestId: 'req-5', database: 'orcl2', request: undefined }),
      ];
      for (const e of events) await store.appendAudit(e);
      const newestFirst = [...events].reverse();
      expect(await store.listAudit({ limit: 100 })).toStrictEqual(newestFirst);
      expect(await store.listAudit({ limit: 2 })).toStrictEqual(newestFirst.slice(0, 2));
      expect(await store.listAudit({ tenant: 'hr-team', limit: 100 })).toStrictEqual(
        newestFirst.filter((e) => e.tenant === 'hr-team'),
      );
      expect(await store.listAudit({ tenant: 'hr-team', limit: 1 })).toStrictEqual([events[4]]);
      expect(await store.listAudit({ tenant: 'sales-team', limit: 10 })).toStrictEqual([events[1]]);
      expect(await store.listAudit({ tenant: 'nobody', limit: 10 })).toEqual([]);
    });
  });

  describe('purgeOlderThan', () => {
    it('deletes jobs created and events that happened before the cutoff, counts them, keeps the rest', async () => {
      const store = current();
      for (let i = 0; i < 5; i++) {
        // lastSeenAt is recent for all: age is by creation, not by last sighting.
        await store.record(
          job({
            jobName: `J${i}`,
            createdAt: at(i),
            lastSeenAt: at(10),
            lastState: 'COMPLETED',
            tenant: i % 2 ? 'sales-team' : 'hr-team',
          }),
        );
        await store.appendAudit(auditEvent({ at: at(i), requestId: `req-${i}` }));
      }
      expect(await store.purgeOlderThan(at(2))).toEqual({ jobs: 2, audit: 2 });
      expect(await store.find('orcl', 'HR', 'J1')).toBeUndefined();
      expect(await store.find('orcl', 'HR', 'J2')).toBeDefined();
      const left = [
        ...(await store.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).items,
        ...(await store.listForTenant('sales-team', 'orcl', { limit: 10, offset: 0 })).items,
      ]
        .map((j) => j.jobName)
        .sort();
      expect(left).toEqual(['J2', 'J3', 'J4']);
      expect((await store.listAudit({ limit: 10 })).map((e) => e.requestId)).toEqual(['req-4', 'req-3', 'req-2']);
      expect(await store.countJobsCreatedSince('hr-team', at(0))).toBe(2);
      expect(await store.purgeOlderThan(at(2))).toEqual({ jobs: 0, audit: 0 });
      expect(await store.purgeOlderThan(at(100))).toEqual({ jobs: 3, audit: 3 });
      expect(await store.listAudit({ limit: 10 })).toEqual([]);
    });

    it("keeps a job that is still running, however old: it still counts towards its tenant's quota", async () => {
      const store = current();
      await store.record(job({ jobName: 'RUNNING', createdAt: at(0), lastState: 'EXECUTING' }));
      await store.record(job({ jobName: 'FAILED', createdAt: at(0), lastState: 'NOT RUNNING' }));
      expect(await store.purgeOlderThan(at(100))).toEqual({ jobs: 1, audit: 0 });
      expect(await store.find('orcl', 'HR', 'RUNNING')).toBeDefined();
      expect(await store.find('orcl', 'HR', 'FAILED')).toBeUndefined();
      expect(await store.countActiveJobs('hr-team')).toBe(1);
    });
  });

  describe('health and concurrency', () => {
    it('ping resolves while the store is reachable', async () => {
      const store = current();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('50 concurrent records and 50 concurrent audit events are all persisted', async () => {
      const store = current();
      const jobs = Array.from({ length: 50 }, (_, i) =>
        job({ jobName: `CONCURRENT_${String(i).padStart(2, '0')}`, createdAt: at(i % 7) }),
      );
      await Promise.all([
        ...jobs.map((j) => store.record(j)),
        ...jobs.map((j, i) => store.appendAudit(auditEvent({ at: at(i), requestId: j.jobName }))),
      ]);
      const page = await store.listForTenant('hr-team', 'orcl', { limit: 100, offset: 0 });
      expect(page.total).toBe(50);
      expect(page.items).toStrictEqual([...jobs].sort(compareJobs));
      expect(await store.countActiveJobs('hr-team')).toBe(50);
      expect(await store.listAudit({ limit: 100 })).toHaveLength(50);
    });

    it("concurrent records of one key leave exactly one record, one of the writers'", async () => {
      const store = current();
      const writes = Array.from({ length: 20 }, (_, i) => job({ requestId: `req-${i}`, lastState: `STATE_${i}` }));
      await Promise.all(writes.map((j) => store.record(j)));
      const found = await store.find('orcl', 'HR', 'EXPORT_HR_1');
      expect(writes).toContainEqual(found);
      expect((await store.listForTenant('hr-team', 'orcl', { limit: 100, offset: 0 })).total).toBe(1);
    });
  });
}
