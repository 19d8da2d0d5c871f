// Time sources: the real clock, and a manual one that tests and `--clock manual` move explicitly.

/** All the emulator needs from time: "now" in epoch milliseconds. Job state is derived from it lazily. */
export interface Clock {
  now(): number;
}

/** A clock that only moves when told to, so tests can walk a job through its life without sleeping. */
export interface ManualClock extends Clock {
  readonly manual: true;
  /** Moves time forward by `ms` (never backwards: job states would regress) and returns the new time. */
  advance(ms: number): number;
}

/** The instant of Oracle's own example job (DATAPUMP_REST_EXPORT_20190906155736), for recognisable names. */
export const DEFAULT_MANUAL_START = Date.UTC(2019, 8, 6, 15, 57, 36);

export function systemClock(): Clock {
  return { now: () => Date.now() };
}

export function manualClock(start: number | string | Date = DEFAULT_MANUAL_START): ManualClock {
  let current = typeof start === 'number' ? start : new Date(start).getTime();
  if (!Number.isFinite(current)) throw new Error(`invalid manual clock start: ${String(start)}`);
  return {
    manual: true,
    now: () => current,
    advance(ms: number): number {
      if (!Number.isFinite(ms) || ms < 0) throw new Error('the clock only moves forward by a finite number of ms');
      current += ms;
      return current;
    },
  };
}

export function isManualClock(clock: Clock): clock is ManualClock {
  return (
    (clock as Partial<ManualClock>).manual === true && typeof (clock as Partial<ManualClock>).advance === 'function'
  );
}
