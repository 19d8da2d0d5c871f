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

/** A job as the API addresses it: `"OWNER,JOB"`, `{ owner, name }`, or a job the API returned. */
export type JobRef = string | { readonly owner: string; readonly name: string } | Pick<Job, 'owner_name' | 'job_name'>;

/** The states after which a job never changes again. Only `COMPLETED` is a success. */
export const TERMINAL_STATES = ['COMPLETED', 'STOPPED', 'NOT RUNNING'] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];
