/** @module How `verify-upstream` prints its checks: one line per check for people, one JSON document for machines. */
import type { DatabaseConfig } from '../config/types.js';
import { type CheckResult, exitCodeOf, type Status } from './check-result.js';

/** The ORDS base URL as configured, without any user information a URL could carry. */
function safeUrl(database: Pick<DatabaseConfig, 'url'>): string {
  const url = new URL(database.url);
  return `${url.origin}${url.pathname}`;
}

/** `PASS  credentials       Basic pdbadmin: 200 GET …`: the status, the check's name padded, its summary. */
export function humanReport(database: DatabaseConfig, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  const lines = results.map((r) => `${r.status.padEnd(4)}  ${r.check.padEnd(width)}  ${r.summary}`);
  const counts = countOf(results);
  const verdict = `${database.name} at ${safeUrl(database)}: ${counts.PASS} PASS, ${counts.WARN} WARN, ${counts.FAIL} FAIL`;
  return `${lines.join('\n')}\n${verdict}\n`;
}

/** One document: the database, the overall result and exit code, and every check with its evidence. */
export function jsonReport(database: DatabaseConfig, results: readonly CheckResult[]): string {
  const counts = countOf(results);
  const overall: Status = counts.FAIL > 0 ? 'FAIL' : counts.WARN > 0 ? 'WARN' : 'PASS';
  const doc = {
    database: database.name,
    url: safeUrl(database),
    result: overall,
    exit_code: exitCodeOf(results),
    counts,
    checks: results,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function countOf(results: readonly CheckResult[]): Record<Status, number> {
  const counts: Record<Status, number> = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}
