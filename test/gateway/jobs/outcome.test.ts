// How a job ended, from its log's last lines, ORDS's state or its vanishing: table-driven over Data Pump's end lines.
import { describe, expect, it } from 'vitest';

import { endOf, isTerminalState, outcomeFromLog, publicOutcome } from '../../../src/gateway/jobs/outcome.js';

const job = 'Job "HR"."DATAPUMP_REST_EXPORT_20261201093349"';

describe('outcomeFromLog', () => {
  it.each([
    [
      `${job} successfully completed at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05`,
      { result: 'succeeded', source: 'log', errors: 0, finishedAt: '2026-12-01T09:33:54.000Z' },
    ],
    [
      `${job} completed with 3 error(s) at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05`,
      { result: 'succeeded_with_errors', source: 'log', errors: 3, finishedAt: '2026-12-01T09:33:54.000Z' },
    ],
    [
      `${job} completed with 0 error(s) at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05`,
      { result: 'succeeded', source: 'log', errors: 0, finishedAt: '2026-12-01T09:33:54.000Z' },
    ],
    [
      `${job} stopped due to fatal error at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05`,
      { result: 'failed', source: 'log', finishedAt: '2026-12-01T09:33:54.000Z' },
    ],
    [
      `${job} stopped by user request at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05`,
      { result: 'stopped', source: 'log', finishedAt: '2026-12-01T09:33:54.000Z' },
    ],
    // Data Pump before 12c wrote only the time of day: the result stands, the time is not guessed.
    [`${job} successfully completed at 09:33:54`, { result: 'succeeded', source: 'log', errors: 0 }],
    // A single-digit day, padded with two spaces (ctime style).
    [
      `${job} successfully completed at Tue Dec  1 09:33:54 2026 elapsed 0 00:00:05`,
      { result: 'succeeded', source: 'log', errors: 0, finishedAt: '2026-12-01T09:33:54.000Z' },
    ],
    // Quotes in a name are doubled by Data Pump.
    [
      'Job "HR"."MY ""ODD"" JOB" successfully completed at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05',
      { result: 'succeeded', source: 'log', errors: 0, finishedAt: '2026-12-01T09:33:54.000Z' },
    ],
    // An impossible date: the result is read, the time left out.
    [
      `${job} successfully completed at Tue Dec 1 25:33:54 2026 elapsed 0 00:00:05`,
      { result: 'succeeded', source: 'log', errors: 0 },
    ],
  ])('reads %s', (line, expected) => {
    expect(outcomeFromLog(`Starting ${job}:\nProcessing object type SCHEMA_EXPORT/TABLE\n${line}\n`, 'UTC')).toEqual(
      expected,
    );
  });

  it.each([
    ['a running job (no end line yet)', `Starting ${job}:\nProcessing object type SCHEMA_EXPORT/TABLE\n`],
    ['a log in another language', `Tâche ${job} terminée avec succès à mar. déc. 1 09:33:54 2026\n`],
    [
      'an end line quoted inside another line',
      `ORA-39001: see ${job} successfully completed at Tue Dec 1 09:33:54 2026`,
    ],
    ['an empty log', ''],
  ])('gives nothing for %s', (_what, log) => {
    expect(outcomeFromLog(log, 'UTC')).toBeUndefined();
  });

  it('takes the last end line (a restarted job ends again)', () => {
    const log = [
      `${job} stopped due to fatal error at Tue Dec 1 09:00:00 2026 elapsed 0 00:00:05`,
      `Job ${job.slice(4)} has been reopened at Tue Dec 1 09:30:00 2026`,
      `${job} successfully completed at Tue Dec 1 09:40:00 2026 elapsed 0 00:10:00`,
    ].join('\r\n');
    expect(outcomeFromLog(log, 'UTC')).toMatchObject({ result: 'succeeded', finishedAt: '2026-12-01T09:40:00.000Z' });
  });

  it.each([
    ['Europe/Berlin', 'Tue Dec 1 10:33:54 2026', '2026-12-01T09:33:54.000Z'], // CET, UTC+1
    ['Europe/Berlin', 'Mon Jul 6 11:33:54 2026', '2026-07-06T09:33:54.000Z'], // CEST, UTC+2
    ['America/New_York', 'Tue Dec 1 04:33:54 2026', '2026-12-01T09:33:54.000Z'],
    ['Asia/Kolkata', 'Tue Dec 1 15:03:54 2026', '2026-12-01T09:33:54.000Z'],
    ['UTC', 'Tue Dec 1 09:33:54 2026', '2026-12-01T09:33:54.000Z'],
  ])('converts a log time in %s (%s) to UTC', (zone, date, utc) => {
    const outcome = outcomeFromLog(`${job} successfully completed at ${date} elapsed 0 00:00:05`, zone);
    expect(outcome?.finishedAt).toBe(utc);
  });
});

