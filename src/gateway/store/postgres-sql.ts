/** @module The SQL of every PostgreSQL state store operation, schema-qualified, so nothing depends on search_path. */
import type pg from 'pg';

import { INTENT_COLUMNS } from './intent-rows.js';
import { AUDIT_COLUMNS, JOB_COLUMNS, RESERVING_SQL, SETTLED_SQL, TERMINAL_SQL } from './sql-rows.js';

const JSON_COLUMNS: ReadonlySet<string> = new Set([
  'canonical_request',
  'request',
  'violations',
  'answer',
  'outcome',
  'files',
]);

// JSON columns are read as text and parsed by the shared row mappers, so SQL NULL (undefined) and JSON null differ.
const selected = (cols: readonly string[]) =>
  cols.map((c) => (JSON_COLUMNS.has(c) ? `${c}::text as ${c}` : c)).join(', ');
const params = (cols: readonly string[]) =>
  cols.map((c, i) => (JSON_COLUMNS.has(c) ? `$${i + 1}::jsonb` : `$${i + 1}`)).join(', ');

/** `s` is the quoted schema identifier (validated by quoteSchema). */
export function statements(s: string) {
  const jobCols = selected(JOB_COLUMNS);
  const auditCols = `${selected(AUDIT_COLUMNS)}, count`;
  const intentCols = selected(INTENT_COLUMNS);
  const order = 'order by created_at desc, job_name, owner_name';
  // What holds quota: unfinished registry jobs and unexpired reserving intents. The state lists are literals
  // matching the partial indexes jobs_active, jobs_database_active and intents_reserving_*, so the counts use them.
  const reserving = `from ${s}.intents where state in ${RESERVING_SQL} and expires_at > $2`;
  return {
    // Registry. Jobs are insert-only: a conflict leaves the recorded row as it is.
    insertJob: `insert into ${s}.jobs (${JOB_COLUMNS.join(', ')}) values (${params(JOB_COLUMNS)})
      on conflict (database_name, owner_name, job_name) do nothing`,
    jobTenant: `select tenant from ${s}.jobs where database_name = $1 and owner_name = $2 and job_name = $3`,
    find: `select ${jobCols} from ${s}.jobs where database_name = $1 and owner_name = $2 and job_name = $3`,
    // One statement, so the total and the page come from the same snapshot; the left join keeps the total
    // when the page is empty (offset past the end).
    list: `select t.total, p.* from (select count(*)::int as total from ${s}.jobs where tenant = $1 and database_name = $2) t
      left join lateral (select ${jobCols} from ${s}.jobs where tenant = $1 and database_name = $2
        ${order} limit $3 offset $4) p on true
      order by p.created_at desc, p.job_name, p.owner_name`,
    listForDatabase: `select ${jobCols} from ${s}.jobs where database_name = $1 ${order} limit $2`,
    updateState: `update ${s}.jobs set last_state = $1, last_seen_at = $2
      where database_name = $3 and owner_name = $4 and job_name = $5 and outcome is null`,
    // The job watcher's writes: a job with an outcome is never changed again (`outcome is null`); a null files or
    // log tail keeps what was kept. finished_at is when the end was recorded ($5, as last_seen_at).
    observe: `update ${s}.jobs set last_state = $4, last_seen_at = $5, files = coalesce($6::jsonb, files),
      log_tail = coalesce($7::text, log_tail)
      where database_name = $1 and owner_name = $2 and job_name = $3 and outcome is null`,
    finish: `update ${s}.jobs set last_state = $4, last_seen_at = $5, outcome = $6::jsonb,
      files = coalesce($7::jsonb, files), log_tail = coalesce($8::text, log_tail), finished_at = $5
      where database_name = $1 and owner_name = $2 and job_name = $3 and outcome is null`,
    // The WHERE matches the partial index jobs_unfinished, whose columns are this order: no scan, no sort.
    listUnfinished: `select ${jobCols} from ${s}.jobs where outcome is null
      order by created_at, job_name, owner_name limit $1`,
    // The page after a cursor: a row-value comparison in the index's order, still read from the index.
    listUnfinishedAfter: `select ${jobCols} from ${s}.jobs where outcome is null
      and (created_at, job_name, owner_name) > ($2, $3, $4)
      order by created_at, job_name, owner_name limit $1`,
    owners: `select distinct owner_name from ${s}.jobs where database_name = $1 order by owner_name`,

    // Audit log. The partial unique index on aggregate_key is the conflict target of an aggregated event.
    appendAudit: `insert into ${s}.audit_events (${AUDIT_COLUMNS.join(', ')}) values (${params(AUDIT_COLUMNS)})`,
    appendAggregated: `insert into ${s}.audit_events (${AUDIT_COLUMNS.join(', ')}, aggregate_key)
      values (${params(AUDIT_COLUMNS)}, $${AUDIT_COLUMNS.length + 1})
      on conflict (aggregate_key) where aggregate_key is not null
      do update set count = ${s}.audit_events.count + 1`,
    listAuditAll: `select ${auditCols} from ${s}.audit_events order by at desc, id desc limit $1`,
    listAuditTenant: `select ${auditCols} from ${s}.audit_events where tenant = $1 order by at desc, id desc limit $2`,
    // The operators' view (`datapump-gateway audit`): any filter may be null (matches everything).
    listAuditFiltered: `select ${auditCols} from ${s}.audit_events
      where ($1::text is null or tenant = $1) and ($2::text is null or at >= $2)
        and ($3::text is null or at < $3) and ($4::text is null or decision = $4)
      order by at desc, id desc limit $5`,

    // Intent journal. Claims of one tenant (and, with a database quota, of one database) serialise on
    // transaction-scoped advisory locks: two int4 keys, the first naming the kind and the schema.
    lockTenant: `select pg_advisory_xact_lock(hashtext('datapump-gateway:claim:tenant:' || $1), hashtext($2))`,
    lockDatabase: `select pg_advisory_xact_lock(hashtext('datapump-gateway:claim:database:' || $1), hashtext($2))`,
    concurrent: `select ((select count(*) from ${s}.jobs where tenant = $1 and last_state not in ${TERMINAL_SQL})
      + (select count(*) ${reserving} and tenant = $1))::int as n`,
    daily: `select ((select count(*) from ${s}.jobs where tenant = $1 and created_at >= $3)
      + (select count(*) ${reserving} and tenant = $1 and created_at >= $3))::int as n`,
    running: `select ((select count(*) from ${s}.jobs where database_name = $1 and last_state not in ${TERMINAL_SQL})
      + (select count(*) ${reserving} and database_name = $1))::int as n`,
    insertIntent: `insert into ${s}.intents (${INTENT_COLUMNS.join(', ')}) values (${params(INTENT_COLUMNS)})`,
    byKey: `select ${intentCols} from ${s}.intents where tenant = $1 and idempotency_key = $2`,
    removeIntent: `delete from ${s}.intents where id = $1`,
    settleIntent: `update ${s}.intents set state = $2, updated_at = $3, job_owner_name = $4, job_name = $5,
      answer = $6::jsonb where id = $1`,
    setIntentState: `update ${s}.intents set state = $2, updated_at = $3 where id = $1`,
    intentById: `select ${intentCols} from ${s}.intents where id = $1`,
    // Locks the row until commit: a second resolution of the same intent waits, then sees the first one's state.
    lockIntentState: `select state from ${s}.intents where id = $1 for update`,
    listIntents: `select ${intentCols} from ${s}.intents where state = any($1::text[]) and created_at < $2
      order by created_at, id`,

    // Leases: taken if free, expired, or already ours; a returned row tells it was written.
    lease: `insert into ${s}.leases (name, holder, until) values ($1, $2, $3)
      on conflict (name) do update set holder = excluded.holder, until = excluded.until
      where ${s}.leases.holder = excluded.holder or ${s}.leases.until <= $4 returning name`,
    unlease: `delete from ${s}.leases where name = $1 and holder = $2`,

    // Retention: only finished jobs (one still running keeps counting towards its tenant's quota); settled
    // intents whose key expired (reserving ones stay until settled).
    purge: `with j as (delete from ${s}.jobs where created_at < $1 and last_state in ${TERMINAL_SQL} returning 1),
      a as (delete from ${s}.audit_events where at < $2 returning 1),
      i as (delete from ${s}.intents where state in ${SETTLED_SQL} and expires_at < $1 returning 1)
      select (select count(*) from j)::int as jobs, (select count(*) from a)::int as audit`,
    // A table of ours, not just `select 1`: a store whose schema was dropped is not ready.
    ping: `select 1 from ${s}.schema_migrations limit 1`,
  };
}

export type Statements = ReturnType<typeof statements>;

/** Runs one named statement of the store (prepared once per connection, then reused). */
export type Exec = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  name: keyof Statements,
  values: unknown[],
) => Promise<pg.QueryResult<R>>;
