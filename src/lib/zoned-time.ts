/** @module Wall-clock times in an IANA time zone, as the UTC instants they are (Intl only, no time-zone data of our own). */

/** Whether Node knows the zone (its ICU data): a configured zone that it does not is a configuration fault. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields an instant shows in one zone (month 1..12). */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/**
 * The wall clock of `timeZone` (one Intl formatter, made once: callers keep the function); undefined for a zone
 * Node does not know.
 */
export function wallClockOf(timeZone: string): ((instant: number) => WallClock) | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  return (instant) => {
    const f: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(instant))) if (part.type !== 'literal') f[part.type] = +part.value;
    return { year: f.year!, month: f.month!, day: f.day!, hour: f.hour!, minute: f.minute!, second: f.second! };
  };
}

/**
 * A wall-clock time in `timeZone` as the UTC instant it is (the earlier one when a clock change repeats it);
 * undefined for a zone Node does not know.
 */
const DAY = 86_400_000;

export function zonedToUtc(
  /** Month from 0, as `Date.UTC` takes it. */
  [year, month, day, hour, minute, second]: readonly [number, number, number, number, number, number],
  timeZone: string,
): Date | undefined {
  const clock = wallClockOf(timeZone);
  if (!clock) return undefined;
  const wall = Date.UTC(year, month, day, hour, minute, second);
  // The zone's offset at an instant: its wall clock there minus the instant.
  const offsetAt = (instant: number) => {
    const w = clock(instant);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - instant;
  };
  // The offsets a day either side cover any clock change near this wall time: each gives a candidate instant; the
  // earliest that shows this wall clock wins (a repeated hour), else — a skipped hour — the one before the change.
  const before = wall - offsetAt(wall - DAY);
  const after = wall - offsetAt(wall + DAY);
  const shows = (instant: number) => instant + offsetAt(instant) === wall;
  const fits = [before, after].filter(shows);
  return new Date(fits.length > 0 ? Math.min(...fits) : before);
}
