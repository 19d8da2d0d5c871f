/** @module What the gateway reads from an ORDS job name: the time ORDS put in it. */
import { zonedToUtc } from '../../lib/zoned-time.js';

/**
 * ORDS names its jobs DATAPUMP_REST_<OP>_<YYYYMMDDHH24MISS>[_n] with the database's clock: that time, read in the
 * database's time zone (`databases.<name>.time_zone`), in epoch ms.
 */
export function jobNameTime(name: string, timeZone = 'UTC'): number | undefined {
  const m = /_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:_\d+)?$/.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  if (timeZone === 'UTC') return Date.UTC(y, mo - 1, d, h, mi, s);
  return zonedToUtc([y, mo - 1, d, h, mi, s], timeZone)?.getTime();
}
