/** @module How the admin commands print rows: an aligned table for people, JSON lines (`--json`) for programs. */
import { printable } from './admin-args.js';
import type { CliIo } from './io.js';

type Row = Readonly<Record<string, string>>;

/**
 * Columns as wide as their widest cell, two spaces apart. Cells hold what tenants sent (principals, violation
 * details), so control characters are escaped: no escape sequence reaches the operator's terminal.
 */
export function table(columns: readonly string[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => printable(row[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => [...r[i]!].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v + ' '.repeat(widths[i]! - [...v].length)))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].map((l) => `${l}\n`).join('');
}

/** Prints the records as JSON lines (one object a line), or as a table with a note when there are none. */
export function printRecords<T>(
  io: CliIo,
  json: boolean,
  records: readonly T[],
  columns: readonly string[],
  toRow: (record: T) => Row,
  none: string,
): void {
  if (json) {
    for (const record of records) io.stdout.write(`${JSON.stringify(record)}\n`);
    return;
  }
  if (records.length === 0) {
    io.stdout.write(`${none}\n`);
    return;
  }
  io.stdout.write(table(columns, records.map(toRow)));
}
