// Wall-clock times in a time zone back to UTC: property-based over instants and zones (DST edges included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isKnownTimeZone, zonedToUtc } from '../../src/lib/zoned-time.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham'];

function wallClock(instant: number, timeZone: string): [number, number, number, number, number, number] {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const p = Object.fromEntries(format.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]));
  return [p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!];
}

describe('zonedToUtc', () => {
  it('turns the wall clock of any instant back into an instant with that wall clock', () => {
    fc.assert(
      fc.property(
        // 2000–2040, whole seconds (Data Pump's logs and ORDS's job names have no more).
        fc.oneof(
          fc.integer({ min: 946_684_800, max: 2_208_988_800 }).map((s) => s * 1000),
          // Near the Berlin and New York changes of 2026, where repeated hours are.
          fc.integer({ min: -7200, max: 7200 }).map((s) => Date.UTC(2026, 9, 25, 1) + s * 1000),
          fc.integer({ min: -7200, max: 7200 }).map((s) => Date.UTC(2026, 10, 1, 6) + s * 1000),
        ),
        fc.constantFrom(...ZONES),
        (instant, zone) => {
          const wall = wallClock(instant, zone);
          const back = zonedToUtc(wall, zone)!.getTime();
          // The same wall clock; the very instant except in an hour a clock change repeats (the earlier one then).
          expect(wallClock(back, zone)).toEqual(wall);
          expect(back).toBeLessThanOrEqual(instant);
          expect(instant - back).toBeLessThanOrEqual(3_600_000);
          // …and the earliest such instant (Lord Howe shifts by 30 minutes, the others by an hour).
          for (const shift of [1_800_000, 3_600_000]) expect(wallClock(back - shift, zone)).not.toEqual(wall);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    // Berlin's 2026 fall-back: 02:30 happens twice; the earlier (CEST, UTC+2) is taken.
    ['Europe/Berlin', [2026, 9, 25, 2, 30, 0], '2026-10-25T00:30:00.000Z'],
    ['Europe/Berlin', [2026, 0, 15, 12, 0, 0], '2026-01-15T11:00:00.000Z'],
    ['America/New_York', [2026, 6, 4, 12, 0, 0], '2026-07-04T16:00:00.000Z'],
    ['UTC', [2026, 11, 1, 9, 33, 54], '2026-12-01T09:33:54.000Z'],
  ] as const)('%s %j is %s', (zone, wall, iso) => {
    expect(zonedToUtc(wall, zone)?.toISOString()).toBe(iso);
  });

  it('gives nothing for a zone Node does not know', () => {
    expect(zonedToUtc([2026, 0, 1, 0, 0, 0], 'Mars/Olympus_Mons')).toBeUndefined();
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
  });
});
