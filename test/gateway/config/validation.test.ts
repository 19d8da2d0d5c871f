// Table of bad configs: each must fail with exactly the listed problems, named by dotted path.
import { describe, expect, it } from 'vitest';

import { ConfigError } from '../../../src/gateway/config/errors.js';
import type { Env } from '../../../src/gateway/config/interpolate.js';
import { parseConfig } from '../../../src/gateway/config/load.js';
import { deleteAt, ENV, HR_HASH, minimalConfig, salesTenant, SECRET, setAt, toYaml, type Tree } from './fixtures.js';

interface BadCase {
  readonly name: string;
  /** Edits a fresh minimal config; ignored when `text` is given. */
  readonly edit?: (config: Tree) => void;
  /** Raw YAML, for what an object cannot express. */
  readonly text?: string;
  readonly env?: Env;
  readonly problems: readonly string[];
}

const DB_URL_RULE =
  'must be an http(s) URL without credentials, query or fragment, ending in /ords/<database>/<schema>/ or /ords/<schema>/';
const ORACLE_NAME_RULE =
  'must be an upper-case Oracle name (A-Z, 0-9, _, $, #, starting with a letter, at most 128 characters) or "*"';
const HASH_RULE =
  "must be 64 lower-case hex digits (the SHA-256 of the key, as printed by 'datapump-gateway hash-key')";

const set = (path: string, value: unknown) => (c: Tree) => setAt(c, path, value);
const remove = (path: string) => (c: Tree) => deleteAt(c, path);

