/**
 * @module A database's alias on the gateway's ORDS-shaped path (`/ords/{database}/{schema}/_/db-api/…`): the
 * configured `ords_path`, else the database and schema segments of its ORDS URL — so a script written against ORDS
 * changes only its host and credentials.
 */

/** `database/schema`, each a URL segment ORDS could map (the public contract's `ords_database`/`ords_schema`). */
export const ORDS_PATH = /^[A-Za-z0-9_.~-]{1,128}\/[A-Za-z0-9_.~-]{1,128}$/;

/**
 * The last two segments of an ORDS base URL (`…/ords/orcl/pdbadmin/` → `orcl/pdbadmin`); null when the URL has no
 * schema segment after its context root (`…/ords/` or `…/ords/pdbdba/`): then only a configured alias serves it.
 */
export function derivedOrdsPath(url: string): string | null {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return null;
  }
  const segments = pathname.split('/').filter(Boolean);
  if (segments.length < 3) return null; // context root, database, schema
  const alias = segments.slice(-2).join('/');
  return ORDS_PATH.test(alias) ? alias : null;
}

/** The alias a database is served under: the configured one wins over the derived one. */
export function ordsPathOf(url: string, configured: string | undefined): string | null {
  return configured ?? derivedOrdsPath(url);
}
