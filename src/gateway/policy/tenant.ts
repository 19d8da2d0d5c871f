/** @module Sanity checks on the policy's own inputs: a bad tenant record or timestamp is a programming error, not a client's. */
import { isOracleName, MAX_TABLESPACE_BYTES } from './names.js';
import { DEFAULT_LIMITS, type PolicyLimits, type TenantPolicy } from './types.js';

/*
 * The serializer writes tenant names (injected schema expressions) and the prefix and timestamp (injected file
 * names) into upstream text unescaped, so they must obey the same grammar as client input. The config loader
 * already guarantees this; checking again here keeps the policy safe on its own.
 */
export function assertPolicyInput(tenant: TenantPolicy, timestamp: string): void {
  const names = (list: readonly string[], field: string, maxBytes?: number): void => {
    if (list.length === 1 && list[0] === '*') return;
    for (const name of list)
      if (!isOracleName(name, maxBytes))
        throw new TypeError(`tenant ${tenant.tenantId}: ${field} holds a value that is not an Oracle name`);
  };
  names(tenant.schemas, 'schemas');
  names(tenant.tablespaces, 'tablespaces', MAX_TABLESPACE_BYTES);
  names(tenant.remapTargets, 'remapTargets');
  names(tenant.directories, 'directories');
  names(tenant.credentials, 'credentials');
  if (!Number.isInteger(tenant.maxThreads) || tenant.maxThreads < 1)
    throw new TypeError(`tenant ${tenant.tenantId}: maxThreads must be a positive integer`);
  if (tenant.filePrefix !== null && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(tenant.filePrefix)) {
    throw new TypeError(
      `tenant ${tenant.tenantId}: filePrefix must be letters, digits, "_" or "-", at most 64 characters`,
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(timestamp))
    throw new TypeError('timestamp must be letters, digits, "_" or "-" (e.g. YYYYMMDDHH24MISS)');
}

export function resolveLimits(limits: Partial<PolicyLimits> | undefined): PolicyLimits {
  const resolved = {
    maxListNames: limits?.maxListNames ?? DEFAULT_LIMITS.maxListNames,
    maxExpressionBytes: limits?.maxExpressionBytes ?? DEFAULT_LIMITS.maxExpressionBytes,
  };
  if (!Number.isInteger(resolved.maxListNames) || resolved.maxListNames < 1)
    throw new TypeError('limits.maxListNames must be a positive integer');
  if (!Number.isInteger(resolved.maxExpressionBytes) || resolved.maxExpressionBytes < 16)
    throw new TypeError('limits.maxExpressionBytes must be an integer of at least 16');
  return resolved;
}
