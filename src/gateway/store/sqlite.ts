/** @module The state store in a SQLite file (single-node deployments), via better-sqlite3. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import { SETTLED_SQL, TERMINAL_SQL } from './sql-rows.js';
import { sqliteIntents } from './sqlite-intents.js';
import { applySqliteMigrations, SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import { sqliteProvenance } from './sqlite-provenance.js';
import { sqliteAudit, sqliteRegistry } from './sqlite-registry.js';
import type { StateStore } from './types.js';

export interface SqliteStoreOptions {
  /** A file path (its directory is created if missing) or ':memory:'. */
  readonly path: string;
  /** Clock for migration bookkeeping. */
  readonly now?: () => Date;
  /** How long a statement waits for another process's write lock before failing; default 5 s. */
  readonly busyTimeoutMs?: number;
}

export function createSqliteStore({
  path,
  now = () => new Date(),
  busyTimeoutMs = 5_000,
}: SqliteStoreOptions): StateStore {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  // `timeout` is SQLite's busy timeout: wait for another connection's write lock rather than fail at once.
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    // WAL lets readers (another replica's CLI, a backup) proceed while the gateway writes; NORMAL sync is
    // durable across process crashes in WAL mode, which is what a registry of remote jobs needs.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    applySqliteMigrations(db, SQLITE_MIGRATIONS, now);
  } catch (err) {
    db.close();
    throw err;
  }

  const registry = sqliteRegistry(db);
  const audit = sqliteAudit(db);
  const { intents, leases } = sqliteIntents(db, registry, audit);

  // Only finished jobs: one still running past the retention period keeps counting towards its tenant's quota.
  const purgeJobs = db.prepare<[string]>(`delete from jobs where created_at < ? and last_state in ${TERMINAL_SQL}`);
  const purgeAudit = db.prepare<[string]>('delete from audit_events where at < ?');
  // Settled intents (their job is in the registry) whose key expired; reserving ones stay until settled.
  const purgeIntents = db.prepare<[string]>(`delete from intents where state in ${SETTLED_SQL} and expires_at < ?`);
  const purge = db.transaction((cutoff: string, auditCutoff: string) => {
    purgeIntents.run(cutoff);
    return { jobs: purgeJobs.run(cutoff).changes, audit: purgeAudit.run(auditCutoff).changes };
  });
  // Reads a table of ours, not just `select 1`: a store whose tables are gone is not ready.
  const selectOne = db.prepare<[], { one: number }>('select 1 as one from schema_migrations limit 1');

  return {
    registry: registry.registry,
    intents,
    audit: audit.audit,
    leases,
    retention: {
      async purgeOlderThan(cutoff, auditCutoff = cutoff) {
        return purge.immediate(cutoff, auditCutoff);
      },
    },
    provenance: sqliteProvenance(db),
    health: {
      async ping() {
        selectOne.get();
      },
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
