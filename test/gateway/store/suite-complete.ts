// StateStore contract, part 3: how intents end — complete (insert-only, one transaction), transition, release.
import { describe, expect, it } from 'vitest';

import { JobOwnedElsewhereError, type StateStore } from '../../../src/gateway/store/types.js';
import { ANSWER, at, auditEvent, completion, intent, job, OPEN_QUOTA } from './fixtures.js';

export function completeCases(current: () => StateStore): void {
  describe('intents.complete', () => {
    it('records the job, settles the intent with its job and answer, and appends the audit event', async () => {
      const store = current();
      const i = intent();
      await store.intents.claim(i, OPEN_QUOTA);
      const record = job({ createdAt: at(2), lastSeenAt: at(2) });
      const done = completion(record, { at: at(2, 500) });
      await store.intents.complete(i.id, done);
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(record);
      expect(await store.intents.get('hr-team', 'key-1')).toStrictEqual({
        ...i,
        state: 'created',
        updatedAt: at(2, 500),
        job: { ownerName: 'HR', jobName: 'EXPORT_HR_1' },
        answer: ANSWER,
      });
      expect(await store.audit.list({ limit: 10 })).toStrictEqual([done.audit]);
      expect(await store.intents.list(['pending'], at(99))).toEqual([]);
    });

    it('settles as recovered (reconciliation), and a recovered intent is listed by its state', async () => {
      const store = current();
      const i = intent({ evidenceToken: 'DPG_abc123' });
      await store.intents.claim(i, OPEN_QUOTA);
      await store.intents.transition(i.id, { state: 'in-doubt', at: at(2) });
      await store.intents.complete(i.id, completion(job(), { state: 'recovered', at: at(5) }));
      const [recovered] = await store.intents.list(['recovered'], at(99));
      expect(recovered).toStrictEqual({
        ...i,
        state: 'recovered',
        updatedAt: at(5),
        job: { ownerName: 'HR', jobName: 'EXPORT_HR_1' },
        answer: ANSWER,
      });
      expect(await store.intents.list(['in-doubt', 'created'], at(99))).toEqual([]);
    });

    it("is insert-only: another tenant's job throws JobOwnedElsewhereError and nothing at all is written", async () => {
      const store = current();
      const a = intent({ idempotencyKey: 'a' });
      await store.intents.claim(a, OPEN_QUOTA);
      const recordA = job();
      await store.intents.complete(a.id, completion(recordA));
      const auditBefore = await store.audit.list({ limit: 10 });

      const b = intent({ tenant: 'sales-team', idempotencyKey: 'b' });
      await store.intents.claim(b, OPEN_QUOTA);
      const recordB = job({ tenant: 'sales-team', principal: 'bob', requestId: 'req-b', lastState: 'DEFINING' });
      const err = await store.intents.complete(b.id, completion(recordB, { at: at(7) })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobOwnedElsewhereError);
      expect(err).toMatchObject({
        owner: 'hr-team',
        job: { database: 'orcl', ownerName: 'HR', jobName: 'EXPORT_HR_1' },
        message: expect.stringContaining('orcl/HR,EXPORT_HR_1'),
      });
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(recordA);
      expect(await store.intents.get('sales-team', 'b')).toStrictEqual(b);
      expect(await store.audit.list({ limit: 10 })).toStrictEqual(auditBefore);
      expect((await store.registry.listForTenant('sales-team', 'orcl', { limit: 10, offset: 0 })).total).toBe(0);
    });

    it('keeps the first record when the same tenant completes the job twice, and settles the second intent', async () => {
      const store = current();
      const [first, second] = [intent({ idempotencyKey: '1' }), intent({ idempotencyKey: '2' })];
      await store.intents.claim(first, OPEN_QUOTA);
      await store.intents.claim(second, OPEN_QUOTA);
      const original = job({ requestId: 'req-first' });
      await store.intents.complete(first.id, completion(original));
      const again = job({ requestId: 'req-second', lastState: 'COMPLETED', createdAt: at(9), principal: 'alice' });
      await store.intents.complete(second.id, completion(again, { at: at(9) }));
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(original);
      expect(await store.intents.get('hr-team', '2')).toMatchObject({ state: 'created', updatedAt: at(9) });
      expect(await store.audit.list({ limit: 10 })).toHaveLength(2);
    });

    it('ten tenants racing to complete one job: exactly one records it, the other nine are refused', async () => {
      const store = current();
      const tenants = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);
      const intents = tenants.map((tenant) => intent({ tenant }));
      for (const i of intents) await store.intents.claim(i, OPEN_QUOTA);
      const settled = await Promise.allSettled(
        intents.map((i) => store.intents.complete(i.id, completion(job({ tenant: i.tenant })))),
      );
      const won = settled.flatMap((s, k) => (s.status === 'fulfilled' ? [tenants[k]!] : []));
      expect(won).toHaveLength(1);
      for (const s of settled)
        if (s.status === 'rejected') expect(s.reason).toMatchObject({ name: 'JobOwnedElsewhereError', owner: won[0] });
      expect((await store.registry.find('orcl', 'HR', 'EXPORT_HR_1'))!.tenant).toBe(won[0]);
      expect((await store.intents.list(['pending'], at(99))).map((i) => i.tenant).sort()).toEqual(
        tenants.filter((t) => t !== won[0]),
      );
      expect(await store.audit.list({ limit: 20 })).toHaveLength(1);
    });
  });

  describe('intents.transition, release and list', () => {
    it('transition sets state and updatedAt, keeps everything else, and appends the audit event if given', async () => {
      const store = current();
      const i = intent();
      await store.intents.claim(i, OPEN_QUOTA);
      const event = auditEvent({ decision: 'failed', status: 502, requestId: 'req-1' });
      await store.intents.transition(i.id, { state: 'in-doubt', at: at(3), audit: event });
      expect(await store.intents.get('hr-team', 'key-1')).toStrictEqual({ ...i, state: 'in-doubt', updatedAt: at(3) });
      await store.intents.transition(i.id, { state: 'quarantined', at: at(4) });
      expect(await store.intents.get('hr-team', 'key-1')).toStrictEqual({
        ...i,
        state: 'quarantined',
        updatedAt: at(4),
      });
      expect(await store.audit.list({ limit: 10 })).toStrictEqual([event]);
    });

    it('release deletes the intent, frees its key and its quota, and appends the audit event if given', async () => {
      const store = current();
      const [a, b] = [intent({ idempotencyKey: 'a' }), intent({ idempotencyKey: 'b' })];
      await store.intents.claim(a, OPEN_QUOTA);
      await store.intents.claim(b, OPEN_QUOTA);
      const event = auditEvent({ decision: 'failed', status: 400 });
      await store.intents.release(a.id, event);
      await store.intents.release(b.id);
      await store.intents.release('no-such-intent');
      expect(await store.intents.get('hr-team', 'a')).toBeUndefined();
      expect(await store.intents.get('hr-team', 'b')).toBeUndefined();
      expect(await store.audit.list({ limit: 10 })).toStrictEqual([event]);
      const again = intent({ idempotencyKey: 'a' });
      expect(await store.intents.claim(again, { ...OPEN_QUOTA, concurrentJobs: 1 })).toEqual({ outcome: 'claimed' });
    });

    it('list returns intents in the given states created before the instant, oldest first, ties by id', async () => {
      const store = current();
      const a = intent({ idempotencyKey: 'a', createdAt: at(2) });
      const b = intent({ idempotencyKey: 'b', createdAt: at(1) });
      const c = intent({ idempotencyKey: 'c', createdAt: at(1) });
      const d = intent({ idempotencyKey: 'd', createdAt: at(5) });
      for (const i of [a, d, c, b]) await store.intents.claim(i, OPEN_QUOTA);
      await store.intents.transition(c.id, { state: 'in-doubt', at: at(3) });
      const ids = async (...args: Parameters<StateStore['intents']['list']>) =>
        (await store.intents.list(...args)).map((i) => i.id);
      expect(await ids(['pending', 'in-doubt'], at(9))).toEqual([b.id, c.id, a.id, d.id]);
      expect(await ids(['pending'], at(5))).toEqual([b.id, a.id]);
      expect(await ids(['in-doubt'], at(1))).toEqual([]);
      expect(await ids(['quarantined', 'created', 'recovered'], at(9))).toEqual([]);
      expect(await ids([], at(9))).toEqual([]);
    });
  });
}
