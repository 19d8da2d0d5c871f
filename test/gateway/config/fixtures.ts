// Shared test inputs: a small valid config as a plain object, edited per case and written out as YAML.
import { stringify } from 'yaml';

import { hashApiKey } from '../../../src/gateway/config/api-key.js';
import { ConfigError } from '../../../src/gateway/config/errors.js';
import { parseConfig } from '../../../src/gateway/config/load.js';

export type Tree = Record<string, unknown>;

export const HR_HASH = hashApiKey('hr-key');
export const SALES_HASH = hashApiKey('sales-key');
/** A value no message may ever contain. */
export const SECRET = 'pw-Zebra-7731-do-not-print';
export const ENV = Object.freeze({ ORDS_PASSWORD: SECRET });

/** The smallest config that passes: everything optional left out. */
export function minimalConfig(): Tree {
  return {
    public_url: 'http://127.0.0.1:8080',
    databases: {
      orcl: {
        url: 'http://127.0.0.1:8181/ords/orcl/pdbadmin/',
        auth: { basic: { username: 'pdbadmin', password: '${ORDS_PASSWORD}' } },
      },
    },
    tenants: {
      'hr-team': {
        api_keys: [{ sha256: HR_HASH }],
        databases: ['orcl'],
        grants: { operations: ['EXPORT', 'IMPORT'], job_modes: ['SCHEMA', 'TABLE'], schemas: ['HR'], max_threads: 4 },
      },
    },
  };
}

/** A second tenant, for cases about more than one. */
export function salesTenant(): Tree {
  return {
    api_keys: [{ sha256: SALES_HASH }],
    databases: ['orcl'],
    grants: { operations: ['EXPORT'], job_modes: ['SCHEMA'], schemas: ['SALES'], max_threads: 2 },
  };
}

/** Sets a value at a dotted path (`tenants.hr-team.grants.max_threads`, numeric segments index lists). */
export function setAt(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node: Record<string, unknown> = tree;
  for (const key of keys) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
}

export function deleteAt(tree: Tree, path: string): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = tree;
  for (const key of keys) node = node[key] as Tree;
  delete node[last];
}

export function toYaml(tree: unknown): string {
  return stringify(tree);
}

/** Every problem the loader reports for `tree` (none when it is accepted). */
export function problemsLoading(tree: Tree, env: Readonly<Record<string, string>> = ENV): readonly string[] {
  try {
    parseConfig(toYaml(tree), env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
