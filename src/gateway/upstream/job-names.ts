/** @module What the gateway reads from an ORDS job name: the time ORDS put in it. */

/** ORDS names its jobs DATAPUMP_REST_<OP>_<YYYYMMDDHH24MISS>[_n]: that time, read as UTC, in epoch ms. */
export function jobNameTime(name: string): number | undefined {
  const m = /_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:_\d+)?$/.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
