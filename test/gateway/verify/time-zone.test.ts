// The time-zone inference, table-driven: job-name times and log dates against the server's Date, in the configured zone.
import { describe, expect, it } from 'vitest';

import { logDates, parseLogDate } from '../../../src/gateway/verify/log-dates.js';
import {
  formatOffset,
  inferTimeZone,
  nameWallTime,
  type ZoneEvidence,
  zoneOffsetMinutes,
} from '../../../src/gateway/verify/time-zone.js';

/** The server's clock in every case: 2026-05-01 12:00:00 UTC (summer time in Europe and North America). */
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
/** An ORDS job name stamped with this wall time (`HH:MM:SS` on 2026-05-01, or a full `YYYY-MM-DD HH:MM:SS`). */
const named = (wall: string) => {
  const full = wall.length === 8 ? `2026-05-01 ${wall}` : wall;
  return `DATAPUMP_REST_EXPORT_${full.replace(/[-: ]/g, '')}`;
};
/** `2026-05-01 10:59:00` as a wall time (the fields read as UTC). */
const wall = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`);
const running = (at: string) => ({ name: named(at), state: 'EXECUTING' });

const cases: Array<{
  name: string;
  zone: string;
  evidence: ZoneEvidence;
  status: 'PASS' | 'WARN';
  summary: RegExp;
  inferred?: number;
}> = [
  {
    name: 'UTC, a job started 30 s ago',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [running('11:59:30')] },
    status: 'PASS',
    summary: /started 30 s before the server's clock read in UTC \(UTC\+00:00\): consistent/,
    inferred: 0,
  },
  {
    name: 'configured UTC, the database in Tokyo',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [running('20:59:50')] },
    status: 'WARN',
    summary: /is 8 h 59 min later than the server's clock read in UTC .*UTC\+09:00 if the job started just now/,
    inferred: 540,
  },
  {
    name: 'configured Asia/Tokyo, the database in Tokyo',
    zone: 'Asia/Tokyo',
    evidence: { serverNow: NOW, jobs: [running('20:59:50')] },
    status: 'PASS',
    summary: /Asia\/Tokyo \(UTC\+09:00\): consistent/,
    inferred: 540,
  },
  {
    name: 'configured UTC, the database in New York: behind, so age and zone cannot be told apart',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [running('07:59:00')] },
    status: 'WARN',
    summary: /started 4 h 1 min before .*: either it has run that long, or the database's clock is UTC-04:00/,
    inferred: -240,
  },
  {
    name: 'configured America/New_York (summer time), the database in New York',
    zone: 'America/New_York',
    evidence: { serverNow: NOW, jobs: [running('07:59:00')] },
    status: 'PASS',
    summary: /America\/New_York \(UTC-04:00\): consistent/,
  },
  {
    name: 'configured Europe/Paris (summer time, +02:00)',
    zone: 'Europe/Paris',
    evidence: { serverNow: NOW, jobs: [running('13:58:00'), { name: named('13:59:00'), state: 'NOT RUNNING' }] },
    status: 'PASS',
    summary: /started 2 min 0 s before .*Europe\/Paris \(UTC\+02:00\)/,
  },
  {
    name: 'a quarter-hour zone (Kathmandu, +05:45) configured as UTC',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [running('17:44:40')] },
    status: 'WARN',
    summary: /UTC\+05:45 if the job started just now/,
    inferred: 345,
  },
  {
    name: 'padded state, _2 suffix',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [{ name: `${named('11:58:00')}_2`, state: 'EXECUTING                     ' }] },
    status: 'PASS',
    summary: /_2 \(EXECUTING\) started 2 min 0 s before/,
  },
  {
    name: 'a clock a little ahead (within the 2 min allowed)',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [running('12:01:00')] },
    status: 'PASS',
    summary: /started 1 min 0 s after the server's clock/,
  },
  {
    name: 'the newest job older than any offset (an emulator on a manual clock)',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [running('2019-09-06 15:57:36')] },
    status: 'WARN',
    summary: /^cannot tell: .*more than any offset explains/,
  },
  {
    name: 'more than 14 h ahead',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [running('2026-05-02 03:00:00')] },
    status: 'WARN',
    summary: /^cannot tell: .* more than 14 h ahead/,
  },
  {
    name: 'no running job, none ahead',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [{ name: named('09:00:00'), state: 'NOT RUNNING' }] },
    status: 'WARN',
    summary: /^cannot tell: no running ORDS job/,
  },
  {
    name: 'no running job, but a finished one ahead of the server: the zone is wrong all the same',
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [{ name: named('13:30:00'), state: 'COMPLETED' }] },
    status: 'WARN',
    summary: /1 h 30 min later .*UTC\+01:30 if the job started just now/,
    inferred: 90,
  },
  {
    name: "a log end date ahead of the server's clock",
    zone: 'UTC',
    evidence: {
      serverNow: NOW,
      jobs: [{ name: named('08:00:00'), state: 'NOT RUNNING' }],
      log: { job: named('08:00:00'), started: wall('2026-05-01 08:00:01'), ended: wall('2026-05-01 14:00:00') },
    },
    status: 'WARN',
    summary: /log end \(2026-05-01 14:00:00\) is 2 h 0 min later/,
    inferred: 120,
  },
  {
    name: 'the name and its log disagree',
    zone: 'UTC',
    evidence: {
      serverNow: NOW,
      jobs: [running('11:59:00')],
      log: { job: named('11:59:00'), started: wall('2026-05-01 10:59:00') },
    },
    status: 'WARN',
    summary:
      /started 1 min 0 s before .*; and job .*'s name says 2026-05-01 11:59:00, its log's start 2026-05-01 10:59:00 \(1 h 0 min apart\)/,
  },
  {
    name: 'no Date header',
    zone: 'UTC',
    evidence: { serverNow: undefined, jobs: [running('11:59:30')] },
    status: 'WARN',
    summary: /^cannot tell: the server sent no Date header/,
  },
  {
    name: "only other tools' names",
    zone: 'UTC',
    evidence: { serverNow: NOW, jobs: [{ name: 'SYS_EXPORT_SCHEMA_01', state: 'EXECUTING' }] },
    status: 'WARN',
    summary: /^cannot tell: no ORDS-named job/,
  },
];

describe('inferTimeZone', () => {
  it.each(cases)('$name', ({ zone, evidence, status, summary, inferred }) => {
    const verdict = inferTimeZone(evidence, zone);
    expect(verdict.status).toBe(status);
    expect(verdict.summary).toMatch(summary);
    if (inferred !== undefined) expect(verdict.inferredOffsetMinutes).toBe(inferred);
  });
});

describe('the readings it rests on', () => {
  it.each([
    ['DATAPUMP_REST_EXPORT_20190906155736', Date.UTC(2019, 8, 6, 15, 57, 36)],
    ['DATAPUMP_REST_IMPORT_20190906154258_3', Date.UTC(2019, 8, 6, 15, 42, 58)],
    ['DATAPUMP_REST_EXPORT_20191306155736', undefined],
    ['DATAPUMP_REST_EXPORT_2019090615573', undefined],
    ['SYS_EXPORT_SCHEMA_01', undefined],
  ])('nameWallTime(%s)', (name, expected) => {
    expect(nameWallTime(name)).toBe(expected);
  });

  it.each([
    ['UTC', NOW, 0],
    ['Asia/Tokyo', NOW, 540],
    ['America/New_York', NOW, -240],
    ['America/New_York', Date.UTC(2026, 0, 15), -300],
    ['Asia/Kathmandu', NOW, 345],
    ['Not/AZone', NOW, undefined],
  ])('zoneOffsetMinutes(%s)', (zone, at, expected) => {
    expect(zoneOffsetMinutes(zone, at)).toBe(expected);
  });

  it.each([
    [0, 'UTC+00:00'],
    [540, 'UTC+09:00'],
    [-240, 'UTC-04:00'],
    [345, 'UTC+05:45'],
    [-570, 'UTC-09:30'],
  ])('formatOffset(%i)', (minutes, text) => {
    expect(formatOffset(minutes)).toBe(text);
  });

  it("reads a log head's start and end dates (the emulator's, and expdp's spelling)", () => {
    const head = [
      ';;; ORDS emulator (datapump-gateway): a simulated Data Pump log; nothing was executed.',
      ';;; Export: Release 19.0.0.0.0 - Production on Fri Sep 6 15:57:36 2019',
      'Starting "PDBADMIN"."DATAPUMP_REST_EXPORT_20190906155736":',
      'Job "PDBADMIN"."DATAPUMP_REST_EXPORT_20190906155736" successfully completed at Fri Sep 6 15:57:41 2019 elapsed 0 00:00:05',
    ].join('\n');
    expect(logDates(head)).toEqual({
      started: Date.UTC(2019, 8, 6, 15, 57, 36),
      ended: Date.UTC(2019, 8, 6, 15, 57, 41),
    });
    expect(logDates('Export: Release 19.0.0.0.0 - Production on Tue Dec  1 09:33:54 2026\n')).toEqual({
      started: Date.UTC(2026, 11, 1, 9, 33, 54),
    });
    expect(logDates('Percent done: 50\n')).toEqual({});
  });

  it.each(['Fri Sep 6 25:57:36 2019', 'Fri Foo 6 15:57:36 2019', '2019-09-06 15:57:36'])(
    'parseLogDate(%s) is undefined',
    (text) => {
      expect(parseLogDate(text)).toBeUndefined();
    },
  );
});
