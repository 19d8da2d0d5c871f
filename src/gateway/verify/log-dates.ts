/** @module The dates a Data Pump log's first lines carry (`Fri Sep 6 15:57:41 2019`), as wall-clock times of its database. */

/**
 * A wall-clock time as `Date.UTC` of its fields: the database's clock reading, with no zone attached. Comparing
 * two of them, or one with an instant, is how the database's offset is inferred.
 */
export type WallTime = number;

/** `2019-09-06 15:57:41`: a wall time as text, with no zone (it has none). */
export const wallText = (wall: WallTime) => new Date(wall).toISOString().slice(0, 19).replace('T', ' ');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\b/;
/** Lines that date a job's start: `Export: Release 19.0.0.0.0 - Production on <date>`, `Starting … at <date>`. */
const START = /Production on |^Starting |\bstarted\b/i;
/** Lines that date its end: `Job "O"."N" successfully completed at <date> elapsed …` and its siblings. */
const END =
  /^Job ".*" (?:successfully completed|completed with \d+ error\(s\)|stopped due to fatal error|stopped by user request) at /;

/** `Fri Sep 6 15:57:41 2019` → its wall time; undefined for anything else. */
export function parseLogDate(text: string): WallTime | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [, mon, day, hh, mi, ss, year] = m;
  const fields = [+year!, MONTHS.indexOf(mon!), +day!, +hh!, +mi!, +ss!] as const;
  if (fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) return undefined;
  return Date.UTC(...fields);
}

/** The first start and end dates among a log's lines (a log's head may hold only the start). */
export function logDates(head: string): { started?: WallTime; ended?: WallTime } {
  let started: WallTime | undefined;
  let ended: WallTime | undefined;
  for (const raw of head.split(/\r?\n/)) {
    const line = raw.replace(/^;;;\s*/, '').trim();
    const when = parseLogDate(line);
    if (when === undefined) continue;
    if (ended === undefined && END.test(line)) ended = when;
    else if (started === undefined && START.test(line)) started = when;
  }
  return { ...(started === undefined ? {} : { started }), ...(ended === undefined ? {} : { ended }) };
}