describe('endOf', () => {
  const success = `${job} successfully completed at Tue Dec 1 09:33:54 2026 elapsed 0 00:00:05\n`;
  const failure = `ORA-39002: invalid operation\n${job} stopped due to fatal error at Tue Dec 1 09:33:54 2026\n`;

  it.each([
    ['EXECUTING', null, undefined],
    ['DEFINING', success, undefined], // ORDS still shows it running: the log's end line is not trusted early
    ['COMPLETED', null, { state: 'COMPLETED', outcome: { result: 'succeeded', source: 'ords' } }],
    ['STOPPED', null, { state: 'STOPPED', outcome: { result: 'stopped', source: 'ords' } }],
    // keep_master=1 (ORDS 25.4's default): a success lingers as NOT RUNNING; only the log can say it succeeded.
    ['NOT RUNNING', success, { state: 'NOT RUNNING', outcome: { result: 'succeeded', source: 'log' } }],
    ['NOT RUNNING', failure, { state: 'NOT RUNNING', outcome: { result: 'failed', source: 'log' } }],
    ['NOT RUNNING', null, { state: 'NOT RUNNING', outcome: { result: 'unknown', source: 'ords' } }],
    // Padded values from a kept control table.
    ['NOT RUNNING                   ', null, { state: 'NOT RUNNING', outcome: { result: 'unknown', source: 'ords' } }],
    // Gone from ORDS: the kept log says how; without one, success is inferred (a dropped control table).
    [undefined, success, { state: 'COMPLETED', outcome: { result: 'succeeded', source: 'log' } }],
    [undefined, failure, { state: 'NOT RUNNING', outcome: { result: 'failed', source: 'log' } }],
    [undefined, null, { state: 'COMPLETED', outcome: { result: 'succeeded', source: 'inferred' } }],
    [undefined, 'Starting …\n', { state: 'COMPLETED', outcome: { result: 'succeeded', source: 'inferred' } }],
  ])('ORDS state %j with log %j', (ordsState, logTail, expected) => {
    const end = endOf({ ordsState, logTail, timeZone: 'UTC' });
    if (expected === undefined) expect(end).toBeUndefined();
    else expect(end).toMatchObject(expected);
  });

  it('every end it reports has a terminal state', () => {
    for (const ordsState of [undefined, 'COMPLETED', 'STOPPED', 'NOT RUNNING'])
      for (const logTail of [null, success, failure]) {
        const end = endOf({ ordsState, logTail, timeZone: 'UTC' });
        expect(end && isTerminalState(end.state)).toBe(true);
      }
  });
});

describe('publicOutcome', () => {
  it('writes snake case and leaves out what is unknown', () => {
    expect(publicOutcome({ result: 'succeeded', source: 'inferred' })).toEqual({
      result: 'succeeded',
      source: 'inferred',
    });
    expect(publicOutcome({ result: 'succeeded_with_errors', source: 'log', errors: 2, finishedAt: 'T' })).toEqual({
      result: 'succeeded_with_errors',
      source: 'log',
      errors: 2,
      finished_at: 'T',
    });
  });
});
