// ORDS's generated job names and Data Pump's default file names, derived from the injected clock.
import type { Operation } from './job-params.js';
import type { TimeFormat } from './time-format.js';

/** A file name the job URL can address (the contract's JobFileName). */
export const ADDRESSABLE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.$#-]*$/;

export interface JobNamer {
  /**
   * `DATAPUMP_REST_<OPERATION>_<YYYYMMDDHH24MISS>`, with `_2`, `_3`, … when the owner already has a job
   * of that name (two jobs in one second): the name is the control table's name, so it must be unique. A name
   * once handed out is not handed out again, even after its job vanished (its files may still be served).
   */
  next(owner: string, operation: Operation, now: number, taken: (name: string) => boolean): string;
}

export function createJobNamer(format: TimeFormat): JobNamer {
  // The last base name handed out per owner and operation, so a burst of creates in one second costs
  // O(1) each instead of probing _2, _3, … from the start every time.
  const last = new Map<string, { base: string; n: number }>();
  return {
    next(owner, operation, now, taken) {
      const base = `DATAPUMP_REST_${operation}_${format.compactStamp(now)}`;
      const key = `${owner}\u0000${operation}`;
      const previous = last.get(key);
      let n = previous?.base === base ? previous.n + 1 : 1;
      let name = n === 1 ? base : `${base}_${n}`;
      while (taken(name)) name = `${base}_${++n}`;
      last.set(key, { base, n });
      return name;
    },
  };
}

/** Data Pump's default dump file pattern for an export: `EXPDAT%U-HH_MI_SS.DMP`. */
export function defaultDumpPattern(now: number, format: TimeFormat): string {
  return `EXPDAT%U-${format.timeOfDay(now)}.DMP`;
}

/** The log file's name: `EXPDAT-YYYY-MM-DD-HH_MI_SS.LOG` or `IMPDAT-….LOG`. */
export function logFileName(operation: Operation, now: number, format: TimeFormat): string {
  return `${operation === 'EXPORT' ? 'EXPDAT' : 'IMPDAT'}-${format.dashedStamp(now)}.LOG`;
}

/** The first file of a dump set: `%U`/`%L` substitution variables become `01`, as Data Pump numbers them. */
export function firstDumpFile(pattern: string): string {
  return pattern.replace(/%[uUlL]/g, '01');
}
