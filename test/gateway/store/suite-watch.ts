// StateStore contract, part 6: what the job watcher records — observe while a job runs, finish once it ended,
// and the list of jobs still to settle.
import { describe, expect, it } from 'vitest';

import type { JobEnd, JobOutcome, JobRecord, StateStore } from '../../../src/gateway/store/types.js';
import { at, intent, job, quota, RICH_PAYLOAD, seed } from './fixtures.js';

const FILES = ['EXPORT_HR_1.LOG', 'EXPORT_HR_1_01.DMP', 'EXPORT_HR_1_02.DMP'] as const;

/** An end as the watcher records it: COMPLETED, succeeded per ORDS, at(10), no files or log tail. */
const end = (overrides: Partial<JobEnd> = {}): JobEnd => ({
  state: 'COMPLETED',
  outcome: { result: 'succeeded', source: 'ords' },
  files: null,
  logTail: null,
  at: at(10),
  ...overrides,
});

/**
 * Exactly 64 KiB of UTF-8 (65,536 bytes) mixing 1- to 4-byte characters, a combining mark, line ends, tabs,
 * quotes, backslashes and what looks like SQL or JSON: what a Data Pump log tail may hold, and then some.
 */
function logTail64KiB(): string {
  const line =
    'ORA-39171: Job is experiencing a resumable wait. Zoë\u0301 naïve ✓ 日本語 €5 🎉🐘 \'";\\ {"a":[1]}\t\r\n';
  let text = '';
  while (Buffer.byteLength(text + line, 'utf8') <= 65_536) text += line;
  // Fill the rest with one-byte characters, so the total is exact.
  text += 'x'.repeat(65_536 - Buffer.byteLength(text, 'utf8'));
  return text;
}

const names = (jobs: readonly JobRecord[]) => jobs.map((j) => `${j.jobName}/${j.ownerName}`);

