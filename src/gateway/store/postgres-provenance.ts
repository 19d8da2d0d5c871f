/** @module The provenance role in the PostgreSQL store: what each tenant's exports produced. */
import type pg from 'pg';

import type { Provenance } from './types.js';

export function postgresProvenance(pool: pg.Pool, s: string): Provenance {
  const sql = {
    insert: `insert into ${s}.export_files (tenant, name, prefix, database_name, created_at) values ($1, $2, $3, $4, $5)
      on conflict (tenant, name) do nothing`,
    // A candidate's prefix is a prefix of the file name: its first length(prefix) characters equal it.
    candidates: `select name from ${s}.export_files where tenant = $1 and prefix <= $2
      and left($2, length(prefix)) = prefix order by name`,
    purge: `delete from ${s}.export_files where created_at < $1`,
  };
  const q = <R extends pg.QueryResultRow>(name: keyof typeof sql, values: unknown[]) =>
    pool.query<R>({ name: `dpg_provenance_${name}`, text: sql[name], values });
  return {
    async record({ tenant, database, name, at }) {
      await q('insert', [tenant, name, name.split('%')[0]!, database, at]);
    },
    async candidates(tenant, fileName) {
      const { rows } = await q<{ name: string }>('candidates', [tenant, fileName]);
      return rows.map((r) => r.name);
    },
    async purgeOlderThan(cutoff) {
      const { rowCount } = await q('purge', [cutoff]);
      return rowCount ?? 0;
    },
  };
}
