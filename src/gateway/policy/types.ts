/** @module The policy's inputs and its decision: what a tenant is granted, what it asked for, what may go to ORDS. */
import type { components } from '../../../generated/public.js';

export type JobRequest = components['schemas']['JobRequest'];
export type Operation = 'EXPORT' | 'IMPORT';
export type JobMode = 'FULL' | 'SCHEMA' | 'TABLE' | 'TABLESPACE';

/** What one tenant may do. `['*']` in a name list means "any name the grammar accepts". */
export interface TenantPolicy {
  readonly tenantId: string;
  readonly operations: readonly Operation[];
  /** FULL and TABLESPACE select objects across schemas, so they are admin grants. */
  readonly jobModes: readonly JobMode[];
  readonly schemas: readonly string[];
  readonly tablespaces: readonly string[];
  /** Remap targets beyond `schemas`. */
  readonly remapTargets: readonly string[];
  readonly maxThreads: number;
  /** Allowed `datapump_dir` values; the first is injected when the request names none. */
  readonly directories: readonly string[];
  /** Allowed `credential_name` values; `[]` means object storage is not granted. */
  readonly credentials: readonly string[];
  /** Dump-file-name prefix enforced in directory mode (case-sensitive); null for none. */
  readonly filePrefix: string | null;
  /** Object Storage buckets the tenant may read or write (no wildcards: the database fetches these). */
  readonly objectStorage: readonly { readonly namespace: string; readonly bucket: string }[];
}

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
