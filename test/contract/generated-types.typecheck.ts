// Checked by `make typecheck` (tsc): each @ts-expect-error fails the build if the contract stops forbidding it.
import type { components } from '../../generated/public.js';

type JobRequest = components['schemas']['JobRequest'];

export const rejectedBodies: JobRequest[] = [
  // @ts-expect-error IMPORT requires file_name
  { operation: 'IMPORT' },
  // @ts-expect-error no property outside the contract
  { operation: 'EXPORT', bogus: true },
  // @ts-expect-error threads is an integer, not a string
  { operation: 'EXPORT', threads: '4' },
];
