/** @module The job registry and the audit log in the SQLite state store. */
import type Database from 'better-sqlite3';

import {
  AUDIT_COLUMNS,
  type AuditRow,
  auditToRow,
  JOB_COLUMNS,
  type JobRow,
  jobToRow,
  rowToAudit,
  rowToJob,
  type StoredAuditRow,
} from './sql-rows.js';
import { type AuditEvent, type AuditLog, JobOwnedElsewhereError, type JobRecord, type JobRegistry } from './types.js';

const JOB_SELECT = `select ${JOB_COLUMNS.join(', ')} from jobs`;
const LISTING_ORDER = 'order by created_at desc, job_name, owner_name';

export interface SqliteRegistry {
  readonly registry: JobRegistry;
  /**
   * Inserts the record unless its job is recorded already: one of the same tenant is kept as it is, one of
   * another tenant throws `JobOwnedElsewhereError`. Synchronous, for use inside a transaction.
   */
  insertOnce(record: JobRecord): void;
}

export function sqliteRegistry(db: Database.Database): SqliteRegistry {
  const insert = db.prepare<JobRow>(
    `insert into jobs (${JOB_COLUMNS.join(', ')}) values (${JOB_COLUMNS.map((c) => `@${c}`).join(', ')})
     on conflict (database_name, owner_name, job_name) do nothing`,
  );
  const findOne = db.prepare<[string, string, string], JobRow>(
    `${JOB_SELECT} where database_name = ? and owner_name = ? and job_name = ?`,
  );
  const countListing = db.prepare<[string, string], { n: number }>(
    'select count(*) as n from jobs where tenant = ? and database_name = ?',
  );
  const pageListing = db.prepare<[string, string, number, number], JobRow>(
    `${JOB_SELECT} where tenant = ? and database_name = ? ${LISTING_ORDER} limit ? offset ?`,
  );
  const databaseListing = db.prepare<[string, number], JobRow>(
    `${JOB_SELECT} where database_name = ? ${LISTING_ORDER} limit ?`,
  );
  const setState = db.prepare<[string, string, string, string, string]>(
    'update jobs set last_state = ?, last_seen_at = ? where database_name = ? and owner_name = ? and job_name = ?',
  );
  const owners = db.prepare<[string], { owner_name: string }>(
    'select distinct owner_name from jobs where database_name = ? order by owner_name',
  );
  // A read transaction, so the count and the page agree even while another process writes.
  const listing = db.transaction((tenant: string, database: string, limit: number, offset: number) => ({
    total: countListing.get(tenant, database)?.n ?? 0,
    items: pageListing.all(tenant, database, limit, offset).map(rowToJob),
  }));

  // better-sqlite3 is synchronous; the async methods turn its throws into rejections, as the interface promises.
  return {
    registry: {
      async find(database, owner, job) {
        const row = findOne.get(database, owner, job);
        return row && rowToJob(row);
      },
      async listForTenant(tenant, database, { limit, offset }) {
        return listing(tenant, database, limit, offset);
      },
      async listForDatabase(database, limit) {
        return databaseListing.all(database, limit).map(rowToJob);
      },
      async updateState(database, owner, job, state, seenAt) {
        setState.run(state, seenAt, database, owner, job);
      },
      async owners(database) {
        return owners.all(database).map((r) => r.owner_name);
      },
    },
    insertOnce(record) {
      if (insert.run(jobToRow(record)).changes > 0) return;
      const existing = findOne.get(record.database, record.ownerName, record.jobName);
      if (existing && existing.tenant !== record.tenant) throw new JobOwnedElsewhereError(record, existing.tenant);
    },
  };
}

export interface SqliteAudit {
  readonly audit: AuditLog;
  /** Appends one event; synchronous, for use inside a transaction. */
  append(event: AuditEvent): void;
}

export function sqliteAudit(db: Database.Database): SqliteAudit {
  const cols = AUDIT_COLUMNS.join(', ');
  const params = AUDIT_COLUMNS.map((c) => `@${c}`).join(', ');
  const insert = db.prepare<AuditRow>(`insert into audit_events (${cols}) values (${params})`);
  // The partial unique index on aggregate_key is the conflict target: one row per key, its count the attempts.
  const aggregate = db.prepare<AuditRow & { aggregate_key: string }>(
    `insert into audit_events (${cols}, aggregate_key) values (${params}, @aggregate_key)
     on conflict (aggregate_key) where aggregate_key is not null do update set count = audit_events.count + 1`,
  );
  const select = `select ${cols}, count from audit_events`;
  const listAll = db.prepare<[number], StoredAuditRow>(`${select} order by at desc, id desc limit ?`);
  const listTenant = db.prepare<[string, number], StoredAuditRow>(
    `${select} where tenant = ? order by at desc, id desc limit ?`,
  );
  const append = (event: AuditEvent) => void insert.run(auditToRow(event));
  return {
    append,
    audit: {
      async append(event) {
        append(event);
      },
      async appendAggregated(event, aggregateKey) {
        aggregate.run({ ...auditToRow(event), aggregate_key: aggregateKey });
      },
      async list({ tenant, limit }) {
        const rows = tenant === undefined ? listAll.all(limit) : listTenant.all(tenant, limit);
        return rows.map(rowToAudit);
      },
    },
  };
}
