// PostgreSQL for tests: the server's URL, a reachability check that fails loudly, and a throwaway schema per use.
import { randomBytes } from 'node:crypto';

import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every schema the helpers create starts with this, so leftovers are easy to find (and to assert there are none). */
export const TEST_SCHEMA_PREFIX = 'dpg_test_';

const redacted = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/** Runs one statement on a fresh connection (admin work in tests: drops, terminations, inspection). */
export async function pgQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
  url = TEST_DATABASE_URL,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Fails (never skips) with a message saying how to get a server: CI starts one, so its absence is a real failure. */
export async function requirePostgres(url = TEST_DATABASE_URL): Promise<void> {
  try {
    await pgQuery('select 1', [], url);
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${redacted(url)} (${(err as Error).message}). ` +
        'Start it (make test starts a private one) or point TEST_DATABASE_URL at one; these tests do not skip.',
      { cause: err },
    );
  }
}

export interface TestSchema {
  readonly url: string;
  /** A unique, valid schema name (not created: the code under test creates it, or call create()). */
  readonly schema: string;
  create(): Promise<void>;
  /** Drops the schema and everything in it; safe to call twice or when it was never created. */
  cleanup(): Promise<void>;
}

/** A unique schema name for one test file (or one test), e.g. dpg_test_jobs_3f9a1c0b2d4e. */
export function withPostgresSchema(label = '', url = TEST_DATABASE_URL): TestSchema {
  const tag = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  const schema = `${TEST_SCHEMA_PREFIX}${tag ? `${tag}_` : ''}${randomBytes(6).toString('hex')}`;
  // The name is built here from [a-z0-9_] only, so quoting it as an identifier is safe.
  return {
    url,
    schema,
    create: async () => void (await pgQuery(`create schema if not exists "${schema}"`, [], url)),
    cleanup: async () => void (await pgQuery(`drop schema if exists "${schema}" cascade`, [], url)),
  };
}
