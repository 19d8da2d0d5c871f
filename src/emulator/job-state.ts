// A job's state, computed from the clock at read time (no timers), so tests move jobs by moving time.
import type { JobParams } from './job-params.js';

export type JobState = 'EXECUTING' | 'COMPLETED' | 'NOT RUNNING';

export interface JobRecord {
  readonly owner: string;
  readonly name: string;
  readonly params: JobParams;
  readonly createdAt: number;
  /** When it stops executing. */
  readonly endsAt: number;
  /** Ends NOT RUNNING with ORA- errors instead of COMPLETED. */
  readonly fails: boolean;
  readonly logFile: string;
  /** The dump file pattern written (exports only), e.g. `EXPDAT%U-15_57_36.DMP`. */
  readonly dumpPattern: string | null;
  /** Dump files served once an export completes (empty for imports and object-storage exports). */
  readonly dumpFiles: readonly string[];
}

export interface JobStatus {
  state: JobState;
  finished: boolean;
  /** 0..1, for the log's progress lines. */
  progress: number;
}

export function jobStatus(job: JobRecord, now: number): JobStatus {
  if (now >= job.endsAt) return { state: job.fails ? 'NOT RUNNING' : 'COMPLETED', finished: true, progress: 1 };
  const span = job.endsAt - job.createdAt;
  return { state: 'EXECUTING', finished: false, progress: span > 0 ? Math.max(0, (now - job.createdAt) / span) : 0 };
}

/** A finished job drops out of DBA_DATAPUMP_JOBS once its control table is gone (`retainFinishedMs`). */
export function isGone(job: JobRecord, now: number, retainFinishedMs: number | null): boolean {
  return retainFinishedMs !== null && now >= job.endsAt + retainFinishedMs;
}
