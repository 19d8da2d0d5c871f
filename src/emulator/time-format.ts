// The timestamp spellings Oracle uses in job names, default file names and Data Pump logs, in the database's zone.
import { wallClockOf } from '../lib/zoned-time.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** The wall-clock fields of an instant in one time zone. */
interface Parts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

type PartsOf = (ms: number) => Parts;

function utcParts(ms: number): Parts {
  const t = new Date(ms);
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
    second: t.getUTCSeconds(),
  };
}

/** Wall-clock fields in `zone` through Intl (one formatter per zone; UTC keeps the cheaper Date path). */
function zonedParts(zone: string): PartsOf {
  if (zone === 'UTC') return utcParts;
  const clock = wallClockOf(zone);
  if (!clock) throw new RangeError(`unknown time zone: ${zone}`); // options are checked at load; a bug otherwise
  return clock;
}

/** Throws unless `zone` is a time zone this Node.js knows (an IANA name such as `Europe/Paris`, or `UTC`). */
export function checkTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new Error(`dbTimeZone: unknown time zone ${JSON.stringify(zone)} (use an IANA name such as Europe/Paris)`);
  }
}

/** Oracle's spellings of an instant as a database in one time zone writes them. */
export interface TimeFormat {
  readonly zone: string;
  /** `YYYYMMDDHH24MISS`, the suffix of ORDS's generated job names. */
  compactStamp(ms: number): string;
  /** `HH_MI_SS`, as in the default dump file `EXPDAT%U-15_57_36.DMP`. */
  timeOfDay(ms: number): string;
  /** `YYYY-MM-DD-HH_MI_SS`, as in the default log file `EXPDAT-2019-09-06-15_57_36.LOG`. */
  dashedStamp(ms: number): string;
  /** `Fri Sep 6 15:57:41 2019`, the date format of Data Pump's log lines. */
  oracleDate(ms: number): string;
}

export function timeFormat(zone = 'UTC'): TimeFormat {
  checkTimeZone(zone);
  const partsOf = zonedParts(zone);
  const year = (p: Parts) => String(p.year).padStart(4, '0');
  return {
    zone,
    compactStamp(ms) {
      const p = partsOf(ms);
      return `${year(p)}${two(p.month)}${two(p.day)}${two(p.hour)}${two(p.minute)}${two(p.second)}`;
    },
    timeOfDay(ms) {
      const p = partsOf(ms);
      return `${two(p.hour)}_${two(p.minute)}_${two(p.second)}`;
    },
    dashedStamp(ms) {
      const p = partsOf(ms);
      return `${year(p)}-${two(p.month)}-${two(p.day)}-${two(p.hour)}_${two(p.minute)}_${two(p.second)}`;
    },
    oracleDate(ms) {
      const p = partsOf(ms);
      // The weekday of the local calendar date, whatever the zone.
      const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
      return `${DAYS[weekday]} ${MONTHS[p.month - 1]} ${p.day} ${two(p.hour)}:${two(p.minute)}:${two(p.second)} ${year(p)}`;
    },
  };
}

/** `0 00:00:05` (days hh:mm:ss), Data Pump's "elapsed" notation. */
export function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  return `${days} ${two(Math.floor((total % 86400) / 3600))}:${two(Math.floor((total % 3600) / 60))}:${two(total % 60)}`;
}
