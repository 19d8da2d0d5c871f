// The ORDS release the emulator plays (`ordsVersion`): which create calls take which members and operations, as
// Oracle's books document each release, and the OpenAPI document the release serves at metadata-catalog/openapi.json.
// The emulator's own model (the gateway keeps its own, src/gateway/upstream/ords-versions.ts: neither imports the
// other). Sources are the tags of shared/reference/ords-datapump-facts.md and ords-realities.md §5:
// - [S2] DB 19c REST book, POST jobs/: operation, job_mode, datapump_dir, file_name, filter, threads, the three
//   *_expressions, remap_schemas. [S16] (F32587_01, 19.x/20.x): "only the export operation is allowed in this
//   implementation version"; ORDS 21.2's page shows an IMPORT [S4]. credential_name from 21.3 [S18][S4].
// - [S9] DB 19c export page: no file_name, no credential_name; both on the 22.3 page [S17] (realities §5).
// - [S10] DB 19c import page: file_name (its example), remap_schemas, the *_expressions; credential_name from 22.3
//   [S11b].
// - keep_master on export and import from 25.4 [S5][S11][S12]; on POST jobs/ unconfirmed, read from 25.4 too (the
//   emulator's behaviour before releases were modelled).
// - POST export and import are documented from the 19c book on [S9][S10] (the 23.3+ index pages list both [S5]).
import { type DottedVersion, dottedVersion, isAtLeast, parseDottedVersion } from '../lib/dotted-version.js';
import type { CreateEndpoint } from './body-validator.js';

/** The release the emulator plays unless told otherwise: the first with every behaviour it models. */
export const DEFAULT_ORDS_VERSION = '25.4';
/** Oracle documents the Data Pump REST API from ORDS 19 on. */
export const FIRST_ORDS_VERSION = '19';

type MemberSince = Readonly<Record<string, string>>;

const COMMON = ['job_mode', 'datapump_dir', 'filter', 'threads', 'name_expressions', 'schema_expressions'];
const all = (since: string, names: readonly string[]) => Object.fromEntries(names.map((n) => [n, since]));

/** Member → the first release that documents it on the call. */
const MEMBERS: Readonly<Record<CreateEndpoint, MemberSince>> = {
  jobs: {
    ...all('19', ['operation', ...COMMON, 'tablespace_expressions', 'file_name', 'remap_schemas']),
    credential_name: '21.3',
    keep_master: '25.4',
  },
  export: {
    ...all('19', [...COMMON, 'tablespace_expressions']),
    file_name: '22.3',
    credential_name: '22.3',
    keep_master: '25.4',
  },
  import: {
    ...all('19', [...COMMON, 'tablespace_expressions', 'file_name', 'remap_schemas']),
    credential_name: '22.3',
    keep_master: '25.4',
  },
};

/** From this release on, POST jobs/ takes IMPORT [S16][S4]. */
const JOBS_IMPORT_SINCE = '21';

export interface OrdsRelease {
  /** As configured, e.g. `19.4`. */
  readonly version: string;
  /** Whether POST jobs/ takes `operation: IMPORT` (not on 19.x/20.x). */
  readonly jobsImport: boolean;
  /** Members some release documents on `endpoint` but this one does not (they do not exist here). */
  readonly missing: (endpoint: CreateEndpoint) => readonly string[];
  /** The first release documenting `member` on `endpoint`, for messages. */
  readonly since: (endpoint: CreateEndpoint, member: string) => string | undefined;
  /** Whether `endpoint` takes `member` in this release. */
  readonly takes: (endpoint: CreateEndpoint, member: string) => boolean;
}

export function ordsRelease(version: string = DEFAULT_ORDS_VERSION): OrdsRelease {
  const parsed: DottedVersion = dottedVersion(version);
  const reached = (since: string) => isAtLeast(parsed, dottedVersion(since));
  const missing = Object.fromEntries(
    (Object.keys(MEMBERS) as CreateEndpoint[]).map((endpoint) => [
      endpoint,
      Object.entries(MEMBERS[endpoint])
        .filter(([, since]) => !reached(since))
        .map(([member]) => member),
    ]),
  ) as Record<CreateEndpoint, string[]>;
  return Object.freeze({
    version,
    jobsImport: reached(JOBS_IMPORT_SINCE),
    missing: (endpoint: CreateEndpoint) => missing[endpoint],
    since: (endpoint: CreateEndpoint, member: string) => MEMBERS[endpoint][member],
    takes: (endpoint: CreateEndpoint, member: string) => {
      const since = MEMBERS[endpoint][member];
      return since !== undefined && reached(since);
    },
  });
}

