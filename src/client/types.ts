/** @module The public contract's types, as the client's callers see them (all from `generated/public.ts`). */
import type { components } from '../../generated/public.js';

type Schemas = components['schemas'];

export type Job = Schemas['Job'];
export type JobLink = Schemas['JobLink'];
export type JobCollection = Schemas['JobCollection'];
export type JobRequest = Schemas['JobRequest'];
export type ExportJobRequest = Schemas['ExportJobRequest'];
export type ImportJobRequest = Schemas['ImportJobRequest'];
export type JobMode = Schemas['JobMode'];
export type RemapSchema = Schemas['RemapSchema'];
export type Problem = Schemas['Problem'];
export type ProblemError = Schemas['ProblemError'];
export type ProblemType = Schemas['ProblemType'];
/** How a job ended, or `running` (the gateway reads it off the job's log, else ORDS's state; see `outcomeOf`). */
export type JobOutcome = Schemas['JobOutcome'];
export type JobResult = JobOutcome['result'];

/** A job as the API addresses it: `"OWNER,JOB"`, `{ owner, name }`, or a job the API returned. */
export type JobRef = string | { readonly owner: string; readonly name: string } | Pick<Job, 'owner_name' | 'job_name'>;

/**
 * The Data Pump states after which a job never changes again. They do not say how it ended: with ORDS 25.4's
 * `keep_master` a successful job stays `NOT RUNNING` like a failed one. Read `outcomeOf(job)` for that.
 */
export const TERMINAL_STATES = ['COMPLETED', 'STOPPED', 'NOT RUNNING'] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];

/** The results of a job that did what it was asked (`succeeded_with_errors`: it finished, and its log lists errors). */
export const SUCCESSFUL_RESULTS = ['succeeded', 'succeeded_with_errors'] as const satisfies readonly JobResult[];
