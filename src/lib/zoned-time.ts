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
  const wall = Date.UTC(year, month, day, hour, minute, second);
  // The zone's offset at an instant: its wall clock there minus the instant. Two rounds settle DST edges.
  const offsetAt = (instant: number) => {
    const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
    const shown = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
    return shown - instant;
  };
  // The offsets a day either side cover any clock change near this wall time: each gives a candidate instant; the
  // earliest that shows this wall clock wins (a repeated hour), else — a skipped hour — the one before the change.
  const before = wall - offsetAt(wall - DAY);
  const after = wall - offsetAt(wall + DAY);
  const shows = (instant: number) => instant + offsetAt(instant) === wall;
  const fits = [before, after].filter(shows);
  return new Date(fits.length > 0 ? Math.min(...fits) : before);
}
