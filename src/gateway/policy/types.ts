/** @module The policy's inputs and its decision: what a tenant is granted, what it asked for, what may go to ORDS. */
import type { components } from '../../../generated/public.js';
import type { TenantGrants } from '../config/types.js';

export type JobRequest = components['schemas']['JobRequest'];
export type { JobMode, Operation } from '../config/types.js';

/**
 * What one tenant may do: its configured grants (a type only: the policy reads no configuration itself)
 * without the all-jobs view, which is not the policy's business. `['*']` in a name list means "any name
 * the grammar accepts"; FULL and TABLESPACE are admin grants.
 */
export type TenantPolicy = Omit<TenantGrants, 'allJobs'> & { readonly tenantId: string };

export interface PolicyLimits {
  /** Most names in one `IN (…)` list (and in the legacy `filter`). */
  readonly maxListNames: number;
  /** Largest expression, before and after canonicalisation (the upstream contract's cap). */
  readonly maxExpressionBytes: number;
}

export const DEFAULT_LIMITS: PolicyLimits = Object.freeze({ maxListNames: 1000, maxExpressionBytes: 65536 });

export interface PolicyInput {
  readonly tenant: TenantPolicy;
  /** The body exactly as the client sent it (already valid against the public contract). */
  readonly request: JobRequest;
  /** Used in injected export file names; supplied by the caller because the policy has no clock. */
  readonly timestamp: string;
  /**
   * Put into an injected export file name after the timestamp, so that what ORDS later shows of the job
   * (its dump files, its log) can be told apart from any other job's (reconciliation); upper-case letters
   * and digits. Without it the injected name is `<prefix><timestamp>_%U.DMP`.
   */
  readonly evidenceToken?: string;
  /**
   * For an IMPORT under `importProvenance: 'own_exports'`: the names the tenant's own exports produced that
   * could match the request's `file_name` (export file_name patterns, dump files a job listed). The caller
   * looks them up; absent means none.
   */
  readonly ownExports?: readonly string[];
  readonly limits?: Partial<PolicyLimits>;
}

export interface Violation {
  /** JSON Pointer (RFC 6901, no leading '#') into the request as sent. */
  readonly pointer: string;
  /** A sentence for the client; quotes at most a short token of its input. */
  readonly detail: string;
  readonly kind: 'not-granted' | 'unsafe';
}

export type PolicyDecision =
  | { readonly allowed: true; readonly upstream: JobRequest }
  | { readonly allowed: false; readonly status: 403 | 422; readonly violations: Violation[] };