export function watchCases(current: () => StateStore): void {
  describe('registry: observe and finish', () => {
    it('observe records state, files and log tail; a null files or log tail keeps what was kept', async () => {
      const store = current();
      const j = job({ canonicalRequest: RICH_PAYLOAD });
      await seed(store, j);
      await store.registry.observe('orcl', 'HR', 'EXPORT_HR_1', {
        state: 'EXECUTING',
        files: FILES,
        logTail: 'Starting "HR"."EXPORT_HR_1":\n',
        at: at(2, 5),
      });
      const observed = { ...j, lastSeenAt: at(2, 5), files: [...FILES], logTail: 'Starting "HR"."EXPORT_HR_1":\n' };
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(observed);
      await store.registry.observe('orcl', 'HR', 'EXPORT_HR_1', {
        state: 'IDLING',
        files: null,
        logTail: null,
        at: at(3),
      });
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual({
        ...observed,
        lastState: 'IDLING',
        lastSeenAt: at(3),
      });
      // An empty list and an empty log are values, not "unknown": they replace what was kept.
      await store.registry.observe('orcl', 'HR', 'EXPORT_HR_1', {
        state: 'EXECUTING',
        files: [],
        logTail: '',
        at: at(4),
      });
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual({
        ...j,
        lastSeenAt: at(4),
        files: [],
        logTail: '',
      });
    });

    it('observe then finish: the end sets state, time and outcome, keeps the files and log tail it was not given', async () => {
      const store = current();
      const j = job();
      await seed(store, j);
      await store.registry.observe('orcl', 'HR', 'EXPORT_HR_1', {
        state: 'EXECUTING',
        files: FILES,
        logTail: 'tail 1',
        at: at(2),
      });
      await store.registry.finish('orcl', 'HR', 'EXPORT_HR_1', end());
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual({
        ...j,
        lastState: 'COMPLETED',
        lastSeenAt: at(10),
        outcome: { result: 'succeeded', source: 'ords' },
        files: [...FILES],
        logTail: 'tail 1',
      });
    });

    it('finish with files and log tail replaces them; a job never observed gets them all at once', async () => {
      const store = current();
      const [a, b] = [job({ jobName: 'A' }), job({ jobName: 'B' })];
      await seed(store, a);
      await seed(store, b);
      await store.registry.observe('orcl', 'HR', 'A', {
        state: 'EXECUTING',
        files: ['A.LOG'],
        logTail: 'old',
        at: at(2),
      });
      const outcome: JobOutcome = { result: 'failed', source: 'log', errors: 2, finishedAt: '2025-01-15T08:09:59Z' };
      const failed = end({ state: 'NOT RUNNING', outcome, files: ['A.LOG', 'A.DMP'], logTail: 'new', at: at(11) });
      await store.registry.finish('orcl', 'HR', 'A', failed);
      await store.registry.finish('orcl', 'HR', 'B', { ...failed, files: ['B.LOG'], logTail: 'b' });
      const ended = { lastState: 'NOT RUNNING', lastSeenAt: at(11), outcome };
      expect(await store.registry.find('orcl', 'HR', 'A')).toStrictEqual({
        ...a,
        ...ended,
        files: ['A.LOG', 'A.DMP'],
        logTail: 'new',
      });
      expect(await store.registry.find('orcl', 'HR', 'B')).toStrictEqual({
        ...b,
        ...ended,
        files: ['B.LOG'],
        logTail: 'b',
      });
    });

    it('finish twice keeps the first end, whatever the second says', async () => {
      const store = current();
      const j = job();
      await seed(store, j);
      const first = end({ files: ['F.LOG'], logTail: 'first' });
      await store.registry.finish('orcl', 'HR', 'EXPORT_HR_1', first);
      const recorded = await store.registry.find('orcl', 'HR', 'EXPORT_HR_1');
      await expect(
        store.registry.finish(
          'orcl',
          'HR',
          'EXPORT_HR_1',
          end({
            state: 'STOPPED',
            outcome: { result: 'stopped', source: 'inferred', errors: 9, finishedAt: at(12) },
            files: ['OTHER.LOG'],
            logTail: 'second',
            at: at(12),
          }),
        ),
      ).resolves.toBeUndefined();
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(recorded);
      expect(recorded).toStrictEqual({
        ...j,
        lastState: 'COMPLETED',
        lastSeenAt: at(10),
        outcome: first.outcome,
        files: ['F.LOG'],
        logTail: 'first',
      });
    });

    it('observe after finish changes nothing: a finished job never changes again', async () => {
      const store = current();
      await seed(store, job());
      await store.registry.finish('orcl', 'HR', 'EXPORT_HR_1', end({ files: ['F.LOG'], logTail: 'done' }));
      const recorded = await store.registry.find('orcl', 'HR', 'EXPORT_HR_1');
      await store.registry.observe('orcl', 'HR', 'EXPORT_HR_1', {
        state: 'EXECUTING',
        files: ['LATE.LOG'],
        logTail: 'late',
        at: at(20),
      });
      await store.registry.observe('orcl', 'HR', 'EXPORT_HR_1', {
        state: 'IDLING',
        files: null,
        logTail: null,
        at: at(21),
      });
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(recorded);
    });

    it('concurrent finishes of one job: exactly one end is recorded, whole (never a mix of two)', async () => {
      const store = current();
      await seed(store, job());
      const ends = Array.from({ length: 8 }, (_, i) =>
        end({
          state: i % 2 ? 'STOPPED' : 'COMPLETED',
          outcome: { result: i % 2 ? 'stopped' : 'succeeded', source: 'ords', errors: i },
          files: [`F${i}.LOG`],
          logTail: `tail ${i}`,
          at: at(10, i),
        }),
      );
      await Promise.all(ends.map((e) => store.registry.finish('orcl', 'HR', 'EXPORT_HR_1', e)));
      const recorded = (await store.registry.find('orcl', 'HR', 'EXPORT_HR_1'))!;
      const winner = ends.find((e) => e.logTail === recorded.logTail)!;
      expect(winner).toBeDefined();
      expect(recorded).toStrictEqual({
        ...job(),
        lastState: winner.state,
        lastSeenAt: winner.at,
        outcome: winner.outcome,
        files: winner.files,
        logTail: winner.logTail,
      });
    });

    it('observe and finish of an unknown job are no-ops (they never create a record); the key has all three parts', async () => {
      const store = current();
      const j = job();
      await seed(store, j);
      const seen = { state: 'EXECUTING', files: ['X.LOG'], logTail: 'x', at: at(5) };
      await store.registry.observe('orcl', 'HR', 'NO_SUCH_JOB', seen);
      await store.registry.observe('orcl2', 'HR', 'EXPORT_HR_1', seen);
      await store.registry.finish('orcl', 'SH', 'EXPORT_HR_1', end());
      await store.registry.finish('orcl', 'HR', 'NO_SUCH_JOB', end());
      expect(await store.registry.find('orcl', 'HR', 'NO_SUCH_JOB')).toBeUndefined();
      expect(await store.registry.find('orcl2', 'HR', 'EXPORT_HR_1')).toBeUndefined();
      expect(await store.registry.find('orcl', 'SH', 'EXPORT_HR_1')).toBeUndefined();
      expect(await store.registry.find('orcl', 'HR', 'EXPORT_HR_1')).toStrictEqual(j);
      expect(await store.registry.listUnfinished(10)).toStrictEqual([j]);
    });
  });

  describe('registry: what round-trips', () => {
    it('the log tail round-trips 64 KiB of UTF-8 with multibyte characters exactly (observe and finish)', async () => {
      const store = current();
      const tail = logTail64KiB();
      expect(Buffer.byteLength(tail, 'utf8')).toBe(65_536);
      expect(tail).toMatch(/🎉/u);
      await seed(store, job({ jobName: 'OBSERVED' }));
      await seed(store, job({ jobName: 'FINISHED' }));
      await store.registry.observe('orcl', 'HR', 'OBSERVED', {
        state: 'EXECUTING',
        files: null,
        logTail: tail,
        at: at(1),
      });
      await store.registry.finish('orcl', 'HR', 'FINISHED', end({ logTail: tail }));
      for (const name of ['OBSERVED', 'FINISHED']) {
        const { logTail } = (await store.registry.find('orcl', 'HR', name))!;
        expect(logTail === tail, name).toBe(true); // not toEqual: a 64 KiB diff would drown the report
        expect(Buffer.byteLength(logTail!, 'utf8')).toBe(65_536);
      }
    });

    it('outcomes round-trip with and without their optional fields (no undefined keys appear); errors 0 stays', async () => {
      const store = current();
      const outcomes: JobOutcome[] = [
        { result: 'succeeded', source: 'ords' },
        { result: 'succeeded_with_errors', source: 'log', errors: 3, finishedAt: '2025-01-15T08:09:10.123Z' },
        { result: 'failed', source: 'log', errors: 0 },
        { result: 'stopped', source: 'inferred', finishedAt: '2025-01-15T08:09:10Z' },
        { result: 'unknown', source: 'ords' },
        { result: 'running', source: 'inferred' },
      ];
      for (const [i, outcome] of outcomes.entries()) {
        await seed(store, job({ jobName: `J${i}` }));
        await store.registry.finish('orcl', 'HR', `J${i}`, end({ outcome }));
      }
      for (const [i, outcome] of outcomes.entries()) {
        const recorded = (await store.registry.find('orcl', 'HR', `J${i}`))!;
        expect(recorded.outcome).toStrictEqual(outcome);
        expect(Object.keys(recorded.outcome!).sort()).toEqual(Object.keys(outcome).sort());
      }
      // An optional field given as undefined is stored as absent.
      await seed(store, job({ jobName: 'UNDEF' }));
      await store.registry.finish(
        'orcl',
        'HR',
        'UNDEF',
        end({ outcome: { result: 'failed', source: 'ords', errors: undefined, finishedAt: undefined } }),
      );
      expect((await store.registry.find('orcl', 'HR', 'UNDEF'))!.outcome).toStrictEqual({
        result: 'failed',
        source: 'ords',
      });
    });

    it('files round-trip in order, duplicates, unicode and an empty list included; null and [] differ', async () => {
      const store = current();
      const lists: (readonly string[])[] = [[], ['B.DMP', 'A.DMP', 'A.DMP'], ['exp_日本_%U.dmp', 'Zoë "q" \\.log']];
      for (const [i, files] of lists.entries()) {
        await seed(store, job({ jobName: `J${i}` }));
        await store.registry.observe('orcl', 'HR', `J${i}`, { state: 'EXECUTING', files, logTail: null, at: at(1) });
      }
      for (const [i, files] of lists.entries())
        expect((await store.registry.find('orcl', 'HR', `J${i}`))!.files).toStrictEqual(files);
      await seed(store, job({ jobName: 'NEVER' }));
      expect((await store.registry.find('orcl', 'HR', 'NEVER'))!.files).toBeNull();
    });

    it('complete records the new fields from the record; an ended record is not listed as unfinished', async () => {
      const store = current();
      const running = job({ jobName: 'RUNNING', files: ['R.LOG'], logTail: 'r' });
      const ended = job({
        jobName: 'ENDED',
        lastState: 'COMPLETED',
        outcome: { result: 'succeeded', source: 'ords', finishedAt: at(0, 5) },
        files: [],
        logTail: '',
      });
      await seed(store, running);
      await seed(store, ended);
      expect(await store.registry.find('orcl', 'HR', 'RUNNING')).toStrictEqual(running);
      expect(await store.registry.find('orcl', 'HR', 'ENDED')).toStrictEqual(ended);
      expect(await store.registry.listUnfinished(10)).toStrictEqual([running]);
      const listed = await store.registry.listForTenant('hr-team', 'orcl', { limit: 10, offset: 0 });
      expect(listed.items).toStrictEqual([ended, running].sort((a, b) => (a.jobName < b.jobName ? -1 : 1)));
      // Ended as recorded: finish changes it no more.
      await store.registry.finish('orcl', 'HR', 'ENDED', end({ state: 'STOPPED', logTail: 'x' }));
      expect(await store.registry.find('orcl', 'HR', 'ENDED')).toStrictEqual(ended);
    });
  });

  describe('registry: listUnfinished', () => {
    it("every tenant's and database's jobs without an outcome, oldest first, then job name, then owner, in byte order", async () => {
      const store = current();
      const jobs = [
        job({ jobName: 'B', ownerName: 'HR', createdAt: at(2) }),
        job({ jobName: 'A', ownerName: 'SH', createdAt: at(2), tenant: 'sales-team' }),
        job({ jobName: 'A', ownerName: 'HR', createdAt: at(2), database: 'orcl2' }),
        job({ jobName: 'NEWEST', createdAt: at(5) }),
        job({ jobName: 'EXPORT_1', createdAt: at(1) }),
        job({ jobName: 'EXPORT1', createdAt: at(1) }),
        job({ jobName: 'EXPORT_a', createdAt: at(1) }),
        job({ jobName: 'OLDEST', createdAt: at(0, 999) }),
        job({ jobName: 'ENDED', createdAt: at(0) }),
        job({ jobName: 'ENDED_LATER', createdAt: at(3) }),
        // A terminal state without an outcome is not settled yet: still the watcher's work.
        job({ jobName: 'UNSETTLED', createdAt: at(4), lastState: 'COMPLETED' }),
      ];
      for (const j of jobs) await seed(store, j);
      await store.registry.finish('orcl', 'HR', 'ENDED', end());
      await store.registry.finish('orcl', 'HR', 'ENDED_LATER', end());
      const expected = [
        'OLDEST/HR',
        'EXPORT1/HR',
        'EXPORT_1/HR',
        'EXPORT_a/HR',
        'A/HR',
        'A/SH',
        'B/HR',
        'UNSETTLED/HR',
        'NEWEST/HR',
      ];
      expect(names(await store.registry.listUnfinished(100))).toEqual(expected);
      const first = jobs.find((j) => j.jobName === 'OLDEST');
      expect((await store.registry.listUnfinished(100))[0]).toStrictEqual(first);
      for (const limit of [1, 2, 5, 9, 10])
        expect(names(await store.registry.listUnfinished(limit)), `limit ${limit}`).toEqual(expected.slice(0, limit));
      // Observing keeps a job listed; finishing takes it off.
      await store.registry.observe('orcl', 'HR', 'OLDEST', {
        state: 'EXECUTING',
        files: ['O.LOG'],
        logTail: 'o',
        at: at(9),
      });
      expect(names(await store.registry.listUnfinished(1))).toEqual(['OLDEST/HR']);
      await store.registry.finish('orcl', 'HR', 'OLDEST', end());
      expect(names(await store.registry.listUnfinished(2))).toEqual(['EXPORT1/HR', 'EXPORT_1/HR']);
    });

    it('pages after a cursor: every unfinished job once, in order, however the pages fall', async () => {
      const store = current();
      const seeded = [
        job({ jobName: 'A', ownerName: 'HR', createdAt: at(1) }),
        job({ jobName: 'A', ownerName: 'SH', createdAt: at(1), tenant: 'sales-team' }),
        job({ jobName: 'B', createdAt: at(1) }),
        job({ jobName: 'C', createdAt: at(2) }),
        job({ jobName: 'D', createdAt: at(2) }),
        job({ jobName: 'E', createdAt: at(3) }),
        job({ jobName: 'F', createdAt: at(3), database: 'orcl2' }),
      ];
      for (const j of seeded) await seed(store, j);
      const all = names(await store.registry.listUnfinished(100));
      for (const size of [1, 2, 3, 7]) {
        const walked: string[] = [];
        let page = await store.registry.listUnfinished(size);
        while (page.length > 0) {
          walked.push(...names(page));
          page = await store.registry.listUnfinished(size, page[page.length - 1]);
        }
        expect(walked, `pages of ${size}`).toEqual(all);
      }
      // A cursor at a job that has since finished still pages on from its place.
      await store.registry.finish('orcl', 'HR', 'C', end());
      expect(names(await store.registry.listUnfinished(2, seeded[3]))).toEqual(['D/HR', 'E/HR']);
    });

    it('updateState leaves a finished job as the watcher recorded it', async () => {
      const store = current();
      await seed(store, job({ jobName: 'DONE' }));
      await store.registry.finish('orcl', 'HR', 'DONE', end({ state: 'COMPLETED' }));
      const finished = await store.registry.find('orcl', 'HR', 'DONE');
      await store.registry.updateState('orcl', 'HR', 'DONE', 'EXECUTING', at(9));
      expect(await store.registry.find('orcl', 'HR', 'DONE')).toStrictEqual(finished);
    });

    it('is empty for an empty registry and once every job has ended', async () => {
      const store = current();
      expect(await store.registry.listUnfinished(10)).toEqual([]);
      await seed(store, job());
      await store.registry.finish('orcl', 'HR', 'EXPORT_HR_1', end());
      expect(await store.registry.listUnfinished(10)).toEqual([]);
    });
  });

  describe('registry: finish and the quota', () => {
    it('a finished job no longer counts towards concurrentJobs nor databaseRunningJobs; it still counts for the day', async () => {
      const store = current();
      await seed(store, job({ jobName: 'RUNNING' }));
      await seed(store, job({ jobName: 'OTHER_TENANT', tenant: 'sales-team', ownerName: 'SH' }));
      const probe = (limits: Parameters<typeof quota>[0]) =>
        store.intents.claim(intent({ idempotencyKey: null }), quota(limits));
      expect(await probe({ concurrentJobs: 1 })).toEqual({ outcome: 'over-quota', quota: 'concurrent_jobs', count: 1 });
      expect(await probe({ concurrentJobs: 5, databaseRunningJobs: 2 })).toEqual({
        outcome: 'over-quota',
        quota: 'database_running_jobs',
        count: 2,
      });
      // Observing a running job changes nothing about its quota.
      await store.registry.observe('orcl', 'HR', 'RUNNING', {
        state: 'EXECUTING',
        files: null,
        logTail: 'x',
        at: at(2),
      });
      expect(await probe({ concurrentJobs: 1 })).toEqual({ outcome: 'over-quota', quota: 'concurrent_jobs', count: 1 });

      await store.registry.finish('orcl', 'HR', 'RUNNING', end({ state: 'NOT RUNNING', at: at(3) }));
      await store.registry.finish('orcl', 'SH', 'OTHER_TENANT', end({ state: 'STOPPED', at: at(3) }));
      expect(await probe({ concurrentJobs: 1, databaseRunningJobs: 1 })).toEqual({ outcome: 'claimed' });
      // The probe just claimed holds the place now; the finished job still counts towards the day.
      expect(await probe({ jobsPerDay: 2 })).toEqual({ outcome: 'over-quota', quota: 'daily_jobs', count: 2 });
    });
  });
}
