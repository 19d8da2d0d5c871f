// Tenant fixtures shared by the policy tests: a schema-scoped team, an export-only team, an admin, and a multi-schema team.
import type { TenantPolicy } from '../../../src/gateway/policy/index.js';

export const HR_TEAM: TenantPolicy = {
  tenantId: 'hr-team',
  operations: ['EXPORT', 'IMPORT'],
  jobModes: ['SCHEMA', 'TABLE'],
  schemas: ['HR'],
  tablespaces: ['HR_DATA'],
  remapTargets: ['HR_TEST'],
  maxThreads: 4,
  directories: ['DATA_PUMP_DIR'],
  credentials: ['HR_OBJ_CRED'],
  filePrefix: 'HR_',
  importProvenance: 'prefix',
  objectStorage: [{ namespace: 'acme', bucket: 'hr-exports' }],
};

export const SALES_TEAM: TenantPolicy = {
  tenantId: 'sales-team',
  operations: ['EXPORT'],
  jobModes: ['SCHEMA', 'TABLE'],
  schemas: ['SALES'],
  tablespaces: [],
  remapTargets: [],
  maxThreads: 2,
  directories: ['DATA_PUMP_DIR'],
  credentials: [],
  filePrefix: 'SALES_',
  importProvenance: 'prefix',
  objectStorage: [],
};

export const DBA_TEAM: TenantPolicy = {
  tenantId: 'dba-team',
  operations: ['EXPORT', 'IMPORT'],
  jobModes: ['FULL', 'SCHEMA', 'TABLE', 'TABLESPACE'],
  schemas: ['*'],
  tablespaces: ['*'],
  remapTargets: ['*'],
  maxThreads: 1024,
  directories: ['*'],
  credentials: ['*'],
  filePrefix: null,
  importProvenance: 'any',
  // Buckets have no wildcard: every bucket the database may touch with a credential is listed.
  objectStorage: [
    { namespace: 'acme', bucket: 'dba-exports' },
    { namespace: 'acme', bucket: 'hr-exports' },
  ],
};

/** Several schemas, so nothing can be injected when a request names none. */
export const FIN_TEAM: TenantPolicy = {
  tenantId: 'fin-team',
  operations: ['EXPORT', 'IMPORT'],
  jobModes: ['SCHEMA', 'TABLE', 'TABLESPACE'],
  schemas: ['GL', 'AP'],
  tablespaces: ['FIN_DATA', 'FIN_IDX'],
  remapTargets: [],
  maxThreads: 8,
  directories: ['FIN_DIR', 'DATA_PUMP_DIR'],
  credentials: [],
  filePrefix: 'FIN_',
  importProvenance: 'prefix',
  objectStorage: [],
};

export const TENANTS = { hr: HR_TEAM, sales: SALES_TEAM, dba: DBA_TEAM, fin: FIN_TEAM } as const;
export type TenantKey = keyof typeof TENANTS;

export const TIMESTAMP = '20240102030405';

/** `{ expression }` items, as the contract shapes them. */
export const items = (...expressions: string[]): { expression: string }[] =>
  expressions.map((expression) => ({ expression }));

export const OS_HOST = 'https://objectstorage.us-ashburn-1.oraclecloud.com';
export const osUri = (bucket: string, object: string, namespace = 'acme'): string =>
  `${OS_HOST}/n/${namespace}/b/${bucket}/o/${object}`;
