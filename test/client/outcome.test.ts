// waitForJob and the helpers decide "done" and "failed" by the job's outcome, not its state: a scripted gateway
// behind an injected fetch (no gateway, no emulator), one job per outcome.
import { describe, expect, it } from 'vitest';

import {
  createDatapumpClient,
  DatapumpJobFailedError,
  DatapumpWaitTimeoutError,
  describeOutcome,
  isFinished,
  isSuccessful,
  isTerminal,
  type Job,
  type JobOutcome,
  outcomeOf,
  TERMINAL_STATES,
  type WaitProgress,
  withOutcome,
} from '../../src/client/index.js';
import { FAKE_URL, FakeGateway, fakeJob, problem, RUNNING, type Script } from './fake-gateway.js';

const LOG_RUNNING = ';;; Export: Release 19.0.0.0.0\nStarting "PDBADMIN"."JOB":\nPercent done: 40\n';
const LOG_OK = `${LOG_RUNNING}Job "PDBADMIN"."JOB" successfully completed at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:06\n`;
const LOG_ERRORS = `${LOG_RUNNING}ORA-39083: Object type GRANT failed to create\nJob "PDBADMIN"."JOB" completed with 3 error(s) at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:06\n`;
const LOG_FAILED = `${LOG_RUNNING}ORA-39001: invalid argument value\nORA-31640: unable to open dump file "HR_FAIL.DMP" for read\nJob "PDBADMIN"."JOB" stopped due to fatal error at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:01\n`;
const LOG_STOPPED = `${LOG_RUNNING}Job "PDBADMIN"."JOB" stopped by user request at Fri Sep 6 15:57:42 2019 elapsed 0 00:00:03\n`;

const out = (result: JobOutcome['result'], source: JobOutcome['source'] = 'log', more: Partial<JobOutcome> = {}) =>
  ({ result, source, ...more }) as JobOutcome;

/** A job that runs for two reads, then ends in `state` with `outcome`. */
function endsAs(name: string, state: string, outcome: JobOutcome | undefined, log: string): Script {
  const running = { state: 'EXECUTING', outcome: RUNNING };
  return {
    name,
    steps: [running, running, { state, ...(outcome ? { outcome } : {}) }],
    logs: [LOG_RUNNING, LOG_RUNNING, log],
    legacy: outcome === undefined,
  };
}

function setup(...scripts: Script[]) {
  const gateway = new FakeGateway(scripts);
  const client = createDatapumpClient({ baseUrl: FAKE_URL, apiKey: 'k', database: 'orcl', fetch: gateway.fetch });
  const wait = (
    name: string,
    extra: { timeoutMs?: number; onProgress?: (p: WaitProgress) => void; progressLog?: boolean } = {},
  ) => client.waitForJob(`PDBADMIN,${name}`, { pollIntervalMs: 5, maxPollIntervalMs: 10, ...extra });
  const failure = async (name: string) => {
    const error = await wait(name).then(
      (job) => new Error(`resolved with ${job.state} ${JSON.stringify(job.outcome)}`),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatapumpJobFailedError);
    return error as DatapumpJobFailedError;
  };
  return { gateway, client, wait, failure };
}

