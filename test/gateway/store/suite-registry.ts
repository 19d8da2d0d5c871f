// StateStore contract, part 1: the job registry (finding, listing, paging, states, owners).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compareJobs, type JobRecord, type StateStore } from '../../../src/gateway/store/types.js';
import { at, job, RICH_PAYLOAD, seed } from './fixtures.js';

/** Every page of the listing, fetched `limit` at a time until one comes back short. */
async function allPages(store: StateStore, tenant: string, database: string, limit: number) {
  const pages: { items: readonly JobRecord[]; total: number }[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await store.registry.listForTenant(tenant, database, { limit, offset });
    pages.push(page);
    if (page.items.length < limit) return pages;
  }
}

export function registryCases(current: () => StateStore): void {
  describe('registry: find', () => {
    it('returns every field exactly as completed, JSON payload and sub-millisecond times included', async () => {
      const store = current();
      const rich = job({
        canonicalRequest: RICH_PAYLOAD,
        createdAt: at(1, 123),
        lastSeenAt: '2025-01-15T08:01:00.123456Z',
      });
      await seed(store, rich);
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(rich);
    });

    it('keeps scalar, empty and absent payloads apart (undefined, null, string, number, array)', async () => {
      const store = current();
      const payloads: unknown[] = [undefined, null, 'as text', 0, [], {}];
      const jobs = payloads.map((canonicalRequest, i) => job({ jobName: `J${i}`, canonicalRequest }));
      for (const j of jobs) await seed(store, j);
      for (const j of jobs) expect(await store.registry.find(j.database, j.ownerName, j.jobName)).toStrictEqual(j);
    });

    it('the key is (database, owner, job): each part tells records apart; an unknown key finds nothing', async () => {
      const store = current();
      const a = job();
      const b = job({ database: 'orcl2', requestId: 'req-b' });
      const c = job({ ownerName: 'SH', requestId: 'req-c' });
      const d = job({ jobName: 'EXPORT_HR_2', requestId: 'req-d' });
      for (const j of [a, b, c, d]) await seed(store, j);
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(a);
      expect(await store.registry.find('orcl2', 'HR', 'EXPORT_HR_1')).toStrictEqual(b);
      expect(await store.registry.find('orcl', 'SH', 'EXPORT_HR_1')).toStrictEqual(c);
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_2')).toStrictEqual(d);
      expect(await store.registry.find('orcl', 'HR', 'NO_SUCH_JOB')).toBeUndefined();
      expect(await store.registry.find('ORCL', 'HR', 'EXPORT_HR_1')).toBeUndefined();
    });
  });

  describe('registry: listForTenant', () => {
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
      for (const j of jobs) await seed(store, j);
      const page = await store.registry.listForTenant('hr-team', 'orcl', { limit: 100, offset: 0 });
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
        await seed(store, j);
        await seed(store, job({ tenant: 'sales-team', jobName: `SALES_${i}`, createdAt: at(i % 4) }));
        await seed(store, job({ database: `db_${i % 2}`, jobName: `JOB_${i}`, createdAt: at(i % 4) }));
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
      const list = (limit: number, offset: number) =>
        store.registry.listForTenant('hr-team', 'orcl', { limit, offset });
      expect(await list(5, 23)).toEqual({ items: [], total: 23 });
      expect(await list(5, 1000)).toEqual({ items: [], total: 23 });
      expect(await list(5, 21)).toStrictEqual({ items: expected.slice(21), total: 23 });
      expect(await store.registry.listForTenant('nobody', 'orcl', { limit: 5, offset: 0 })).toEqual({
        items: [],
        total: 0,
      });
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
            await Promise.all(jobs.map((j) => seed(store, j)));
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

  describe('registry: listForDatabase, owners, updateState', () => {
    it("lists every tenant's jobs of one database, newest first, up to the limit", async () => {
      const store = current();
      const all = [
        job({ jobName: 'A', tenant: 'hr-team', createdAt: at(1) }),
        job({ jobName: 'B', tenant: 'sales-team', createdAt: at(3) }),
        job({ jobName: 'C', tenant: 'hr-team', createdAt: at(2), database: 'other' }),
        job({ jobName: 'D', tenant: 'dba-team', createdAt: at(2) }),
      ];
      for (const j of all) await seed(store, j);
      expect((await store.registry.listForDatabase('orcl', 10)).map((j) => j.jobName)).toEqual(['B', 'D', 'A']);
      expect((await store.registry.listForDatabase('orcl', 2)).map((j) => j.jobName)).toEqual(['B', 'D']);
      expect(await store.registry.listForDatabase('nowhere', 10)).toEqual([]);
    });

    it('owners are the distinct owners recorded for that database only, in byte order', async () => {
      const store = current();
      const owners = ['SH', 'HR', 'PDBADMIN', 'HR', 'APP_1', 'APP1', 'hr'];
      for (const [i, ownerName] of owners.entries()) await seed(store, job({ ownerName, jobName: `J${i}` }));
      await seed(store, job({ database: 'orcl2', ownerName: 'OTHER_DB_ONLY', tenant: 'sales-team' }));
      await store.registry.updateState('orcl', 'SH', 'J0', 'COMPLETED', at(5)); // finished jobs' owners count too
      expect(await store.registry.owners('orcl')).toEqual(['APP1', 'APP_1', 'HR', 'PDBADMIN', 'SH', 'hr']);
      expect(await store.registry.owners('orcl2')).toEqual(['OTHER_DB_ONLY']);
      expect(await store.registry.owners('nowhere')).toEqual([]);
    });

    it('updateState changes the last state and when it was seen, nothing else; an unknown job is a no-op', async () => {
      const store = current();
      const j = job({ canonicalRequest: RICH_PAYLOAD });
      await seed(store, j);
      await store.registry.updateState('orcl', 'HR', 'EXPORT_HR_1', 'COMPLETED', at(9, 1));
      await store.registry.updateState('orcl', 'HR', 'NO_SUCH_JOB', 'COMPLETED', at(9));
      await store.registry.updateState('orcl2', 'HR', 'EXPORT_HR_1', 'STOPPED', at(9));
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual({
        ...j,
        lastState: 'COMPLETED',
        lastSeenAt: at(9, 1),
      });
      expect(await store.registry.find('orcl', 'HR', 'NO_SUCH_JOB')).toBeUndefined();
      expect(await store.registry.find('orcl2', 'HR', 'EXPORT_HR_1')).toBeUndefined();
      expect((await store.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(1);
    });
  });
}
