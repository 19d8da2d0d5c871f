/** @module The job registry and the audit log in the SQLite state store. */
import type Database from 'better-sqlite3';

import {
  AUDIT_COLUMNS,
  type AuditRow,
  auditToRow,
  filesToJson,
  JOB_COLUMNS,
  type JobRow,
  jobToRow,
  outcomeToJson,
  rowToAudit,
  rowToJob,
  type StoredAuditRow,
} from './sql-rows.js';
import { type AuditEvent, type AuditLog, JobOwnedElsewhereError, type JobRecord, type JobRegistry } from './types.js';

const JOB_SELECT = `select ${JOB_COLUMNS.join(', ')} from jobs`;
const LISTING_ORDER = 'order by created_at desc, job_name, owner_name';
const JOB_KEY = 'database_name = @database and owner_name = @owner and job_name = @job';

interface Observed {
  database: string;
  owner: string;
  job: string;
  state: string;
  at: string;
  files: string | null;
  log_tail: string | null;
}

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
    'update jobs set last_state = ?, last_seen_at = ? where database_name = ? and owner_name = ? and job_name = ? and outcome is null',
  );
  // A job with an outcome is never changed again (`outcome is null`); null files or log tail keep what was kept.
  const observe = db.prepare<Observed>(
    `update jobs set last_state = @state, last_seen_at = @at, files = coalesce(@files, files),
       log_tail = coalesce(@log_tail, log_tail)
     where ${JOB_KEY} and outcome is null`,
  );
  // finished_at is when the end was recorded (`at`, as last_seen_at); the job's own end time is in the outcome.
  const finish = db.prepare<Observed & { outcome: string }>(
    `update jobs set last_state = @state, last_seen_at = @at, outcome = @outcome, files = coalesce(@files, files),
       log_tail = coalesce(@log_tail, log_tail), finished_at = @at
     where ${JOB_KEY} and outcome is null`,
  );
  // The WHERE matches the partial index jobs_unfinished, whose columns are this order: no scan, no sort.
  const unfinished = db.prepare<[number], JobRow>(
    `${JOB_SELECT} where outcome is null order by created_at, job_name, owner_name limit ?`,
  );
  // Row-value comparison in the index's order: the page after the cursor, still from the index.
  const unfinishedAfter = db.prepare<[string, string, string, number], JobRow>(
    `${JOB_SELECT} where outcome is null and (created_at, job_name, owner_name) > (?, ?, ?)
     order by created_at, job_name, owner_name limit ?`,
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
      async observe(database, owner, job, seen) {
        const { state, at } = seen;
        observe.run({ database, owner, job, state, at, files: filesToJson(seen.files), log_tail: seen.logTail });
      },
      async finish(database, owner, job, end) {
        const { state, at } = end;
        finish.run({
          database,
          owner,
          job,
          state,
          at,
          outcome: outcomeToJson(end.outcome),
          files: filesToJson(end.files),
          log_tail: end.logTail,
        });
      },
      async listUnfinished(limit, after) {
        const rows = after
          ? unfinishedAfter.all(after.createdAt, after.jobName, after.ownerName, limit)
          : unfinished.all(limit);
        return rows.map(rowToJob);
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
  // The operators' view (`datapump-gateway audit`): any filter may be absent (null matches everything).
  const listFiltered = db.prepare<
    { tenant: string | null; since: string | null; until: string | null; decision: string | null; limit: number },
    StoredAuditRow
  >(
    `${select} where (@tenant is null or tenant = @tenant) and (@since is null or at >= @since)
       and (@until is null or at < @until) and (@decision is null or decision = @decision)
     order by at desc, id desc limit @limit`,
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
      async list({ tenant, since, until, decision, limit }) {
        const rows =
          since === undefined && until === undefined && decision === undefined
            ? tenant === undefined
              ? listAll.all(limit)
              : listTenant.all(tenant, limit)
            : listFiltered.all({
                tenant: tenant ?? null,
                since: since ?? null,
                until: until ?? null,
                decision: decision ?? null,
                limit,
              });
        return rows.map(rowToAudit);
      },
    },
  };
}
