/** @module The SQLite state store's numbered schema migrations and the runner that applies the pending ones. */
import type Database from 'better-sqlite3';

export interface Migration {
  /** Strictly increasing; never renumber or edit an applied migration, add a new one. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

// Times are ISO 8601 text: the fixed-width toISOString() form sorts lexicographically in time order, and
// text round-trips exactly what the caller gave. BINARY collation orders like JavaScript's `<` for these values.
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'job registry and audit trail',
    sql: `
      create table jobs (
        database_name text not null,
        owner_name text not null,
        job_name text not null,
        tenant text not null,
        operation text not null,
        job_mode text not null,
        principal text not null,
        request_id text not null,
        canonical_request text check (canonical_request is null or json_valid(canonical_request)),
        created_at text not null,
        last_state text not null,
        last_seen_at text not null,
        primary key (database_name, owner_name, job_name)
      );
      create index jobs_tenant_listing on jobs (tenant, database_name, created_at desc, job_name, owner_name);
      create index jobs_tenant_state on jobs (tenant, last_state);
      create index jobs_tenant_created on jobs (tenant, created_at);
      create index jobs_created on jobs (created_at);

      -- id breaks ties between events of the same instant: later appended is newer.
      create table audit_events (
        id integer primary key autoincrement,
        at text not null,
        tenant text not null,
        principal text not null,
        database_name text not null,
        request_id text not null,
        decision text not null check (decision in ('allowed', 'refused', 'failed')),
        status integer not null,
        request text check (request is null or json_valid(request)),
        violations text check (violations is null or json_valid(violations)),
        job_owner_name text,
        job_name text
      );
      create index audit_tenant_at on audit_events (tenant, at desc, id desc);
      create index audit_at on audit_events (at desc, id desc);
    `,
  },
  {
    version: 2,
    name: 'intent journal, idempotency keys and leases',
    sql: `
      create table intents (
        id text primary key,
        tenant text not null,
        principal text not null,
        database_name text not null,
        idempotency_key text,
        fingerprint text not null,
        operation text not null,
        job_mode text not null,
        canonical_request text check (canonical_request is null or json_valid(canonical_request)),
        request_id text not null,
        state text not null check (state in ('pending', 'created', 'in-doubt', 'quarantined')),
        created_at text not null,
        updated_at text not null,
        expires_at text not null,
        job_owner_name text,
        job_name text,
        answer text check (answer is null or json_valid(answer))
      );
      create unique index intents_key on intents (tenant, idempotency_key) where idempotency_key is not null;
      create index intents_state on intents (state, created_at);
      create table leases (name text primary key, holder text not null, until text not null);
    `,
  },
  {
    version: 3,
    name: 'index of unfinished jobs',
    // The concurrent-jobs quota counts a tenant's unfinished jobs on every create; without this the count
    // scanned every job the tenant ever had (818 µs at 9,000 finished jobs, measured in bench/).
    // It replaces jobs_tenant_state, which served only this count and would still walk the finished jobs.
    sql: `drop index jobs_tenant_state;
      create index jobs_active on jobs (tenant) where last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING');`,
  },
  {
    version: 4,
    name: 'recovered intents, evidence tokens, aggregated audit events, quota indexes',
    // SQLite cannot alter a CHECK constraint, so the intents table is rebuilt (create, copy, drop, rename) with
    // 'recovered' allowed and evidence_token added; dropping the old table dropped its indexes, made again here.
    // The claim counts reserving intents per tenant and per database on every create: two partial indexes over
    // just those (few: in flight or awaiting reconciliation), whose WHERE the claim's queries repeat verbatim.
    // jobs_database_active serves the per-database count of unfinished jobs as jobs_active serves the tenant's.
    sql: `
      create table intents_v4 (
        id text primary key,
        tenant text not null,
        principal text not null,
        database_name text not null,
        idempotency_key text,
        fingerprint text not null,
        operation text not null,
        job_mode text not null,
        canonical_request text check (canonical_request is null or json_valid(canonical_request)),
        request_id text not null,
        evidence_token text,
        state text not null check (state in ('pending', 'created', 'in-doubt', 'quarantined', 'recovered')),
        created_at text not null,
        updated_at text not null,
        expires_at text not null,
        job_owner_name text,
        job_name text,
        answer text check (answer is null or json_valid(answer))
      );
      insert into intents_v4 (id, tenant, principal, database_name, idempotency_key, fingerprint, operation, job_mode,
          canonical_request, request_id, state, created_at, updated_at, expires_at, job_owner_name, job_name, answer)
        select id, tenant, principal, database_name, idempotency_key, fingerprint, operation, job_mode,
          canonical_request, request_id, state, created_at, updated_at, expires_at, job_owner_name, job_name, answer
        from intents;
      drop table intents;
      alter table intents_v4 rename to intents;
      create unique index intents_key on intents (tenant, idempotency_key) where idempotency_key is not null;
      create index intents_state on intents (state, created_at);
      create index intents_reserving_tenant on intents (tenant, created_at)
        where state in ('pending', 'in-doubt', 'quarantined');
      create index intents_reserving_database on intents (database_name)
        where state in ('pending', 'in-doubt', 'quarantined');
      create index jobs_database_active on jobs (database_name)
        where last_state not in ('COMPLETED', 'STOPPED', 'NOT RUNNING');

      alter table audit_events add column count integer not null default 1 check (count >= 1);
      alter table audit_events add column aggregate_key text;
      create unique index audit_aggregate on audit_events (aggregate_key) where aggregate_key is not null;
    `,
  },
  {
    version: 5,
    name: "what each tenant's exports produced (import provenance)",
    // One row per tenant and name (a file_name pattern, an Object Storage URI, or a dump file a job listed);
    // prefix is the name before its first '%', so candidates are found by an index range, not a scan.
    sql: `
      create table export_files (
        tenant text not null,
        name text not null,
        prefix text not null,
        database_name text not null,
        created_at text not null,
        primary key (tenant, name)
      );
      create index export_files_prefix on export_files (tenant, prefix);
      create index export_files_created on export_files (created_at);
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
    sql: `
      alter table jobs add column outcome text
        check (outcome is null or (json_valid(outcome) and json_type(outcome) = 'object'));
      alter table jobs add column files text
        check (files is null or (json_valid(files) and json_type(files) = 'array'));
      alter table jobs add column log_tail text;
      alter table jobs add column finished_at text check ((finished_at is null) = (outcome is null));
      create index jobs_unfinished on jobs (created_at, job_name, owner_name) where outcome is null;
    `,
  },
];

/**
 * Applies the migrations not yet recorded in `schema_migrations`, all in one IMMEDIATE transaction so a second
 * process opening the same file waits (busy timeout) and then finds them applied. Returns the versions applied.
 */
export function applySqliteMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
  now: () => Date,
): number[] {
  const run = db.transaction((): number[] => {
    db.exec(`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at text not null)`);
    const done = new Set(
      db
        .prepare<[], { version: number }>('select version from schema_migrations')
        .all()
        .map((r) => r.version),
    );
    const insert = db.prepare<[number, string, string]>(
      'insert into schema_migrations (version, name, applied_at) values (?, ?, ?)',
    );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      insert.run(m.version, m.name, now().toISOString());
      applied.push(m.version);
    }
    return applied;
  });
  return run.immediate();
}
