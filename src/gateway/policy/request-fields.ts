/** @module The job request's fields in the contract's order: the order the upstream request is written in. */

/** Every member a create body may carry to ORDS (the canonical request's, `operation` included). */
export const REQUEST_FIELDS = [
  'operation',
  'job_mode',
  'datapump_dir',
  'file_name',
  'credential_name',
  'filter',
  'threads',
  'name_expressions',
  'schema_expressions',
  'tablespace_expressions',
  'remap_schemas',
  'keep_master',
] as const;

export type RequestField = (typeof REQUEST_FIELDS)[number];
