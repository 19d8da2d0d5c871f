// A job's state, computed from the clock at read time (no timers), so tests move jobs by moving time.
import type { JobParams } from './job-params.js';
import type { Lifecycle } from './options.js';

/** `DBA_DATAPUMP_JOBS.STATE`: the three an ORDS job passes through, or any text for a job another tool started. */
export type JobState = 'EXECUTING' | 'COMPLETED' | 'NOT RUNNING' | (string & {});

/** How the job ends: its log's last line, and whether Data Pump keeps its control table regardless. */
export type Outcome = 'success' | 'errors' | 'failure';

/** A row (and log) given whole through `POST /__emulator/jobs`: the clock never moves it. */
export interface AddedJob {
  readonly row: {
    readonly operation: string;
    readonly job_mode: string;
    readonly state: string;
    readonly job_state: string;
    readonly degree: number;
    readonly attached_sessions: number;
    readonly datapump_sessions: number;
  };
  /** The log text served at `logFile` (none when `logFile` is null). */
  readonly log: string;
}

export interface JobRecord {
  readonly owner: string;
  readonly name: string;
  readonly params: JobParams;
  readonly createdAt: number;
  /** When it stops executing. */
  readonly endsAt: number;
  /** `failure`: NOT RUNNING with ORA- lines; `errors`: completed with errors; `success`. */
  readonly outcome: Outcome;
  /** What a job that completed (success or errors) shows: see the `lifecycle` option. */
  readonly fate: Lifecycle;
  /** When it leaves DBA_DATAPUMP_JOBS (its control table is dropped); Infinity: never. */
  readonly goneAt: number;
  /** The log's name; null for a job that writes none (only added jobs). */
  readonly logFile: string | null;
  /** The dump file pattern written (exports only), e.g. `EXPDAT%U-15_57_36.DMP`. */
  readonly dumpPattern: string | null;
  /** Dump files served once an export completes (empty for imports and object-storage exports). */
  readonly dumpFiles: readonly string[];
  /** The log's start and end dates (`Fri Sep 6 15:57:36 2019`), in the database's time zone. */
  readonly startedText: string;
  readonly endedText: string;
  /** Set for jobs added through `/__emulator/jobs`: their row and log as given. */
  readonly added?: AddedJob;
}

export interface JobStatus {
  state: JobState;
  finished: boolean;
  /** 0..1, for the log's progress lines. */
  progress: number;
}

export function jobStatus(job: JobRecord, now: number): JobStatus {
  if (job.added) return { state: job.added.row.state, finished: job.added.row.state !== 'EXECUTING', progress: 1 };
  if (now >= job.endsAt) {
    // A failed job keeps its control table (it could be restarted); a kept one is idle, with no processes.
    const idle = job.outcome === 'failure' || job.fate === 'kept';
    return { state: idle ? 'NOT RUNNING' : 'COMPLETED', finished: true, progress: 1 };
  }
  const span = job.endsAt - job.createdAt;
  return { state: 'EXECUTING', finished: false, progress: span > 0 ? Math.max(0, (now - job.createdAt) / span) : 0 };
}
