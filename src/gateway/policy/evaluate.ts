/** @module evaluatePolicy: a tenant's grants applied to one job request, answered with the canonical upstream request or every violation. */
import { serializeExpression } from './expression.js';
import { EXPRESSION_FIELDS } from './expression-fields.js';
import { checkExpressions } from './expressions.js';
import { checkMode, checkOperation, checkRemaps, checkThreads } from './grants.js';
import { producedByOwnExport } from './provenance.js';
import { REQUEST_FIELDS } from './request-fields.js';
import { checkStorage } from './storage.js';
import { assertPolicyInput, resolveLimits } from './tenant.js';
import type { JobRequest, PolicyDecision, PolicyInput, Violation } from './types.js';
import { decide, notGranted, pointerToken, unsafe } from './violations.js';

const KNOWN: ReadonlySet<string> = new Set(REQUEST_FIELDS);

/**
 * Pure: no I/O, no clock, no mutation of `input`. Throws TypeError only for a malformed tenant, limits or
 * timestamp (the caller's bug, never the client's).
 */
export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  const { tenant, timestamp, evidenceToken } = input;
  assertPolicyInput(tenant, timestamp);
  if (evidenceToken !== undefined && !/^[A-Z0-9]{4,32}$/.test(evidenceToken))
    throw new TypeError('evidenceToken must be 4 to 32 upper-case letters or digits');
  // What an injected export file name carries after the prefix: the time, then the token that identifies the job.
  const stamp = evidenceToken === undefined ? timestamp : `${timestamp}_${evidenceToken}`;
  const limits = resolveLimits(input.limits);
  const body = input.request as unknown as Readonly<Record<string, unknown>>;
  const violations: Violation[] = [];

  // Unknown fields are refused, not dropped: the contract already forbids them, so one here means a gap upstream of us.
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key))
      violations.push(unsafe(key.length <= 64 ? `/${pointerToken(key)}` : '', 'This field is not accepted.'));
  }
  const operation = checkOperation(body.operation, tenant, violations);
  const mode = checkMode(body.job_mode, tenant, violations);
  const lists = checkExpressions(body, mode, tenant, limits, violations);
  const remaps = checkRemaps(body.remap_schemas, operation, tenant, violations);
  const threads = checkThreads(body.threads, tenant, violations);
  // Data Pump's KEEP_MASTER, as ORDS 25.4+ documents it on export and import (0 drops the control table, 1 keeps it):
  // nothing to grant, only its form to hold. Whether the configured release takes it is upstream/ords-versions.ts.
  const keepMaster = body.keep_master;
  if (keepMaster !== undefined && keepMaster !== 0 && keepMaster !== 1)
    violations.push(unsafe('/keep_master', 'keep_master must be 0 or 1.'));
  const storage = checkStorage(body, operation, tenant, stamp, violations);
  // A dump made elsewhere can carry user definitions, role and system grants: import only what the tenant made.
  if (
    operation === 'IMPORT' &&
    tenant.importProvenance === 'own_exports' &&
    storage.file_name !== undefined &&
    !producedByOwnExport(storage.file_name, input.ownExports ?? [])
  ) {
    violations.push(
      notGranted(
        '/file_name',
        'This tenant may import only dump files its own exports through this gateway produced; this one is not among them.',
      ),
    );
  }

  return decide(violations, () => {
    // Built field by field from checked values only: no client text reaches ORDS except through a check or the serializer.
    const upstream: Record<string, unknown> = { operation };
    if (body.job_mode !== undefined) upstream.job_mode = mode;
    if (storage.datapump_dir !== undefined) upstream.datapump_dir = storage.datapump_dir;
    if (storage.file_name !== undefined) upstream.file_name = storage.file_name;
    if (storage.credential_name !== undefined) upstream.credential_name = storage.credential_name;
    if (threads !== undefined) upstream.threads = threads;
    for (const field of EXPRESSION_FIELDS) {
      if (lists[field].length > 0) upstream[field] = lists[field].map((e) => ({ expression: serializeExpression(e) }));
    }
    if (remaps !== undefined) upstream.remap_schemas = remaps;
    if (keepMaster !== undefined) upstream.keep_master = keepMaster;
    return upstream as unknown as JobRequest;
  });
}
