/** @module The provenance role in the SQLite store: what each tenant's exports produced. */
import type Database from 'better-sqlite3';

import type { Provenance } from './types.js';

export function sqliteProvenance(db: Database.Database): Provenance {
  const insert = db.prepare<[string, string, string, string, string]>(
    `insert into export_files (tenant, name, prefix, database_name, created_at) values (?, ?, ?, ?, ?)
     on conflict (tenant, name) do nothing`,
  );
  // A candidate's prefix is a prefix of the file name: its first length(prefix) characters equal it.
  const candidates = db.prepare<[string, string, string], { name: string }>(
    `select name from export_files where tenant = ? and prefix <= ? and substr(?, 1, length(prefix)) = prefix
     order by name`,
  );
  const purge = db.prepare<[string]>('delete from export_files where created_at < ?');
  return {
    async record({ tenant, database, name, at }) {
      insert.run(tenant, name, name.split('%')[0]!, database, at);
    },
    async candidates(tenant, fileName) {
      return candidates.all(tenant, fileName, fileName).map((r) => r.name);
    },
    async purgeOlderThan(cutoff) {
      return purge.run(cutoff).changes;
    },
  };
}
