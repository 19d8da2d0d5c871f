/** @module Infers the database's clock offset from what ORDS shows, against `databases.<name>.time_zone` (pure). */
import { wallClockOf } from '../../lib/zoned-time.js';
import type { Status } from './check-result.js';
import { isRunningState, ORDS_JOB_NAME } from './job-files.js';
import { wallText, type WallTime } from './log-dates.js';

// ORDS names its jobs `DATAPUMP_REST_EXPORT_YYYYMMDDHH24MISS` in the database's local time, and Data Pump dates its
// log lines in it too; the only absolute clock at hand is the server's `Date` header (UTC). A job that runs now
// started a moment ago, so its name's time minus the server's clock is the database's offset, give or take its age.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Clocks of the database and of the server ORDS runs on may differ by this much (and `Date` has whole seconds). */
const SKEW = 2 * MINUTE;
/** A running job younger than this says the offset to the quarter hour (offsets are whole quarters: +05:45). */
const RECENT = 15 * MINUTE;
/** Offsets run from UTC-12:00 to UTC+14:00. */
const MAX_AHEAD = 14 * HOUR;
const MAX_BEHIND = 12 * HOUR;

export interface ZoneEvidence {
  /** The server's clock: its `Date` header, in epoch ms; undefined when it sent none. */
  readonly serverNow: number | undefined;
  /** Jobs seen, by name and state; only ORDS-named ones carry a time. */
  readonly jobs: readonly { readonly name: string; readonly state: string | undefined }[];
  /** The dates of one job's log head, wall-clock times of the database. */
  readonly log?: { readonly job: string; readonly started?: WallTime; readonly ended?: WallTime };
}

export interface ZoneVerdict {
  readonly status: Exclude<Status, 'FAIL'>;
  readonly summary: string;
  /** The offset the evidence points to, in minutes east of UTC, when it points to one. */
  readonly inferredOffsetMinutes?: number;
}

/** A job name's time (`DATAPUMP_REST_EXPORT_20190906155736` → 2019-09-06 15:57:36 wall time); undefined for others. */
export function nameWallTime(name: string): WallTime | undefined {
  const digits = ORDS_JOB_NAME.exec(name)?.[1];
  if (!digits) return undefined;
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(digits.slice(at, i === 0 ? 4 : at + 2)));
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 59) return undefined;
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

/** The zone's offset from UTC at an instant, in minutes (Intl only); undefined for a zone Node does not know. */
export function zoneOffsetMinutes(timeZone: string, instant: number): number | undefined {
  const w = wallClockOf(timeZone)?.(instant);
  if (!w) return undefined;
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((wall - Math.floor(instant / SECOND) * SECOND) / MINUTE);
}

/** `UTC+09:00`, `UTC-04:00`, `UTC+05:45`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function duration(ms: number): string {
  const total = Math.round(Math.abs(ms) / SECOND);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

const quarter = (ms: number) => Math.round(ms / (15 * MINUTE)) * 15;

/**
 * The verdict: WARN when a job or log time is later than the server's clock read in the configured zone (the
 * database's clock is ahead), when the newest running job started long before it (its age or the zone: cannot be
 * told apart), when nothing can be compared, or when a job's name and its own log disagree; PASS when a job that
 * runs now started within minutes of the server's clock read in the configured zone. Never FAIL: the gateway only
 * reads times in the zone (outcome `finished_at`, reconciliation), and a wrong zone shifts them, nothing else.
 */
export function inferTimeZone(evidence: ZoneEvidence, timeZone: string): ZoneVerdict {
  const stamped = evidence.jobs.flatMap((job) => {
    const wall = nameWallTime(job.name);
    return wall === undefined ? [] : [{ ...job, wall }];
  });
  const { log } = evidence;
  // The job's name and its log are both the database's clock: apart, one of them is read wrong in any zone.
  const own = log?.started === undefined ? undefined : stamped.find((job) => job.name === log.job);
  const apart = own && log?.started !== undefined ? log.started - own.wall : 0;
  const logNote =
    Math.abs(apart) > SKEW
      ? `; and job ${own!.name}'s name says ${wallText(own!.wall)}, its log's start ${wallText(log!.started!)} (${duration(apart)} apart)`
      : '';
  const warn = (summary: string, inferredOffsetMinutes?: number): ZoneVerdict => ({
    status: 'WARN',
    summary: `${summary}${logNote}`,
    ...(inferredOffsetMinutes === undefined ? {} : { inferredOffsetMinutes }),
  });

  if (evidence.serverNow === undefined) return warn(`cannot tell: the server sent no Date header`);
  const now = evidence.serverNow;
  const configured = zoneOffsetMinutes(timeZone, now) ?? 0;
  const zone = `${timeZone} (${formatOffset(configured)})`;
  const nowWall = now + configured * MINUTE;

  const times = [
    ...stamped.map((job) => ({ what: `job ${job.name}'s name`, wall: job.wall })),
    ...(log?.started === undefined ? [] : [{ what: `job ${log.job}'s log start`, wall: log.started }]),
    ...(log?.ended === undefined ? [] : [{ what: `job ${log.job}'s log end`, wall: log.ended }]),
  ];
  if (times.length === 0) {
    return warn('cannot tell: no ORDS-named job (DATAPUMP_REST_…_YYYYMMDDHHMMSS) and no log date to read a time from');
  }
  const latest = times.reduce((a, b) => (b.wall > a.wall ? b : a));
  const lead = latest.wall - nowWall;
  if (lead > SKEW) {
    const raw = latest.wall - now;
    if (raw > MAX_AHEAD + SKEW) {
      return warn(`cannot tell: ${latest.what} is more than 14 h ahead of the server's clock (clocks not in step?)`);
    }
    const inferred = quarter(raw);
    return warn(
      `${latest.what} (${wallText(latest.wall)}) is ${duration(lead)} later than the server's clock read in ${zone}: ` +
        `the database's clock is ahead of that zone (${formatOffset(inferred)} if the job started just now)`,
      inferred,
    );
  }

  const running = stamped.filter((job) => isRunningState(job.state));
  if (running.length === 0) {
    return warn(
      `cannot tell: no running ORDS job to compare with the server's clock (no job time is later than it in ${zone})`,
    );
  }
  const newest = running.reduce((a, b) => (b.wall > a.wall ? b : a));
  const age = nowWall - newest.wall;
  const started = `job ${newest.name} (${newest.state?.trim()}) started ${duration(age)} ${age >= 0 ? 'before' : 'after'} the server's clock read in ${zone}`;
  if (age <= RECENT) {
    return logNote
      ? warn(started, configured)
      : { status: 'PASS', summary: `${started}: consistent`, inferredOffsetMinutes: configured };
  }
  const inferred = quarter(newest.wall - now);
  if (newest.wall - now < -(MAX_BEHIND + SKEW)) {
    return warn(`cannot tell: ${started}; more than any offset explains`);
  }
  return warn(
    `${started}: either it has run that long, or the database's clock is ${formatOffset(inferred)}`,
    inferred,
  );
}