/** Why an `ordsVersion` cannot be played, or undefined when it can. */
export function ordsVersionProblem(version: string): string | undefined {
  const parsed = parseDottedVersion(version);
  if (!parsed) return `ordsVersion must be a release number such as 19.4 or 22.3.1, not ${JSON.stringify(version)}`;
  if (!isAtLeast(parsed, dottedVersion(FIRST_ORDS_VERSION)))
    return `ordsVersion ${version}: Oracle documents the Data Pump REST API from ORDS ${FIRST_ORDS_VERSION} on`;
  return undefined;
}

// ------------------------------------------------------------------ metadata-catalog/openapi.json

const MEMBER_SCHEMAS: Readonly<Record<string, object>> = {
  operation: { type: 'string', enum: ['EXPORT', 'IMPORT'] },
  job_mode: { type: 'string', enum: ['FULL', 'SCHEMA', 'TABLE', 'TABLESPACE'] },
  datapump_dir: { type: 'string' },
  file_name: { type: 'string' },
  credential_name: { type: 'string' },
  filter: { type: 'string' },
  threads: { type: 'integer', format: 'int32' },
  name_expressions: { type: 'array', items: { type: 'object', properties: { expression: { type: 'string' } } } },
  schema_expressions: { type: 'array', items: { type: 'object', properties: { expression: { type: 'string' } } } },
  tablespace_expressions: { type: 'array', items: { type: 'object', properties: { expression: { type: 'string' } } } },
  remap_schemas: {
    type: 'array',
    items: { type: 'object', properties: { source: { type: 'string' }, target: { type: 'string' } } },
  },
  keep_master: { type: 'integer', enum: [0, 1], default: 1 },
};

function requestSchema(release: OrdsRelease, endpoint: CreateEndpoint): object {
  const properties: Record<string, object> = {};
  for (const member of Object.keys(MEMBERS[endpoint])) {
    if (!release.takes(endpoint, member)) continue;
    properties[member] =
      member === 'operation' && !release.jobsImport ? { type: 'string', enum: ['EXPORT'] } : MEMBER_SCHEMAS[member]!;
  }
  const required = endpoint === 'jobs' ? ['operation'] : endpoint === 'import' ? ['file_name'] : [];
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties };
}

const created = { '201': { description: 'The job was created and started.' } };
const create = (release: OrdsRelease, endpoint: CreateEndpoint, summary: string) => ({
  summary,
  requestBody: { required: true, content: { 'application/json': { schema: requestSchema(release, endpoint) } } },
  responses: created,
});

/**
 * An OpenAPI document of the Data Pump calls the release has: `info.version` is the release, `paths` its calls,
 * each create with the members the release documents. Real ORDS generates its own (its exact content and what
 * its `info.version` holds are not documented): this is the emulator's, for clients that check a release.
 */
export function openApiDocument(release: OrdsRelease, serverUrl: string): object {
  const job = { '200': { description: 'The job.' } };
  return {
    openapi: '3.0.0',
    info: {
      title: 'ORDS Database API (emulated): Data Pump',
      version: release.version,
      description: `The ORDS emulator playing ORDS ${release.version}.`,
    },
    servers: [{ url: serverUrl }],
    paths: {
      '/database/datapump/jobs/': {
        get: { summary: 'Get all data pump jobs', responses: { '200': { description: 'One page of jobs.' } } },
        post: create(
          release,
          'jobs',
          release.jobsImport ? 'Create a data pump job' : 'Create a data pump job (EXPORT only in this release)',
        ),
      },
      '/database/datapump/export': { post: create(release, 'export', 'Create an export data pump job') },
      '/database/datapump/import': { post: create(release, 'import', 'Create an import data pump job') },
      '/database/datapump/jobs/{owner_name},{job_name}/': {
        get: { summary: 'Get a specific data pump job', responses: job },
      },
      '/database/datapump/jobs/{owner_name},{job_name}/{filename}': {
        get: { summary: 'Get a file for a data pump job', responses: { '200': { description: 'The file.' } } },
      },
    },
  };
}
