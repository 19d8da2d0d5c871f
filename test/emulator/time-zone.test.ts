// dbTimeZone: job names, default file names and log dates are written in the database's time zone, not UTC.
import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../../src/emulator/index.js';
import { timeFormat } from '../../src/emulator/time-format.js';
import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };
const related = (job: { links: Array<{ rel: string; href: string }> }) =>
  job.links.filter((l) => l.rel === 'related').map((l) => l.href.split('/').pop());

// The manual clock starts at 2019-09-06T15:57:36Z (a Friday); jobs run 5 s.
// [zone, job-name stamp, log file, dump file, log start date, log end date]
const ZONES: Array<[string, string, string, string, string, string]> = [
  [
    'UTC',
    '20190906155736',
    'EXPDAT-2019-09-06-15_57_36.LOG',
    'EXPDAT01-15_57_36.DMP',
    'Fri Sep 6 15:57:36 2019',
    'Fri Sep 6 15:57:41 2019',
  ],
  [
    'America/New_York', // EDT, UTC-4
    '20190906115736',
    'EXPDAT-2019-09-06-11_57_36.LOG',
    'EXPDAT01-11_57_36.DMP',
    'Fri Sep 6 11:57:36 2019',
    'Fri Sep 6 11:57:41 2019',
  ],
  [
    'Asia/Kolkata', // UTC+5:30
    '20190906212736',
    'EXPDAT-2019-09-06-21_27_36.LOG',
    'EXPDAT01-21_27_36.DMP',
    'Fri Sep 6 21:27:36 2019',
    'Fri Sep 6 21:27:41 2019',
  ],
  [
    'Pacific/Kiritimati', // UTC+14: already Saturday
    '20190907055736',
    'EXPDAT-2019-09-07-05_57_36.LOG',
    'EXPDAT01-05_57_36.DMP',
    'Sat Sep 7 05:57:36 2019',
    'Sat Sep 7 05:57:41 2019',
  ],
  [
    'Pacific/Pago_Pago', // UTC-11
    '20190906045736',
    'EXPDAT-2019-09-06-04_57_36.LOG',
    'EXPDAT01-04_57_36.DMP',
    'Fri Sep 6 04:57:36 2019',
    'Fri Sep 6 04:57:41 2019',
  ],
];

describe('dbTimeZone', () => {
  it.each(ZONES)('%s: names, files and log dates in the zone', async (zone, stamp, log, dump, start, end) => {
    const { jobs, clock } = await startTestEmulator({ dbTimeZone: zone, jobDurationMs: 5000 });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    expect(created.json.job_name).toBe(`DATAPUMP_REST_EXPORT_${stamp}`);
    expect(related(created.json)).toEqual([log]);
    clock.advance(5000);
    const job = (await call(created.headers.location!, { headers: auth })).json;
    expect(related(job)).toEqual([log, dump]);
    const text = (await call(`${created.headers.location!}${log}`, { headers: auth })).text;
    expect(text).toContain(`;;; Export: Release 19.0.0.0.0 - Production on ${start}\n`);
    expect(text).toContain(`;;;   file_name: EXPDAT%U-${dump.slice('EXPDAT01-'.length)}`);
    expect(text.trimEnd().split('\n').pop()).toBe(
      `Job "PDBADMIN"."DATAPUMP_REST_EXPORT_${stamp}" successfully completed at ${end} elapsed 0 00:00:05`,
    );
  });

  it('follows daylight saving time: the same zone, two offsets', () => {
    const paris = timeFormat('Europe/Paris');
    expect(paris.compactStamp(Date.UTC(2024, 0, 15, 12, 0, 0))).toBe('20240115130000'); // CET, UTC+1
    expect(paris.compactStamp(Date.UTC(2024, 6, 15, 12, 0, 0))).toBe('20240715140000'); // CEST, UTC+2
    expect(paris.oracleDate(Date.UTC(2024, 11, 31, 23, 30, 5))).toBe('Wed Jan 1 00:30:05 2025');
  });

  it('defaults to UTC and refuses a zone it does not know', () => {
    expect(resolveOptions().dbTimeZone).toBe('UTC');
    expect(() => resolveOptions({ dbTimeZone: 'Mars/Olympus_Mons' })).toThrow(/dbTimeZone.*Mars\/Olympus_Mons/);
  });
});
