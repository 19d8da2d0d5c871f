// JobStore contract, part 1: recording, finding, upserting, listing and paging.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compareJobs, type JobRecord, type JobStore } from '../../../src/gateway/jobs/store.js';
import { at, job, RICH_PAYLOAD } from './store-fixtures.js';

/** Every page of the listing, fetched `limit` at a time until one comes back short. */
async function allPages(store: JobStore, tenant: string, database: string, limit: number) {
  const pages: { items: readonly JobRecord[]; total: number }[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await store.listForTenant(tenant, database, { limit, offset });
    pages.push(page);
    if (page.items.length < limit) return pages;
  }
}

/** `current()` is the store the suite's beforeEach made for the running test. */
export function recordAndListingCases(current: () => JobStore): void {
  describe('record and find', () => {
    it('find returns every field exactly as recorded, JSON payload and sub-millisecond times included', async () => {
      const store = current();
      const rich = job({
        canonicalRequest: RICH_PAYLOAD,
        createdAt: at(1, 123),
        lastSeenAt: '2025-01-15T08:01:00.123456Z',
      });
      await store.record(rich);
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(rich);
    });

    it('keeps scalar, empty and absent payloads apart (undefined, null, string, number, array)', async () => {
      const store = current();
      const payloads: unknown[] = [undefined, null, 'as text', 0, [], {}];
      const jobs = payloads.map((canonicalRequest, i) => job({ jobName: `J${i}`, canonicalRequest }));
      for (const j of jobs) await store.record(j);
      for (const j of jobs) expect(await store.find(j.database, j.ownerName, j.jobName)).toStrictEqual(j);
    });

    it('the key is (database, owner, job): each part tells records apart; an unknown key finds nothing', async () => {
      const store = current();
      const a = job();
      const b = job({ database: 'orcl2', requestId: 'req-b' });
      const c = job({ ownerName: 'SH', requestId: 'req-c' });
      const d = job({ jobName: 'EXPORT_HR_2', requestId: 'req-d' });
      for (const j of [a, b, c, d]) await store.record(j);
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(a);
      expect(await store.find('orcl2', 'HR', 'EXPORT_HR_1')).toStrictEqual(b);
      expect(await store.find('orcl', 'SH', 'EXPORT_HR_1')).toStrictEqual(c);
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_2')).toStrictEqual(d);
      expect(await store.find('orcl', 'HR', 'NO_SUCH_JOB')).toBeUndefined();
      expect(await store.find('ORCL', 'HR', 'EXPORT_HR_1')).toBeUndefined();
    });

    it('recording an existing key replaces the record (upsert), never duplicates it', async () => {
      const store = current();
      await store.record(job());
      const replaced = job({
        tenant: 'sales-team',
        operation: 'IMPORT',
        jobMode: 'FULL',
        principal: 'alice',
        requestId: 'req-2',
        canonicalRequest: { second: true },
        createdAt: at(5),
        lastState: 'COMPLETED',
        lastSeenAt: at(6),
      });
      await store.record(replaced);
      expect(await store.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(replaced);
      expect(await store.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
      expect(await store.listForTenant('sales-team', 'orcl', { limit: 10, offset: 0 })).toStrictEqual({
        items: [replaced],
        total: 1,
      });
      expect(await store.countActiveJobs('sales-team')).toBe(0);
    });
  });

  describe('listForTenant', () => {
    it('orders newest first, then job name, then owner, in byte order (digits < "_" < lower case)', async () => {
      const store = current();
      const jobs = [
        job({ jobName: 'B', ownerName: 'HR', createdAt: at(2) }),
        job({ jobName: 'A', ownerName: 'SALES', createdAt: at(2) }),
        job({ jobName: 'A', ownerName: 'HR', createdAt: at(2) }),
        job({ jobName: 'Z', ownerName: 'HR', createdAt: at(3) }),
        job({ jobName: 'EXPORT_1', ownerName: 'HR', createdAt: at(1) }),
        job({ jobName: 'EXPORT1', ownerName: 'HR', createdAt: at(1) }),
        job({ jobName: 'EXPORT_a', ownerName: 'HR', createdAt: at(1) }),
        job({ jobName: 'OLD', ownerName: 'HR', createdAt: at(0, 999) }),
      ];
      for (const j of jobs) await store.record(j);
      const page = await store.listForTenant('hr-team', 'orcl', { limit: 100, offset: 0 });
      expect(page.total).toBe(8);
      expect(page.items.map((j) => `${j.jobName}/${j.ownerName}`)).toEqual([
        'Z/HR',
        'A/HR',
        'A/SALES',
        'B/HR',
        'EXPORT1/HR',
        'EXPORT_1/HR',
        'EXPORT_a/HR',
        'OLD/HR',
      ]);
      expect(page.items).toStrictEqual([...jobs].sort(compareJobs));
    });

    it('pages of every size concatenate to the full list, other tenants and databases interleaved, totals right', async () => {
      const store = current();
      const mine: JobRecord[] = [];
      for (let i = 0; i < 23; i++) {
        // Few distinct times and names, so ties on createdAt and jobName are common.
        const j = job({ jobName: `JOB_${i % 5}`, ownerName: `OWNER_${Math.floor(i / 5)}`, createdAt: at(i % 4) });
        mine.push(j);
        await store.record(j);
        await store.record(job({ tenant: 'sales-team', jobName: `SALES_${i}`, createdAt: at(i % 4) }));
        await store.record(job({ database: `db_${i % 2}`, jobName: `JOB_${i}`, createdAt: at(i % 4) }));
      }
      const expected = [...mine].sort(compareJobs);
      for (const limit of [1, 2, 3, 5, 7, 22, 23, 24, 50]) {
        const pages = await allPages(store, 'hr-team', 'orcl', limit);
        expect(
          pages.flatMap((p) => p.items),
          `limit ${limit}`,
        ).toStrictEqual(expected);
        for (const p of pages) expect(p.total).toBe(23);
      }
      expect(await store.listForTenant('hr-team', 'orcl', { limit: 5, offset: 23 })).toEqual({ items: [], total: 23 });
      expect(await store.listForTenant('hr-team', 'orcl', { limit: 5, offset: 1000 })).toEqual({
        items: [],
        total: 23,
      });
      expect(await store.listForTenant('hr-team', 'orcl', { limit: 5, offset: 21 })).toMatchObject({
        items: expected.slice(21),
        total: 23,
      });
      expect(await store.listForTenant('nobody', 'orcl', { limit: 5, offset: 0 })).toEqual({ items: [], total: 0 });
    });

    it('property: for any jobs and page size, paging never skips or repeats', async () => {
      const store = current();
      let run = 0;
      const spec = fc.record({
        minute: fc.integer({ min: 0, max: 3 }),
        jobName: fc.constantFrom('A', 'B', 'A_1', 'A1', 'a'),
        ownerName: fc.constantFrom('HR', 'SH'),
        mine: fc.boolean(),
        state: fc.constantFrom('EXECUTING', 'COMPLETED'),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(spec, { selector: (s) => `${s.jobName}/${s.ownerName}`, maxLength: 10 }),
          fc.integer({ min: 1, max: 6 }),
          async (specs, limit) => {
            // A database of its own per run keeps runs apart without a fresh store.
            const database = `prop_${run++}`;
            const jobs = specs.map((s) =>
              job({
                tenant: s.mine ? 'hr-team' : 'sales-team',
                database,
                jobName: s.jobName,
                ownerName: s.ownerName,
                createdAt: at(s.minute),
                lastState: s.state,
              }),
            );
            await Promise.all(jobs.map((j) => store.record(j)));
            const expected = jobs.filter((j) => j.tenant === 'hr-team').sort(compareJobs);
            const pages = await allPages(store, 'hr-team', database, limit);
            expect(pages.flatMap((p) => p.items)).toStrictEqual(expected);
            for (const p of pages) expect(p.total).toBe(expected.length);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
  describe('listForDatabase', () => {
    it("lists every tenant's jobs of one database, newest first, up to the limit", async () => {
      const store = current();
      const all = [
        job({ jobName: 'A', tenant: 'hr-team', createdAt: at(1) }),
        job({ jobName: 'B', tenant: 'sales-team', createdAt: at(3) }),
        job({ jobName: 'C', tenant: 'hr-team', createdAt: at(2), database: 'other' }),
        job({ jobName: 'D', tenant: 'dba-team', createdAt: at(2) }),
      ];
      for (const j of all) await store.record(j);
      expect((await store.listForDatabase('orcl', 10)).map((j) => j.jobName)).toEqual(['B', 'D', 'A']);
      expect((await store.listForDatabase('orcl', 2)).map((j) => j.jobName)).toEqual(['B', 'D']);
      expect(await store.listForDatabase('nowhere', 10)).toEqual([]);
    });
  });
}
