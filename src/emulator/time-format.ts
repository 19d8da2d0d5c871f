// The timestamp spellings Oracle uses in job names, default file names and Data Pump logs (all UTC).

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

interface Parts {
  y: string;
  mo: string;
  d: string;
  h: string;
  mi: string;
  s: string;
}

function parts(ms: number): Parts {
  const t = new Date(ms);
  return {
    y: String(t.getUTCFullYear()).padStart(4, '0'),
    mo: two(t.getUTCMonth() + 1),
    d: two(t.getUTCDate()),
    h: two(t.getUTCHours()),
    mi: two(t.getUTCMinutes()),
    s: two(t.getUTCSeconds()),
  };
}

/** `YYYYMMDDHH24MISS`, the suffix of ORDS's generated job names. */
export function compactStamp(ms: number): string {
  const p = parts(ms);
  return `${p.y}${p.mo}${p.d}${p.h}${p.mi}${p.s}`;
}

/** `HH_MI_SS`, as in the default dump file `EXPDAT%U-15_57_36.DMP`. */
export function timeOfDay(ms: number): string {
  const p = parts(ms);
  return `${p.h}_${p.mi}_${p.s}`;
}

/** `YYYY-MM-DD-HH_MI_SS`, as in the default log file `EXPDAT-2019-09-06-15_57_36.LOG`. */
export function dashedStamp(ms: number): string {
  const p = parts(ms);
  return `${p.y}-${p.mo}-${p.d}-${p.h}_${p.mi}_${p.s}`;
}

/** `Fri Sep 6 15:57:41 2019`, the date format of Data Pump's log lines. */
export function oracleDate(ms: number): string {
  const t = new Date(ms);
  const p = parts(ms);
  return `${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${t.getUTCDate()} ${p.h}:${p.mi}:${p.s} ${p.y}`;
}

/** `0 00:00:05` (days hh:mm:ss), Data Pump's "elapsed" notation. */
export function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  return `${days} ${two(Math.floor((total % 86400) / 3600))}:${two(Math.floor((total % 3600) / 60))}:${two(total % 60)}`;
}
