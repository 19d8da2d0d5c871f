// Turns a create body into the job's parameters: stored and echoed as data, never executed.

export type Operation = 'EXPORT' | 'IMPORT';

export interface RemapSchema {
  source: string;
  target: string;
}

export interface JobParams {
  operation: Operation;
  jobMode: string;
  datapumpDir: string;
  /** `file_name` as sent; null when the export default applies. */
  fileName: string | null;
  credentialName: string | null;
  filter: string | null;
  threads: number;
  nameExpressions: string[];
  schemaExpressions: string[];
  tablespaceExpressions: string[];
  remapSchemas: RemapSchema[];
  keepMaster: number | null;
}

// Defensive conversions: with `validate: false` the body can hold anything, and the emulator must not crash.
const text = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const member = (item: unknown, key: string): string =>
  text((item as Record<string, unknown> | null)?.[key] ?? null) ?? '';

export function toJobParams(operation: Operation, body: Record<string, unknown>): JobParams {
  const threads =
    typeof body.threads === 'number' && Number.isSafeInteger(body.threads) && body.threads > 0 ? body.threads : 1;
  return {
    operation,
    jobMode: text(body.job_mode) ?? 'SCHEMA',
    datapumpDir: text(body.datapump_dir) ?? 'DATA_PUMP_DIR',
    fileName: text(body.file_name),
    credentialName: text(body.credential_name),
    filter: text(body.filter),
    threads,
    nameExpressions: list(body.name_expressions).map((item) => member(item, 'expression')),
    schemaExpressions: list(body.schema_expressions).map((item) => member(item, 'expression')),
    tablespaceExpressions: list(body.tablespace_expressions).map((item) => member(item, 'expression')),
    remapSchemas: list(body.remap_schemas).map((item) => ({
      source: member(item, 'source'),
      target: member(item, 'target'),
    })),
    keepMaster: typeof body.keep_master === 'number' ? body.keep_master : null,
  };
}