describe('waitForJob decides by the outcome', () => {
  it('resolves for succeeded, polling with If-None-Match through 304s, reporting the outcome', async () => {
    const running = { state: 'EXECUTING', outcome: RUNNING };
    const done = out('succeeded', 'log', { errors: 0, finished_at: '2019-09-06T15:57:42Z' });
    const { gateway, wait } = setup({
      name: 'OK',
      steps: [running, running, running, { state: 'COMPLETED', outcome: done }],
    });
    const progress: WaitProgress[] = [];
    const job = await wait('OK', { onProgress: (p) => progress.push(p) });
    expect(job).toMatchObject({ state: 'COMPLETED', outcome: done });
    const reads = gateway.requests.filter((r) => r.path.endsWith(',OK/'));
    expect(reads.map((r) => r.status)).toEqual([200, 304, 304, 200]);
    expect(reads[0]!.ifNoneMatch).toBeNull();
    expect(reads.slice(1).every((r) => r.ifNoneMatch?.startsWith('"'))).toBe(true);
    expect(progress.map((p) => p.outcome.result)).toEqual(['running', 'running', 'running', 'succeeded']);
    expect(progress.map((p) => p.changed)).toEqual([true, false, false, true]);
  });

  it('resolves for a success that reads NOT RUNNING (ORDS 25.4 keep_master)', async () => {
    const { wait } = setup(endsAs('KEPT', 'NOT RUNNING', out('succeeded', 'log', { errors: 0 }), LOG_OK));
    const job = await wait('KEPT');
    expect(job.state).toBe('NOT RUNNING');
    expect(job.outcome.result).toBe('succeeded');
    expect(isSuccessful(job)).toBe(true);
  });

  it('resolves for succeeded_with_errors, with the error count on the job', async () => {
    const { wait } = setup(endsAs('ERRS', 'COMPLETED', out('succeeded_with_errors', 'log', { errors: 3 }), LOG_ERRORS));
    const job = await wait('ERRS');
    expect(job.outcome).toMatchObject({ result: 'succeeded_with_errors', errors: 3 });
    expect(describeOutcome(job.outcome)).toBe('succeeded with 3 errors');
  });

  it('resolves for a success the gateway inferred (ORDS forgot the job, its log is gone)', async () => {
    const { wait } = setup(endsAs('GONE', 'COMPLETED', out('succeeded', 'inferred'), ''));
    const job = await wait('GONE');
    expect(job.outcome).toEqual({ result: 'succeeded', source: 'inferred' });
    expect(describeOutcome(job.outcome)).toBe('succeeded (inferred)');
  });

  it('resolves for an inferred success whose log link is gone, reading progress from the log while there was one', async () => {
    const { wait } = setup({
      name: 'VANISHED',
      steps: [
        { state: 'EXECUTING', outcome: RUNNING },
        { state: 'COMPLETED', outcome: out('succeeded', 'inferred'), noLog: true },
      ],
      logs: [LOG_RUNNING],
    });
    const progress: WaitProgress[] = [];
    const job = await wait('VANISHED', { onProgress: (p) => progress.push(p), progressLog: true });
    expect(job.outcome.source).toBe('inferred');
    expect(progress.map((p) => p.lastLogLine)).toEqual(['Percent done: 40', undefined]);
  });

  it('keeps polling while the outcome is running, though the state is already terminal', async () => {
    const { gateway, wait } = setup({
      name: 'LATE',
      steps: [
        { state: 'EXECUTING', outcome: RUNNING },
        { state: 'NOT RUNNING', outcome: RUNNING },
        { state: 'NOT RUNNING', outcome: RUNNING },
        { state: 'NOT RUNNING', outcome: out('succeeded') },
      ],
    });
    const job = await wait('LATE');
    expect(job.outcome.result).toBe('succeeded');
    expect(gateway.reads('LATE')).toBe(4);
  });

  it("rejects for failed in NOT RUNNING, with the state, the outcome and the log's last lines", async () => {
    const outcome = out('failed', 'log', { finished_at: '2019-09-06T15:57:42Z' });
    const { failure } = setup(endsAs('FAILED', 'NOT RUNNING', outcome, LOG_FAILED));
    const error = await failure('FAILED');
    expect(error.state).toBe('NOT RUNNING');
    expect(error.outcome).toEqual(outcome);
    expect(error.job.outcome).toEqual(outcome);
    expect(error.logTail).toContain('ORA-31640: unable to open dump file "HR_FAIL.DMP" for read');
    expect(error.logTail.at(-1)).toMatch(/stopped due to fatal error/);
    expect(error.message).toBe('job PDBADMIN,FAILED ended NOT RUNNING (failed): ORA-39001: invalid argument value');
  });

  it.each([
    ['stopped', 'STOPPED', LOG_STOPPED, 'job PDBADMIN,J ended STOPPED (stopped): Job'],
    ['unknown', 'NOT RUNNING', LOG_RUNNING, 'job PDBADMIN,J ended NOT RUNNING (outcome unknown): Percent done: 40'],
  ] as const)('rejects for %s', async (result, state, log, message) => {
    const { failure } = setup(endsAs('J', state, out(result, result === 'unknown' ? 'ords' : 'log'), log));
    const error = await failure('J');
    expect(error).toMatchObject({ state, outcome: { result } });
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('rejects for a failure in COMPLETED: the outcome wins over the state', async () => {
    const { failure } = setup(endsAs('ODD', 'COMPLETED', out('failed'), LOG_FAILED));
    expect((await failure('ODD')).state).toBe('COMPLETED');
  });

  it('rejects for a result this client does not know (from a newer gateway)', async () => {
    const { failure } = setup(endsAs('NEW', 'STOPPED', out('cancelled' as JobOutcome['result']), LOG_STOPPED));
    const error = await failure('NEW');
    expect(error.outcome.result).toBe('cancelled');
    expect(error.message).toMatch(/ended STOPPED \(cancelled\)/);
  });

  describe('an older gateway, whose answers have no outcome: by the terminal state, as before', () => {
    it('resolves for COMPLETED, with an outcome read off the state', async () => {
      const { gateway, wait } = setup(endsAs('OLD_OK', 'COMPLETED', undefined, LOG_OK));
      const progress: WaitProgress[] = [];
      const job = await wait('OLD_OK', { onProgress: (p) => progress.push(p) });
      expect(job.state).toBe('COMPLETED');
      expect(job.outcome).toEqual({ result: 'succeeded', source: 'ords' });
      expect(progress[0]!.outcome.result).toBe('running');
      expect(gateway.reads('OLD_OK')).toBe(3);
    });

    it.each([
      ['NOT RUNNING', 'unknown'],
      ['STOPPED', 'stopped'],
    ] as const)('rejects for %s (outcome %s)', async (state, result) => {
      const { failure } = setup(endsAs('OLD_BAD', state, undefined, LOG_FAILED));
      const error = await failure('OLD_BAD');
      expect(error.state).toBe(state);
      expect(error.outcome).toEqual({ result, source: 'ords' });
      expect(error.logTail.some((l) => l.startsWith('ORA-31640'))).toBe(true);
    });
  });

  describe('waiting as before', () => {
    it('waits out a 503 and a 429 after their Retry-After, then goes on', async () => {
      const { gateway, wait } = setup(endsAs('BUSY', 'NOT RUNNING', out('succeeded'), LOG_OK));
      gateway.interruptions.push(
        () => problem(503, 'upstream-unavailable', '0'),
        () => problem(429, 'rate-limited', '0'),
      );
      expect((await wait('BUSY')).outcome.result).toBe('succeeded');
      expect(gateway.requests.filter((r) => r.path.endsWith(',BUSY/')).map((r) => r.status)).toEqual([
        503, 429, 200, 304, 200,
      ]);
    });

    it('rejects with DatapumpWaitTimeoutError while the outcome stays running', async () => {
      const { wait } = setup({ name: 'SLOW', steps: [{ state: 'NOT RUNNING', outcome: RUNNING }] });
      const error = await wait('SLOW', { timeoutMs: 80 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatapumpWaitTimeoutError);
      expect((error as DatapumpWaitTimeoutError).job?.state).toBe('NOT RUNNING');
    });
  });
});

describe('the outcome helpers', () => {
  const job = (state: string, outcome?: JobOutcome): Job =>
    fakeJob('J', { state, ...(outcome ? { outcome } : {}) }, !outcome);

  it('outcomeOf is the gateway’s outcome, else read off the state', () => {
    const given = out('succeeded_with_errors', 'log', { errors: 2 });
    expect(outcomeOf(job('COMPLETED', given))).toBe(given);
    expect(outcomeOf(job('EXECUTING'))).toEqual({ result: 'running', source: 'ords' });
    expect(outcomeOf(job('COMPLETED'))).toEqual({ result: 'succeeded', source: 'ords' });
    expect(outcomeOf(job('STOPPED'))).toEqual({ result: 'stopped', source: 'ords' });
    expect(outcomeOf(job('NOT RUNNING'))).toEqual({ result: 'unknown', source: 'ords' });
    expect(outcomeOf({ state: ' not running ' })).toEqual({ result: 'unknown', source: 'ords' });
  });

  it('isFinished and isSuccessful follow the outcome, not the state', () => {
    expect(isFinished(job('NOT RUNNING', RUNNING))).toBe(false);
    expect(isFinished(job('EXECUTING', out('succeeded')))).toBe(true);
    expect(isSuccessful(job('NOT RUNNING', out('succeeded')))).toBe(true);
    expect(isSuccessful(job('COMPLETED', out('succeeded_with_errors', 'log', { errors: 1 })))).toBe(true);
    for (const result of ['failed', 'stopped', 'unknown', 'running'] as const)
      expect(isSuccessful(job('NOT RUNNING', out(result)))).toBe(false);
    expect(isSuccessful(job('COMPLETED'))).toBe(true);
    expect(isSuccessful(job('NOT RUNNING'))).toBe(false);
  });

  it('withOutcome fills in a missing outcome, and keeps a given one (the same object)', () => {
    const modern = job('COMPLETED', out('succeeded'));
    expect(withOutcome(modern)).toBe(modern);
    const old = job('STOPPED');
    expect(withOutcome(old)).toEqual({ ...old, outcome: { result: 'stopped', source: 'ords' } });
    expect('outcome' in old).toBe(false);
  });

  it('describeOutcome says how it ended, and when the gateway inferred it', () => {
    expect(describeOutcome(out('succeeded'))).toBe('succeeded');
    expect(describeOutcome(out('succeeded_with_errors', 'log', { errors: 3 }))).toBe('succeeded with 3 errors');
    expect(describeOutcome(out('succeeded_with_errors', 'log', { errors: 1 }))).toBe('succeeded with 1 error');
    expect(describeOutcome(out('succeeded_with_errors'))).toBe('succeeded with errors');
    expect(describeOutcome(out('failed'))).toBe('failed');
    expect(describeOutcome(out('stopped'))).toBe('stopped');
    expect(describeOutcome(out('unknown', 'ords'))).toBe('outcome unknown');
    expect(describeOutcome(out('running', 'ords'))).toBe('running');
    expect(describeOutcome(out('succeeded', 'inferred'))).toBe('succeeded (inferred)');
  });

  it('isTerminal and TERMINAL_STATES work as they did', () => {
    expect(TERMINAL_STATES).toEqual(['COMPLETED', 'STOPPED', 'NOT RUNNING']);
    expect(isTerminal('NOT RUNNING')).toBe(true);
    expect(isTerminal('EXECUTING')).toBe(false);
  });

  it('DatapumpJobFailedError reads the outcome off the job (or its state)', () => {
    const e = new DatapumpJobFailedError(job('NOT RUNNING'), ['ORA-39001: invalid argument value']);
    expect(e).toMatchObject({ state: 'NOT RUNNING', outcome: { result: 'unknown', source: 'ords' } });
    expect(e.message).toBe('job PDBADMIN,J ended NOT RUNNING (outcome unknown): ORA-39001: invalid argument value');
    const inferred = new DatapumpJobFailedError(job('NOT RUNNING', out('failed', 'inferred')), []);
    expect(inferred.message).toBe('job PDBADMIN,J ended NOT RUNNING (failed, inferred)');
  });
});
