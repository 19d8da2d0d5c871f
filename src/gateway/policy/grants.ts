/** @module The simple grants: operation, job mode, remapped schemas and threads. */
import { granted, isOracleName, isWildcard, quoteName } from './names.js';
import type { JobMode, Operation, TenantPolicy, Violation } from './types.js';
import { notGranted, unsafe } from './violations.js';

const OPERATIONS: readonly unknown[] = ['EXPORT', 'IMPORT'];
const MODES: readonly unknown[] = ['FULL', 'SCHEMA', 'TABLE', 'TABLESPACE'];
/** The contract's caps, re-checked because the policy does not rely on its caller having validated. */
const MAX_THREADS = 1024;
const MAX_REMAPS = 50;

export function checkOperation(value: unknown, tenant: TenantPolicy, violations: Violation[]): Operation | null {
  if (!OPERATIONS.includes(value)) {
    violations.push(unsafe('/operation', 'operation must be EXPORT or IMPORT.'));
    return null;
  }
  const operation = value as Operation;
  if (!tenant.operations.includes(operation))
    violations.push(notGranted('/operation', `This tenant may not start ${operation} jobs.`));
  return operation;
}

/** Returns the effective mode (absent means SCHEMA, as in ORDS), or null when the value is not a mode at all. */
export function checkMode(value: unknown, tenant: TenantPolicy, violations: Violation[]): JobMode | null {
  if (value !== undefined && !MODES.includes(value)) {
    violations.push(unsafe('/job_mode', 'job_mode must be FULL, SCHEMA, TABLE or TABLESPACE.'));
    return null;
  }
  const mode = (value ?? 'SCHEMA') as JobMode;
  if (!tenant.jobModes.includes(mode)) {
    violations.push(
      notGranted(
        '/job_mode',
        value === undefined
          ? 'job_mode defaults to SCHEMA, which is not granted to this tenant.'
          : `${mode} mode is not granted to this tenant.`,
      ),
    );
  } else if (mode === 'FULL' && !isWildcard(tenant.schemas)) {
    // FULL exports every schema and more (roles, public synonyms): meaningless for a tenant scoped to some schemas.
    violations.push(
      notGranted('/job_mode', 'FULL mode exports every schema, so it needs a tenant granted all schemas.'),
    );
  }
  return mode;
}

export interface Remap {
  source: string;
  target: string;
}

export function checkRemaps(
  value: unknown,
  operation: Operation | null,
  tenant: TenantPolicy,
  violations: Violation[],
): Remap[] | undefined {
  if (value === undefined) return undefined;
  if (operation !== 'IMPORT') {
    if (operation !== null) violations.push(unsafe('/remap_schemas', 'remap_schemas applies to IMPORT only.'));
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_REMAPS) {
    violations.push(unsafe('/remap_schemas', `remap_schemas must be a list of 1 to ${MAX_REMAPS} items.`));
    return undefined;
  }
  const remaps: Remap[] = [];
  value.forEach((item: unknown, index) => {
    const { source, target } = (typeof item === 'object' && item !== null ? item : {}) as {
      source?: unknown;
      target?: unknown;
    };
    const sourceOk = checkRemapName(source, `/remap_schemas/${index}/source`, violations, (name) =>
      granted(tenant.schemas, name)
        ? null
        : `The schema ${quoteName(name)} is not granted to this tenant, so it cannot be remapped.`,
    );
    const targetOk = checkRemapName(target, `/remap_schemas/${index}/target`, violations, (name) =>
      granted(tenant.schemas, name) || granted(tenant.remapTargets, name)
        ? null
        : `Remapping into the schema ${quoteName(name)} is not granted to this tenant.`,
    );
    if (sourceOk && targetOk) remaps.push({ source: source as string, target: target as string });
  });
  return remaps;
}

function checkRemapName(
  name: unknown,
  pointer: string,
  violations: Violation[],
  refusal: (name: string) => string | null,
): boolean {
  if (!isOracleName(name)) {
    violations.push(unsafe(pointer, 'A remapped schema must be an uppercase Oracle name.'));
    return false;
  }
  const detail = refusal(name);
  if (detail !== null) violations.push(notGranted(pointer, detail));
  return detail === null;
}

export function checkThreads(value: unknown, tenant: TenantPolicy, violations: Violation[]): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    violations.push(unsafe('/threads', `threads must be an integer from 1 to ${MAX_THREADS}.`));
    return undefined;
  }
  if (value > tenant.maxThreads)
    violations.push(notGranted('/threads', `This tenant may use at most ${tenant.maxThreads} threads.`));
  return value;
}