const cases: readonly BadCase[] = [
  // the tenant boundary (issue 14)
  {
    name: 'file prefixes of two tenants where one begins the other',
    edit: (c) => {
      setAt(c, 'tenants.hr-team.grants.file_prefix', 'HR');
      setAt(c, 'tenants.sales-team', salesTenant());
      setAt(c, 'tenants.sales-team.grants.file_prefix', 'HR_ARCHIVE');
    },
    problems: [
      'tenants.sales-team.grants.file_prefix: "HR_ARCHIVE" begins with tenant hr-team\'s file_prefix "HR": hr-team could read and overwrite this tenant\'s dump files',
    ],
  },
  {
    name: 'two tenants with the same file prefix',
    edit: (c) => {
      setAt(c, 'tenants.hr-team.grants.file_prefix', 'HR_');
      setAt(c, 'tenants.sales-team', salesTenant());
      setAt(c, 'tenants.sales-team.grants.file_prefix', 'HR_');
    },
    problems: [
      'tenants.hr-team.grants.file_prefix: "HR_" begins with tenant sales-team\'s file_prefix "HR_": sales-team could read and overwrite this tenant\'s dump files',
      'tenants.sales-team.grants.file_prefix: "HR_" begins with tenant hr-team\'s file_prefix "HR_": hr-team could read and overwrite this tenant\'s dump files',
    ],
  },
  {
    name: 'the tenant label on metrics without a token or a separate listener',
    edit: set('metrics', { tenant_label: true }),
    problems: [
      'metrics.tenant_label: needs metrics.token or metrics.listen: otherwise anyone who can reach /metrics sees every tenant and its traffic',
    ],
  },
  {
    name: 'an import provenance that is not one of the three',
    edit: set('tenants.hr-team.grants.import_provenance', 'everything'),
    problems: ['tenants.hr-team.grants.import_provenance: must be one of: own_exports, prefix, any'],
  },
  // Oracle's own URLs on the gateway (issue 16)
  {
    name: 'two databases on one ORDS URL: the same derived ORDS path',
    edit: set('databases.test', {
      url: 'http://127.0.0.1:8181/ords/orcl/pdbadmin/',
      auth: { basic: { username: 'pdbadmin', password: '${ORDS_PASSWORD}' } },
    }),
    problems: [
      'databases.test.ords_path: "orcl/pdbadmin" is already database orcl\'s ORDS path: set databases.test.ords_path to another database/schema',
    ],
  },
  {
    name: "an ORDS path equal to another database's but for case",
    edit: set('databases.test', {
      url: 'http://127.0.0.1:8181/ords/test/pdbadmin/',
      ords_path: 'ORCL/PDBADMIN',
      auth: { basic: { username: 'pdbadmin', password: '${ORDS_PASSWORD}' } },
    }),
    problems: [
      'databases.test.ords_path: "ORCL/PDBADMIN" is already database orcl\'s ORDS path: set databases.test.ords_path to another database/schema',
    ],
  },
  ...['orcl', 'orcl/pdbadmin/extra', '/orcl/pdbadmin', 'orcl/pdb admin', 'orcl/'].map((value) => ({
    name: `an ORDS path that is not database/schema: ${JSON.stringify(value)}`,
    edit: set('databases.orcl.ords_path', value),
    problems: ['databases.orcl.ords_path: must be two URL segments, database/schema, such as orcl/pdbadmin'],
  })),
  // job outcomes and the watcher (issue 15)
  {
    name: 'a time zone Node does not know',
    edit: set('databases.orcl.time_zone', 'Mars/Olympus_Mons'),
    problems: [
      'databases.orcl.time_zone: "Mars/Olympus_Mons" is not a time zone this Node knows (IANA names such as UTC or Europe/Berlin)',
    ],
  },
  {
    name: 'a time zone spelled as an offset',
    edit: set('databases.orcl.time_zone', '+01:00'),
    problems: ['databases.orcl.time_zone: must be an IANA time zone name such as UTC or Europe/Berlin'],
  },
  {
    name: 'a watch interval below half a second',
    edit: set('watch', { interval_ms: 10 }),
    problems: ['watch.interval_ms: must be >= 500'],
  },
  // store, limits, jwt, policy (issues 5 and 6)
  {
    name: 'a rate without a unit',
    edit: set('limits', { defaults: { create: '10' } }),
    problems: ['limits.defaults.create: must be a rate like 10/hour (N/second, N/minute, N/hour or N/day)'],
  },
  {
    name: 'a rate of zero',
    edit: set('tenants.hr-team.limits', { read: '0/minute' }),
    problems: ['tenants.hr-team.limits.read: must be a rate like 10/hour (N/second, N/minute, N/hour or N/day)'],
  },
  {
    name: 'a quota of zero concurrent jobs',
    edit: set('tenants.hr-team.limits', { concurrent_jobs: 0 }),
    problems: ['tenants.hr-team.limits.concurrent_jobs: must be >= 1'],
  },
  {
    name: 'a literal Redis URL',
    edit: set('limits', { redis: 'redis://:pw@127.0.0.1:6379' }),
    problems: ['limits.redis: must be a reference to an environment variable, like ${REDIS_URL}'],
  },
  {
    name: 'a literal PostgreSQL URL',
    edit: set('store', { postgres: { url: 'postgres://u:pw@db/x' } }),
    problems: ['store.postgres.url: must be a reference to an environment variable, like ${DATABASE_URL}'],
  },
  {
    name: 'a store schema that is not an identifier',
    edit: set('store', { postgres: { url: '${DATABASE_URL}', schema: 'x; drop' } }),
    env: { ...ENV, DATABASE_URL: 'postgres://h/x' },
    problems: ['store.postgres.schema: must be a lower-case SQL identifier'],
  },
  {
    name: 'a JWT section without an audience',
    edit: set('jwt', { jwks_url: 'https://idp/jwks', issuer: 'https://idp/', tenant_claim: 'team' }),
    problems: ['jwt.audience: is required'],
  },
  {
    name: 'a JWT algorithm that is symmetric',
    edit: set('jwt', {
      jwks_url: 'https://idp/jwks',
      issuer: 'i',
      audience: 'a',
      tenant_claim: 't',
      algorithms: ['HS256'],
    }),
    problems: [
      'jwt.algorithms[0]: must be one of: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA',
    ],
  },
  {
    name: 'a file prefix with a slash',
    edit: set('tenants.hr-team.grants.file_prefix', 'HR/'),
    problems: ["tenants.hr-team.grants.file_prefix: must be letters, digits, '_' or '-', at most 64 characters"],
  },
  {
    name: 'an object-storage namespace in upper case',
    edit: set('tenants.hr-team.grants.object_storage', [{ namespace: 'ACME', bucket: 'b' }]),
    problems: [
      "tenants.hr-team.grants.object_storage[0].namespace: must be an Object Storage namespace (lower-case letters, digits, '-')",
    ],
  },
  {
    name: 'a policy list cap over 10,000',
    edit: set('policy', { max_list_names: 10001 }),
    problems: ['policy.max_list_names: must be <= 10000'],
  },
  // URLs
  {
    name: 'database URL that is no URL',
    edit: set('databases.orcl.url', 'not a url'),
    problems: ['databases.orcl.url: must be a URL'],
  },
  {
    name: 'database URL with an impossible port',
    edit: set('databases.orcl.url', 'http://h:99999/ords/orcl/pdbadmin/'),
    problems: ['databases.orcl.url: must be a URL'],
  },
  {
    name: 'database URL not ending in /ords/…',
    edit: set('databases.orcl.url', 'http://h:8181/api/v1/'),
    problems: [`databases.orcl.url: ${DB_URL_RULE}`],
  },
  {
    name: 'database URL with credentials in it',
    edit: set('databases.orcl.url', 'http://pdbadmin:pw@h/ords/orcl/pdbadmin/'),
    problems: [`databases.orcl.url: ${DB_URL_RULE}`],
  },
  {
    name: 'database URL with another scheme',
    edit: set('databases.orcl.url', 'ftp://h/ords/orcl/pdbadmin/'),
    problems: [`databases.orcl.url: ${DB_URL_RULE}`],
  },
  {
    name: 'public URL with a query',
    edit: set('public_url', 'https://gw.example.com/?a=1'),
    problems: [
      'public_url: must be an absolute http(s) URL without credentials, query or fragment, like https://gateway.example.com',
    ],
  },
  {
    name: 'public URL that is a relative path',
    edit: set('public_url', '/gateway'),
    problems: ['public_url: must be a URL'],
  },
  {
    name: 'CORS origin with a path',
    edit: set('cors.origins', ['https://app.example.com/']),
    problems: ['cors.origins[0]: must be an origin: http(s)://host[:port], without a path or trailing slash'],
  },
  {
    name: 'OAuth2 token URL that is no URL',
    edit: set('databases.orcl.auth', { oauth2: { client_id: 'gw', client_secret: '${CS}', token_url: 'token' } }),
    env: { CS: 'x' },
    problems: ['databases.orcl.auth.oauth2.token_url: must be a URL'],
  },
  {
    name: 'OAuth2 token URL on another origin than ORDS (the pool would send it to ORDS)',
    edit: set('databases.orcl.auth', {
      oauth2: { client_id: 'gw', client_secret: '${CS}', token_url: 'https://idp.example.com/token' },
    }),
    env: { CS: 'x' },
    problems: [
      "databases.orcl.auth.oauth2.token_url: must be on the database's ORDS origin (http://127.0.0.1:8181): ORDS issues its own tokens",
    ],
  },
  {
    name: 'OAuth2 token URL on the same host but another port',
    edit: set('databases.orcl.auth', {
      oauth2: { client_id: 'gw', client_secret: '${CS}', token_url: 'http://127.0.0.1:9999/ords/oauth/token' },
    }),
    env: { CS: 'x' },
    problems: [
      "databases.orcl.auth.oauth2.token_url: must be on the database's ORDS origin (http://127.0.0.1:8181): ORDS issues its own tokens",
    ],
  },

  // unknown and missing keys
  {
    name: 'misspelt key',
    edit: (c) => setAt(c, 'listen', { hots: '127.0.0.1', port: 8080 }),
    problems: ['listen.hots: is not a known setting (did you mean "host"?)'],
  },
  {
    name: 'unknown top-level key',
    edit: set('tenant', {}),
    problems: ['tenant: is not a known setting (did you mean "tenants"?)'],
  },
  {
    name: 'unknown key in an api_keys entry',
    edit: set('tenants.hr-team.api_keys', [{ sha256: HR_HASH, label: 'ci' }]),
    problems: ['tenants.hr-team.api_keys[0].label: is not a known setting'],
  },
  {
    name: 'misspelt grant: unknown and missing at once',
    edit: (c) => {
      deleteAt(c, 'tenants.hr-team.grants.max_threads');
      setAt(c, 'tenants.hr-team.grants.max_thread', 4);
    },
    problems: [
      'tenants.hr-team.grants.max_threads: is required',
      'tenants.hr-team.grants.max_thread: is not a known setting (did you mean "max_threads"?)',
    ],
  },
  { name: 'missing public_url', edit: remove('public_url'), problems: ['public_url: is required'] },
  {
    name: 'missing grants.schemas',
    edit: remove('tenants.hr-team.grants.schemas'),
    problems: ['tenants.hr-team.grants.schemas: is required'],
  },

  // secrets
  {
    name: 'literal password',
    edit: set('databases.orcl.auth.basic.password', 'hunter2'),
    problems: [
      'databases.orcl.auth.basic.password: must be a reference to an environment variable, like ${ORDS_PASSWORD}',
    ],
  },
  {
    name: 'password reference with a default',
    edit: set('databases.orcl.auth.basic.password', '${ORDS_PASSWORD:-hunter2}'),
    problems: [
      'databases.orcl.auth.basic.password: must be a reference to an environment variable without a default, like ${ORDS_PASSWORD}',
    ],
  },
  {
    name: 'password reference inside other text',
    edit: set('databases.orcl.auth.basic.password', 'pre-${ORDS_PASSWORD}'),
    problems: [
      'databases.orcl.auth.basic.password: must be a reference to an environment variable, like ${ORDS_PASSWORD}',
    ],
  },
  {
    name: 'escaped reference is a literal',
    edit: set('databases.orcl.auth.basic.password', '$${ORDS_PASSWORD}'),
    problems: [
      'databases.orcl.auth.basic.password: must be a reference to an environment variable, like ${ORDS_PASSWORD}',
    ],
  },
  {
    name: 'literal OAuth2 client secret',
    edit: set('databases.orcl.auth', { oauth2: { client_id: 'gateway', client_secret: 's3cr3t' } }),
    problems: [
      'databases.orcl.auth.oauth2.client_secret: must be a reference to an environment variable, like ${ORDS_CLIENT_SECRET}',
    ],
  },
  {
    name: 'literal metrics token',
    edit: set('metrics', { token: 'abc' }),
    problems: ['metrics.token: must be a reference to an environment variable, like ${METRICS_TOKEN}'],
  },
  {
    name: 'numeric password',
    edit: set('databases.orcl.auth.basic.password', 1234),
    problems: [
      'databases.orcl.auth.basic.password: must be a reference to an environment variable, like ${ORDS_PASSWORD}',
    ],
  },
  {
    name: 'secret variable set but empty',
    env: { ORDS_PASSWORD: '' },
    problems: ['databases.orcl.auth.basic.password: must not be empty (from ${ORDS_PASSWORD})'],
  },

  // interpolation
  {
    name: 'secret variable not set',
    env: {},
    problems: ['databases.orcl.auth.basic.password: environment variable ORDS_PASSWORD is not set'],
  },
  {
    name: 'variable inside a URL not set',
    edit: set('databases.orcl.url', 'http://${ORDS_HOST}:8181/ords/orcl/pdbadmin/'),
    problems: ['databases.orcl.url: environment variable ORDS_HOST is not set'],
  },
  {
    name: 'number from a variable that is no number',
    edit: set('listen.port', '${PORT}'),
    env: { ...ENV, PORT: 'eighty' },
    problems: ['listen.port: must be an integer (from ${PORT})'],
  },
  {
    name: 'unset variable in a database reference, reported once',
    edit: set('tenants.hr-team.databases', ['${TENANT_DB}']),
    problems: ['tenants.hr-team.databases[0]: environment variable TENANT_DB is not set'],
  },
  {
    name: 'unterminated reference',
    edit: set('public_url', 'http://h:${PORT'),
    problems: ['public_url: has "${" without a closing "}" (write $${ for a literal "${")'],
  },
  {
    name: 'reference with a bad name',
    edit: set('public_url', 'http://${2HOST}'),
    problems: ['public_url: "${2HOST}" is not a valid reference: write ${NAME} or ${NAME:-default}'],
  },
  {
    name: 'reference with a shell-only form',
    edit: set('public_url', 'http://${HOST-localhost}'),
    problems: ['public_url: "${HOST-localhost}" is not a valid reference: write ${NAME} or ${NAME:-default}'],
  },
  {
    name: 'nested reference',
    edit: set('public_url', 'http://${HOST:-${FALLBACK}}'),
    problems: ['public_url: "${HOST:-${FALLBACK}}": nested references are not supported'],
  },

  // numbers and enums
  { name: 'port above range', edit: set('listen.port', 70000), problems: ['listen.port: must be <= 65535'] },
  { name: 'port below range', edit: set('listen', { port: -1 }), problems: ['listen.port: must be >= 0'] },
  {
    name: 'port typed as a quoted string',
    edit: set('listen.port', '8080'),
    problems: ['listen.port: must be an integer'],
  },
  {
    name: 'fractional body limit',
    edit: set('body_limit_bytes', 1.5),
    problems: ['body_limit_bytes: must be an integer', 'body_limit_bytes: must be >= 1024'],
  },
  { name: 'trust_proxy above range', edit: set('trust_proxy', 11), problems: ['trust_proxy: must be <= 10'] },
  {
    name: 'max_threads above range',
    edit: set('tenants.hr-team.grants.max_threads', 2000),
    problems: ['tenants.hr-team.grants.max_threads: must be <= 1024'],
  },
  {
    name: 'max_threads zero',
    edit: set('tenants.hr-team.grants.max_threads', 0),
    problems: ['tenants.hr-team.grants.max_threads: must be >= 1'],
  },
  {
    name: 'timeout zero',
    edit: set('databases.orcl.timeouts', { read_ms: 0 }),
    problems: ['databases.orcl.timeouts.read_ms: must be >= 1'],
  },
  {
    name: 'bad api_version',
    edit: set('databases.orcl.api_version', 'v2'),
    problems: ['databases.orcl.api_version: must be one of: stable, latest'],
  },
  {
    name: 'bad create_endpoint',
    edit: set('databases.orcl.create_endpoint', 'RPC'),
    problems: ['databases.orcl.create_endpoint: must be one of: jobs, rpc'],
  },
  // the ORDS release behind a database (ords_version)
  ...(
    [
      ['a word', 'latest'],
      ['one part only', '22'],
      ['a release before 19 (no Data Pump REST API documented)', '18.4'],
      ['a suffix', '22.3.1-beta'],
      ['a leading v', 'v25.4'],
      ['more than five parts', '24.4.0.345.1601.1'],
      ['an empty part', '22..3'],
    ] as const
  ).map(([why, value]): BadCase => ({
    name: `ords_version with ${why}`,
    edit: set('databases.orcl.ords_version', value),
    problems: ['databases.orcl.ords_version: must be an ORDS release number from 19 on, such as 19.4, 22.3.1 or 25.4'],
  })),
  {
    name: 'ords_version as an unquoted YAML number (25.10 would read 25.1)',
    text: toYaml(minimalConfig()).replace(/^(\s*)url: (.*)$/m, '$&\n$1ords_version: 25.10'),
    problems: [
      'databases.orcl.ords_version: must be a string: quote it ("19.4"); unquoted, YAML reads 25.10 as the number 25.1',
    ],
  },
  {
    name: 'bad log level',
    edit: set('log_level', 'verbose'),
    problems: ['log_level: must be one of: fatal, error, warn, info, debug, trace, silent'],
  },
  {
    name: 'boolean written as yes',
    edit: set('validate_responses', 'yes'),
    problems: ['validate_responses: must be true or false'],
  },
  {
    name: 'unknown operation',
    edit: set('tenants.hr-team.grants.operations', ['DELETE']),
    problems: ['tenants.hr-team.grants.operations[0]: must be one of: EXPORT, IMPORT'],
  },
  {
    name: 'repeated job mode',
    edit: set('tenants.hr-team.grants.job_modes', ['SCHEMA', 'SCHEMA']),
    problems: ['tenants.hr-team.grants.job_modes: must not list the same value twice ([0] and [1])'],
  },

  // names and hashes
  {
    name: 'bad tenant id',
    edit: (c) => setAt(c, 'tenants', { HR_Team: (c.tenants as Tree)['hr-team'] }),
    problems: [
      "tenants.HR_Team: is not a valid tenant id: lower-case letters, digits and '-', starting with a letter, at most 63 characters",
    ],
  },
  {
    name: 'bad database name',
    edit: (c) => {
      setAt(c, 'databases.9db', (c.databases as Tree).orcl);
    },
    problems: [
      "databases.9db: is not a valid database name: letters, digits, '_' and '-', starting with a letter, at most 64 characters",
    ],
  },
  {
    name: 'lower-case schema name',
    edit: set('tenants.hr-team.grants.schemas', ['hr']),
    problems: [`tenants.hr-team.grants.schemas[0]: ${ORACLE_NAME_RULE}`],
  },
  {
    name: 'quoted-identifier schema name',
    edit: set('tenants.hr-team.grants.remap_targets', ['HR STAGE']),
    problems: [`tenants.hr-team.grants.remap_targets[0]: ${ORACLE_NAME_RULE}`],
  },
  {
    name: 'upper-case hash',
    edit: set('tenants.hr-team.api_keys', [{ sha256: HR_HASH.toUpperCase() }]),
    problems: [`tenants.hr-team.api_keys[0].sha256: ${HASH_RULE}`],
  },
  {
    name: 'plain key where a hash belongs',
    edit: set('tenants.hr-team.api_keys', [{ sha256: 'hr-key' }]),
    problems: [`tenants.hr-team.api_keys[0].sha256: ${HASH_RULE}`],
  },
  {
    name: 'empty api_keys',
    edit: set('tenants.hr-team.api_keys', []),
    problems: ['tenants.hr-team.api_keys: must not be empty'],
  },
  {
    name: 'user name with a colon',
    edit: set('databases.orcl.auth.basic.username', 'pdb:admin'),
    problems: ["databases.orcl.auth.basic.username: must not contain ':' or control characters"],
  },

  // upstream auth
  {
    name: 'both basic and oauth2',
    edit: set('databases.orcl.auth.oauth2', { client_id: 'gateway', client_secret: '${ORDS_CLIENT_SECRET}' }),
    env: { ...ENV, ORDS_CLIENT_SECRET: 'x' },
    problems: ['databases.orcl.auth: must set only one of basic or oauth2, not both'],
  },
  {
    name: 'neither basic nor oauth2',
    edit: set('databases.orcl.auth', {}),
    problems: ['databases.orcl.auth: must set exactly one of basic or oauth2'],
  },
  { name: 'no auth at all', edit: remove('databases.orcl.auth'), problems: ['databases.orcl.auth: is required'] },

  // cross-field rules
  {
    name: 'tenant naming an unknown database',
    edit: set('tenants.hr-team.databases', ['orcl', 'nope']),
    problems: ['tenants.hr-team.databases[1]: database "nope" is not configured'],
  },
  {
    name: 'tenant naming a database in the wrong case',
    edit: set('tenants.hr-team.databases', ['ORCL']),
    problems: [
      'tenants.hr-team.databases[0]: database "ORCL" is not configured (database names are case-sensitive: did you mean "orcl"?)',
    ],
  },
  {
    name: 'one key hash for two tenants',
    edit: (c) => setAt(c, 'tenants.sales-team', { ...salesTenant(), api_keys: [{ sha256: HR_HASH }] }),
    problems: [
      'tenants.sales-team.api_keys[0].sha256: is the same key as tenants.hr-team.api_keys[0].sha256 (a key must identify one tenant)',
    ],
  },
  {
    name: 'one key hash twice in a tenant',
    edit: set('tenants.hr-team.api_keys', [{ sha256: HR_HASH }, { sha256: HR_HASH }]),
    problems: [
      'tenants.hr-team.api_keys[1].sha256: is the same key as tenants.hr-team.api_keys[0].sha256 (a key must identify one tenant)',
    ],
  },
  {
    name: '"*" beside schema names',
    edit: set('tenants.hr-team.grants.schemas', ['*', 'HR']),
    problems: ['tenants.hr-team.grants.schemas: "*" (any name) must be the only entry'],
  },
  {
    name: 'TABLESPACE mode with a schema list',
    edit: set('tenants.hr-team.grants.job_modes', ['TABLESPACE']),
    problems: [
      'tenants.hr-team.grants.job_modes: TABLESPACE needs schemas ["*"] (a TABLESPACE job covers every owner\'s objects in it)',
    ],
  },
  {
    name: 'FULL mode with a schema list',
    edit: set('tenants.hr-team.grants.job_modes', ['FULL', 'SCHEMA']),
    problems: ['tenants.hr-team.grants.job_modes: FULL needs schemas ["*"] (a FULL job covers every schema)'],
  },
  {
    name: 'headers timeout above request timeout',
    edit: set('server', { headers_timeout_ms: 60000, request_timeout_ms: 30000 }),
    problems: ['server.headers_timeout_ms: must be <= server.request_timeout_ms (30000)'],
  },
  {
    name: 'metrics on the main address',
    edit: set('metrics', { listen: { host: '127.0.0.1', port: 8080 } }),
    problems: ['metrics.listen: must differ from listen (both 127.0.0.1:8080)'],
  },
  {
    name: 'metrics address without a port',
    edit: set('metrics', { listen: { host: '127.0.0.1' } }),
    problems: ['metrics.listen.port: is required'],
  },

  // shapes
  {
    name: 'no databases',
    edit: set('databases', {}),
    problems: ['databases: must not be empty', 'tenants.hr-team.databases[0]: database "orcl" is not configured'],
  },
  { name: 'no tenants', edit: set('tenants', {}), problems: ['tenants: must not be empty'] },
  { name: 'databases as a list', edit: set('databases', ['orcl']), problems: ['databases: must be a mapping'] },
  { name: 'a list at the top', text: '- listen\n', problems: ['(top level): must be a mapping'] },
  { name: 'an empty file', text: '', problems: ['(top level): must be a mapping'] },

  // YAML syntax
  {
    name: 'duplicate key',
    text: 'public_url: http://a\npublic_url: http://b\n',
    problems: ['<config>:2:1: Map keys must be unique'],
  },
  {
    name: 'unquoted reference in a flow mapping',
    text: 'listen: { host: ${HOST}, port: 8080 }\n',
    problems: [
      '<config>:1:18: Unexpected flow-map-start at node end (inside { } or [ ], quote a ${VAR} reference: "${VAR}")',
    ],
  },

  {
    name: 'alias bomb',
    text: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${Array(12).fill('*a').join(', ')}]\nc: [${Array(12).fill('*b').join(', ')}]\n`,
    problems: ['<config>: Excessive alias count indicates a resource exhaustion attack'],
  },
  {
    name: 'secret that is both literal and a broken reference, reported once',
    edit: set('databases.orcl.auth.basic.password', 'pre-${MISSING}'),
    env: {},
    problems: [
      'databases.orcl.auth.basic.password: must be a reference to an environment variable, like ${ORDS_PASSWORD}',
    ],
  },

  // several at once
  {
    name: 'every problem is reported, not the first',
    edit: (c) => {
      setAt(c, 'listen', { hots: 'x', port: 70000 });
      setAt(c, 'databases.orcl.auth.basic.password', 'hunter2');
      setAt(c, 'tenants.hr-team.databases', ['nope']);
      setAt(c, 'tenants.hr-team.grants.max_threads', 2000);
    },
    problems: [
      'databases.orcl.auth.basic.password: must be a reference to an environment variable, like ${ORDS_PASSWORD}',
      'listen.hots: is not a known setting (did you mean "host"?)',
      'listen.port: must be <= 65535',
      'tenants.hr-team.grants.max_threads: must be <= 1024',
      'tenants.hr-team.databases[0]: database "nope" is not configured',
    ],
  },
];

function run(c: BadCase): ConfigError {
  const config = minimalConfig();
  c.edit?.(config);
  const text = c.text ?? toYaml(config);
  try {
    parseConfig(text, c.env ?? ENV);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('config validation: ords_version', () => {
  const load = (value: string | undefined) => {
    const config = minimalConfig();
    if (value !== undefined) setAt(config, 'databases.orcl.ords_version', value);
    return parseConfig(toYaml(config), ENV).databases.orcl!;
  };

  it.each(['19.4', '20.4.3', '22.3.1', '25.4', '24.4.0.345.1601', '100.1'])('accepts %s, kept as written', (value) => {
    expect(load(value).ordsVersion).toBe(value);
  });

  it('is absent when not set: no release is assumed', () => {
    const db = load(undefined);
    expect(db.ordsVersion).toBeUndefined();
    expect('ordsVersion' in db).toBe(false);
  });
});

describe('config validation: bad configs', () => {
  it('has a broad table', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$name', (c) => {
    const error = run(c);
    expect(error.problems).toEqual(c.problems);
    expect(error.message).toBe(
      `invalid configuration in <config> (${c.problems.length === 1 ? '1 problem' : `${c.problems.length} problems`}):\n${c.problems.join('\n')}`,
    );
  });

  it.each(cases)('never shows a secret value: $name', (c) => {
    const error = run(c);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('names the source file in syntax errors and in the message', () => {
    expect(() => parseConfig('a: [\n', ENV, { sourceName: 'conf/gw.yaml' })).toThrow(
      /^invalid configuration in conf\/gw\.yaml/,
    );
    try {
      parseConfig('a: 1\na: 2\n', ENV, { sourceName: 'conf/gw.yaml' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['conf/gw.yaml:2:1: Map keys must be unique']);
      expect((error as ConfigError).source).toBe('conf/gw.yaml');
      expect((error as ConfigError).name).toBe('ConfigError');
      expect(error).toBeInstanceOf(Error);
    }
  });
});
