// StateStore contract, part 7: what the admin commands need — an intent by id, resolutions guarded by the
// intent's state (one of two concurrent ones wins), the audit log's filters, and the audit trail's own retention.
import { describe, expect, it } from 'vitest';

import {
  type AuditEvent,
  IntentStateConflictError,
  JobOwnedElsewhereError,
  type StateStore,
} from '../../../src/gateway/store/types.js';
import { at, auditEvent, completion, intent, job, OPEN_QUOTA, seed } from './fixtures.js';

const UNSETTLED = ['in-doubt', 'quarantined'] as const;

export function adminCases(current: () => StateStore): void {
  /** A claimed intent moved to `state` as the journal would. */
  async function unsettled(store: StateStore, state: 'in-doubt' | 'quarantined', overrides = {}) {
    const i = intent({ idempotencyKey: `key-${Math.random()}`, ...overrides });
    expect(await store.intents.claim(i, OPEN_QUOTA)).toEqual({ outcome: 'claimed' });
    await store.intents.transition(i.id, { state, at: at(2) });
    return { ...i, state, updatedAt: at(2) };
  }

  describe('intents.find', () => {
    it('finds an intent by id in any state, and nothing for an unknown id', async () => {
      const store = current();
      const i = await unsettled(store, 'quarantined');
      expect(await store.intents.find(i.id)).toStrictEqual(i);
      expect(await store.intents.find('no-such-intent')).toBeUndefined();
    });
  });

  describe('resolutions guarded by the intent state (`from`)', () => {
    it('complete with `from`: settles an unsettled intent once; the second finds it settled and writes nothing', async () => {
      const store = current();
      const i = await unsettled(store, 'quarantined');
      const record = job({ jobName: 'GIVEN', tenant: i.tenant });
      await store.intents.complete(i.id, completion(record, { state: 'recovered', from: UNSETTLED }));
      expect((await store.intents.find(i.id))?.state).toBe('recovered');
      const again = completion(job({ jobName: 'OTHER' }), { state: 'recovered', from: UNSETTLED });
      const err = await store.intents.complete(i.id, again).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntentStateConflictError);
      expect(err).toMatchObject({ intentId: i.id, found: 'recovered', expected: UNSETTLED });
      // Rolled back: the second job is not in the registry, the second event not in the log.
      expect(await store.registry.find('orcl', 'HR', 'OTHER')).toBeUndefined();
      expect((await store.audit.list({ limit: 10 })).map((e) => e.requestId)).toEqual(['done:GIVEN']);
    });

    it.each([
      ['an unknown intent', undefined],
      ['a pending intent', 'pending'],
      ['a created intent', 'created'],
    ] as const)('complete and release with `from` refuse %s', async (_name, state) => {
      const store = current();
      let id = 'no-such-intent';
      if (state === 'created') id = (await seed(store, job({ jobName: 'SEEDED' }))).id;
      if (state === 'pending') {
        const i = intent({ idempotencyKey: 'pending-key' });
        await store.intents.claim(i, OPEN_QUOTA);
        id = i.id;
      }
      const events = (await store.audit.list({ limit: 10 })).length;
      const done = completion(job({ jobName: 'NEVER' }), { state: 'recovered', from: UNSETTLED });
      await expect(store.intents.complete(id, done)).rejects.toMatchObject({ found: state });
      await expect(store.intents.release(id, auditEvent(), UNSETTLED)).rejects.toBeInstanceOf(IntentStateConflictError);
      expect(await store.registry.find('orcl', 'HR', 'NEVER')).toBeUndefined();
      expect(await store.audit.list({ limit: 10 })).toHaveLength(events);
      if (state !== undefined) expect((await store.intents.find(id))?.state).toBe(state);
    });

    it("a guarded completion naming another tenant's job throws JobOwnedElsewhereError and leaves the intent as it was", async () => {
      const store = current();
      await seed(store, job({ tenant: 'sales-team', jobName: 'SALES_JOB' }));
      const i = await unsettled(store, 'in-doubt');
      const done = completion(job({ jobName: 'SALES_JOB' }), { state: 'recovered', from: UNSETTLED });
      await expect(store.intents.complete(i.id, done)).rejects.toBeInstanceOf(JobOwnedElsewhereError);
      expect((await store.intents.find(i.id))?.state).toBe('in-doubt');
      expect((await store.registry.find('orcl', 'HR', 'SALES_JOB'))?.tenant).toBe('sales-team');
    });

    it('release with `from` deletes an unsettled intent (its key is free) with its event; a second release refuses', async () => {
      const store = current();
      const i = await unsettled(store, 'in-doubt');
      await store.intents.release(i.id, auditEvent({ requestId: 'released' }), UNSETTLED);
      expect(await store.intents.find(i.id)).toBeUndefined();
      expect(await store.intents.get(i.tenant, i.idempotencyKey!)).toBeUndefined();
      await expect(store.intents.release(i.id, auditEvent({ requestId: 'again' }), UNSETTLED)).rejects.toMatchObject({
        found: undefined,
      });
      expect((await store.audit.list({ limit: 10 })).map((e) => e.requestId)).toEqual(['released']);
    });

    it('of 8 concurrent guarded resolutions of one intent (jobs and releases), exactly one wins', async () => {
      const store = current();
      const i = await unsettled(store, 'quarantined');
      const attempts = Array.from({ length: 8 }, (_, n) =>
        n % 2
          ? store.intents.release(i.id, auditEvent({ requestId: `release-${n}` }), UNSETTLED)
          : store.intents.complete(
              i.id,
              completion(job({ jobName: `RACE_${n}` }), {
                state: 'recovered',
                from: UNSETTLED,
                audit: auditEvent({ requestId: `job-${n}` }),
              }),
            ),
      );
      const results = await Promise.allSettled(attempts);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(IntentStateConflictError);
      const events = await store.audit.list({ limit: 20 });
      expect(events).toHaveLength(1);
      const jobs = await store.registry.listForDatabase('orcl', 20);
      expect(jobs).toHaveLength(events[0]!.requestId.startsWith('job-') ? 1 : 0);
    });
  });

  describe('audit.list filters', () => {
    it('filters by tenant, since (inclusive), until (exclusive) and decision, alone and together', async () => {
      const store = current();
      const events: AuditEvent[] = [
        auditEvent({ at: at(0), requestId: 'a' }),
        auditEvent({ at: at(1), requestId: 'b', decision: 'refused', status: 403 }),
        auditEvent({ at: at(2), requestId: 'c', tenant: 'sales-team', decision: 'refused', status: 403 }),
        auditEvent({ at: at(3), requestId: 'd', decision: 'failed', status: 0 }),
        auditEvent({ at: at(4), requestId: 'e', tenant: 'sales-team' }),
      ];
      for (const e of events) await store.audit.append(e);
      const ids = async (filter: Parameters<StateStore['audit']['list']>[0]) =>
        (await store.audit.list(filter)).map((e) => e.requestId);
      const cases: Array<[Parameters<StateStore['audit']['list']>[0], string[]]> = [
        [{ limit: 10 }, ['e', 'd', 'c', 'b', 'a']],
        [{ since: at(1), limit: 10 }, ['e', 'd', 'c', 'b']],
        [{ until: at(1), limit: 10 }, ['a']],
        [{ since: at(1), until: at(4), limit: 10 }, ['d', 'c', 'b']],
        [{ decision: 'refused', limit: 10 }, ['c', 'b']],
        [{ decision: 'refused', tenant: 'hr-team', limit: 10 }, ['b']],
        [{ tenant: 'sales-team', since: at(3), limit: 10 }, ['e']],
        [{ decision: 'failed', since: at(0), until: at(3), limit: 10 }, []],
        [{ since: at(0), limit: 2 }, ['e', 'd']],
        [{ tenant: 'nobody', decision: 'allowed', limit: 10 }, []],
      ];
      for (const [filter, expected] of cases) expect(await ids(filter), JSON.stringify(filter)).toEqual(expected);
      // Filtered events come back whole, as appended.
      expect(await store.audit.list({ decision: 'failed', limit: 10 })).toStrictEqual([events[3]]);
    });
  });

  describe('retention with a separate audit cutoff', () => {
    it('purges job records by the job cutoff and audit events by the audit cutoff, independently', async () => {
      const store = current();
      for (let i = 0; i < 4; i++)
        await seed(store, job({ jobName: `J${i}`, createdAt: at(i * 10), lastState: 'COMPLETED' }));
      // Jobs before minute 25 go; audit events only before minute 5 (a longer audit retention).
      expect(await store.retention.purgeOlderThan(at(25), at(5))).toEqual({ jobs: 3, audit: 1 });
      expect((await store.registry.listForDatabase('orcl', 10)).map((j) => j.jobName)).toEqual(['J3']);
      expect((await store.audit.list({ limit: 10 })).map((e) => e.requestId)).toEqual([
        'done:J3',
        'done:J2',
        'done:J1',
      ]);
      // A shorter audit retention: events go while their jobs stay.
      await seed(store, job({ jobName: 'J9', createdAt: at(40), lastState: 'COMPLETED' }));
      expect(await store.retention.purgeOlderThan(at(0), at(45))).toEqual({ jobs: 0, audit: 4 });
      expect(await store.registry.listForDatabase('orcl', 10)).toHaveLength(2);
    });
  });
}
