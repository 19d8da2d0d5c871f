/** @module The PostgreSQL state store's numbered schema migrations, applied once under an advisory lock. */
import type { PoolClient } from 'pg';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema as a quoted SQL identifier; names are validated first, so the quoting never meets a hostile value. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: expected ${SCHEMA_NAME.source}`);
  }
  return `"${schema}"`;
}

export interface PostgresMigration {
  /** Strictly increasing; never renumber or edit an applied migration, add a new one. */
  readonly version: number;
  readonly name: string;
  /** The statements, given the quoted schema identifier (the only non-constant part, validated). */
  readonly sql: (s: string) => string;
}

// Times are ISO 8601 text (lossless round trip; the fixed-width toISOString() form sorts in time order).
// Ordered and compared text columns use the "C" collation: byte order, like JavaScript's `<` on these values,
// whatever the database's default collation (en_US would ignore punctuation and disagree with compareJobs).
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'job registry and audit trail',
    sql: (s) => `
      create table ${s}.jobs (
        database_name text collate "C" not null,
        owner_name text collate "C" not null,
        job_name text collate "C" not null,
        tenant text collate "C" not null,
        operation text not null,
        job_mode text not null,
        principal text not null,
        request_id text not null,
        canonical_request jsonb,
        created_at text collate "C" not null,
        last_state text collate "C" not null,
        last_seen_at text not null,
        primary key (database_name, owner_name, job_name)
      );
      create index jobs_tenant_listing on ${s}.jobs (tenant, database_name, created_at desc, job_name, owner_name);
      create index jobs_tenant_state on ${s}.jobs (tenant, last_state);
      create index jobs_tenant_created on ${s}.jobs (tenant, created_at);
      create index jobs_created on ${s}.jobs (created_at);

      -- id breaks ties between events of the same instant: later appended is newer.
      create table ${s}.audit_events (
        id bigint generated always as identity primary key,
        at text collate "C" not null,
        tenant text collate "C" not null,
        principal text not null,
        database_name text not null,
        request_id text not null,
        decision text not null check (decision in ('allowed', 'refused', 'failed')),
        status integer not null,
        request jsonb,
        violations jsonb,
        job_owner_name text,
        job_name text
      );
      create index audit_tenant_at on ${s}.audit_events (tenant, at desc, id desc);
      create index audit_at on ${s}.audit_events (at desc, id desc);
    `,
  },
  {
    version: 2,
    name: 'intent journal, idempotency keys and leases',
    sql: (s) => `
      create table ${s}.intents (
        id text primary key,
        tenant text not null,
        principal text not null,
        database_name text not null,
        idempotency_key text,
        fingerprint text not null,
        operation text not null,
        job_mode text not null,
        canonical_request jsonb,
        request_id text not null,
        state text not null check (state in ('pending', 'created', 'in-doubt', 'quarantined')),
        created_at text collate "C" not null,
        updated_at text collate "C" not null,
        expires_at text collate "C" not null,
        job_owner_name text,
        job_name text,
        answer jsonb
      );
      create unique index intents_key on ${s}.intents (tenant, idempotency_key) where idempotency_key is not null;
      create index intents_state on ${s}.intents (state, created_at);
      create table ${s}.leases (name text primary key, holder text not null, until text collate "C" not null);
    `,
  },
  {
    version: 3,
    name: 'index of unfinished jobs',
    // The concurrent-jobs quota counts a tenant's unfinished jobs on every create (see bench/README.md).
    // It replaces jobs_tenant_state, which served only this count and would still walk the finished jobs.
    sql: (s) => `drop index ${s}.jobs_tenant_state;
      create index jobs_active on ${s}.jobs (tenant) where last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING');`,
  },
  {
    version: 4,
    name: 'recovered intents, evidence tokens, aggregated audit events, quota indexes',
    // The state check of migration 2 was unnamed, so it has PostgreSQL's default name, intents_state_check.
    // The claim counts reserving intents per tenant and per database on every create: two partial indexes over
    // just those (few: in flight or awaiting reconciliation), whose WHERE the claim's queries repeat verbatim.
    // jobs_database_active serves the per-database count of unfinished jobs as jobs_active serves the tenant's.
    sql: (s) => `
      alter table ${s}.intents add column evidence_token text;
      alter table ${s}.intents drop constraint intents_state_check;
      alter table ${s}.intents add constraint intents_state_check
        check (state in ('pending', 'created', 'in-doubt', 'quarantined', 'recovered'));
      create index intents_reserving_tenant on ${s}.intents (tenant, created_at)
        where state in ('pending', 'in-doubt', 'quarantined');
      create index intents_reserving_database on ${s}.intents (database_name)
        where state in ('pending', 'in-doubt', 'quarantined');
      create index jobs_database_active on ${s}.jobs (database_name)
        where last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING');

      alter table ${s}.audit_events add column count integer not null default 1 check (count >= 1);
      alter table ${s}.audit_events add column aggregate_key text;
      create unique index audit_aggregate on ${s}.audit_events (aggregate_key) where aggregate_key is not null;
    `,
  },
  {
    version: 5,
    name: "what each tenant's exports produced (import provenance)",
    // One row per tenant and name (a file_name pattern, an Object Storage URI, or a dump file a job listed);
    // prefix is the name before its first '%', so candidates are found by an index range, not a scan.
    sql: (s) => `
      create table ${s}.export_files (
        tenant text collate "C" not null,
        name text collate "C" not null,
        prefix text collate "C" not null,
        database_name text not null,
        created_at text collate "C" not null,
        primary key (tenant, name)
      );
      create index export_files_prefix on ${s}.export_files (tenant, prefix);
      create index export_files_created on ${s}.export_files (created_at);
    `,
  },
  {
    version: 6,
    name: 'how jobs ended: outcome, files, log tail (job watcher)',
    // Existing rows get nulls: no outcome yet, so the job watcher looks at them and settles them. finished_at is
    // when the gateway recorded the end (finish's `at`, also written to last_seen_at); the job's own end time,
    // when known, is the outcome's finished_at. It is set exactly when the outcome is (the check).
    // jobs_unfinished holds just the jobs without an outcome (few: running, or not yet settled), in
    // listUnfinished's order, so the watcher's round neither scans the finished jobs nor sorts.
    // Adding nullable columns without defaults rewrites nothing; the index build reads the table once.
    sql: (s) => `
      alter table ${s}.jobs add column outcome jsonb
        constraint jobs_outcome_check check (outcome is null or jsonb_typeof(outcome) = 'object');
      alter table ${s}.jobs add column files jsonb
        constraint jobs_files_check check (files is null or jsonb_typeof(files) = 'array');
      alter table ${s}.jobs add column log_tail text;
      alter table ${s}.jobs add column finished_at text collate "C";
      alter table ${s}.jobs add constraint jobs_finished_check check ((finished_at is null) = (outcome is null));
      create index jobs_unfinished on ${s}.jobs (created_at, job_name, owner_name) where outcome is null;
    `,
  },
];

/**
 * Creates the schema if missing and applies the pending migrations in one transaction. Replicas starting together
 * serialise on a transaction-scoped advisory lock keyed by the schema name: the first applies, the rest find
 * them applied. Versions recorded that this build does not know (a newer replica migrated) are left alone.
 * Returns the versions applied.
 */
export async function applyPostgresMigrations(
  client: PoolClient,
  schema: string,
  migrations: readonly PostgresMigration[],
  now: () => Date,
): Promise<number[]> {
  const s = quoteSchema(schema);
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`datapump-gateway:migrations:${schema}`]);
    // Look before creating: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database, which a role
    // given a pre-made schema may lack.
    const exists = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`create schema ${s}`);
    await client.query(`create table if not exists ${s}.schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null)`);
    const done = await client.query<{ version: number }>(`select version from ${s}.schema_migrations`);
    const applied = new Set(done.rows.map((r) => r.version));
    const ran: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql(s));
      await client.query(`insert into ${s}.schema_migrations (version, name, applied_at) values ($1, $2, $3)`, [
        m.version,
        m.name,
        now().toISOString(),
      ]);
      ran.push(m.version);
    }
    await client.query('commit');
    return ran;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}
