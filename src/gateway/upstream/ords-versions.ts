/**
 * @module What each ORDS release documents on its three create calls (POST `jobs/`, `export`, `import`), and the
 * pure decision the gateway takes from it for one create: which endpoint to send it to, or every member the
 * configured release cannot take on any of them. Data in, decision out: no I/O, no clock, no configuration read.
 *
 * Sources (tags of `shared/reference/ords-datapump-facts.md`; `ords-realities.md` §5):
 * - [S2] DB 19c REST API book: POST `jobs/` with `operation`, `job_mode`, `datapump_dir`, `file_name`, `filter`,
 *   `threads`, the three `*_expressions`, `remap_schemas`.
 * - [S16] DB 19c REST book F32587_01, POST `jobs/`: "only the export operation is allowed in this implementation
 *   version" (19.x/20.x); [S4] ORDS 21.2's POST `jobs/` page shows an IMPORT.
 * - [S18][S3][S4] `credential_name` (object storage) on POST `jobs/` from ORDS 21.3.
 * - [S9] DB 19c `export` page: `job_mode`, `datapump_dir`, `filter`, `threads`, the `*_expressions`; no `file_name`
 *   and no `credential_name`, which the 22.3 page has [S17] (realities §5: "added by 22.3").
 * - [S10] DB 19c `import` page: `file_name` (its example), `job_mode`, the `*_expressions`, `remap_schemas`;
 *   `credential_name` from 22.3 [S11b]. `datapump_dir`, `filter` and `threads` are read as on the other two 19c
 *   pages (the stored 19c excerpt does not list every member).
 * - [S5][S11][S12] `keep_master` on `export` and `import` from 25.4; on POST `jobs/` no release documents it.
 * Nothing is documented before ORDS 19 (the config refuses an older number).
 */
import { type DottedVersion, dottedVersion, isAtLeast, parseDottedVersion } from '../../lib/dotted-version.js';
import { REQUEST_FIELDS, type RequestField } from '../policy/request-fields.js';

export type CreateEndpoint = 'jobs' | 'rpc';
export type CreateOperation = 'EXPORT' | 'IMPORT';
/** One of ORDS's three create calls. */
export type CreateCall = 'jobs' | 'export' | 'import';

/** The members a create body may carry to ORDS: the policy's canonical request's fields. */
export type CreateMember = RequestField;

const V19 = '19';
const BASE = ['job_mode', 'datapump_dir', 'filter', 'threads', 'name_expressions', 'schema_expressions'] as const;
const from = (since: string, members: readonly CreateMember[]) =>
  Object.fromEntries(members.map((member) => [member, since])) as Partial<Record<CreateMember, string>>;

/** Member → the first release whose page of that call documents it; absent: documented by none. */
export const ORDS_CREATE_MEMBERS: Readonly<Record<CreateCall, Readonly<Partial<Record<CreateMember, string>>>>> = {
  // [S2]; credential_name [S18][S4]; keep_master: undocumented on jobs/ (facts §3.1, unconfirmed).
  jobs: {
    ...from(V19, ['operation', ...BASE, 'tablespace_expressions', 'file_name', 'remap_schemas']),
    credential_name: '21.3',
  },
  // [S9]; file_name and credential_name [S17]; keep_master [S5][S12].
  export: {
    ...from(V19, [...BASE, 'tablespace_expressions']),
    file_name: '22.3',
    credential_name: '22.3',
    keep_master: '25.4',
  },
  // [S10]; credential_name [S11b]; keep_master [S11].
  import: {
    ...from(V19, [...BASE, 'tablespace_expressions', 'file_name', 'remap_schemas']),
    credential_name: '22.3',
    keep_master: '25.4',
  },
};

/** Operation → the first release whose call takes it. `jobs/` takes IMPORT from 21 [S16][S4]. */
export const ORDS_CREATE_OPERATIONS: Readonly<Record<CreateCall, Readonly<Partial<Record<CreateOperation, string>>>>> =
  {
    jobs: { EXPORT: V19, IMPORT: '21' },
    export: { EXPORT: V19 },
    import: { IMPORT: V19 },
  };

/** The call an endpoint setting means for one operation. */
export function createCall(endpoint: CreateEndpoint, operation: CreateOperation): CreateCall {
  if (endpoint === 'jobs') return 'jobs';
  return operation === 'EXPORT' ? 'export' : 'import';
}

const CALL_NAME: Record<CreateCall, string> = { jobs: 'POST jobs/', export: 'POST export', import: 'POST import' };

export interface CreateRouteInput {
  /** `databases.<name>.ords_version` as configured; undefined: no release is assumed. */
  readonly ordsVersion: string | undefined;
  /** `databases.<name>.create_endpoint`. */
  readonly configured: CreateEndpoint;
  /** What would be sent to ORDS (the policy's canonical request): `operation` and the members present. */
  readonly request: { readonly operation: CreateOperation } & Readonly<Record<string, unknown>>;
}

export interface UnsupportedMember {
  /** JSON Pointer to the member in the request (`/keep_master`). */
  readonly pointer: string;
  readonly detail: string;
}

export type CreateRoute =
  /** Send it to `endpoint`; `rerouted` when that is not the configured one, `why` saying what the other lacks. */
  | { readonly ok: true; readonly endpoint: CreateEndpoint; readonly rerouted: false }
  | { readonly ok: true; readonly endpoint: CreateEndpoint; readonly rerouted: true; readonly why: string }
  /** Neither endpoint of the configured release takes the request: refuse it before calling ORDS. */
  | { readonly ok: false; readonly unsupported: readonly UnsupportedMember[] };

const present = (request: CreateRouteInput['request']): CreateMember[] =>
  REQUEST_FIELDS.filter((member) => member === 'operation' || request[member] !== undefined);

/** What `call` of `version` cannot take of the request: the operation and/or members. */
function lacks(call: CreateCall, version: DottedVersion, request: CreateRouteInput['request']): CreateMember[] {
  const documented = (since: string | undefined) => since !== undefined && isAtLeast(version, dottedVersion(since));
  return present(request).filter((member) =>
    member === 'operation'
      ? !documented(ORDS_CREATE_OPERATIONS[call][request.operation])
      : !documented(ORDS_CREATE_MEMBERS[call][member]),
  );
}

/** "Oracle documents keep_master on POST export from 25.4", for the calls that could carry the operation. */
function whereDocumented(member: CreateMember, operation: CreateOperation): string {
  const calls = (['jobs', createCall('rpc', operation)] as const).flatMap((call) => {
    const since = member === 'operation' ? ORDS_CREATE_OPERATIONS[call][operation] : ORDS_CREATE_MEMBERS[call][member];
    return since === undefined ? [] : [`on ${CALL_NAME[call]} from ORDS ${since}`];
  });
  return calls.length === 0
    ? 'Oracle documents it on no create endpoint'
    : `Oracle documents it ${calls.join(' and ')}`;
}

function unsupported(member: CreateMember, version: string, operation: CreateOperation): UnsupportedMember {
  const what = member === 'operation' ? `an ${operation}` : `${member} on an ${operation}`;
  return {
    pointer: `/${member}`,
    detail: `This database's ORDS release (${version}) cannot take ${what}: ${whereDocumented(member, operation)}.`,
  };
}

/**
 * Where one create goes, or why it cannot go anywhere. Without a configured release, to the configured endpoint
 * as it is (the gateway assumes nothing). With one, to the configured endpoint when its call takes the operation and
 * every member present; else to the other one when that call does; else nowhere: each member (or the operation) no
 * call of the release takes is listed (or, should only their combination fail, what the configured call lacks).
 */
export function routeCreate({ ordsVersion, configured, request }: CreateRouteInput): CreateRoute {
  if (ordsVersion === undefined) return { ok: true, endpoint: configured, rerouted: false };
  const version = parseDottedVersion(ordsVersion);
  // The config schema guarantees the form: anything else is the caller's bug.
  if (!version) throw new TypeError(`ords_version ${JSON.stringify(ordsVersion)} is not a release number`);
  const { operation } = request;
  const configuredCall = createCall(configured, operation);
  const missingHere = lacks(configuredCall, version, request);
  if (missingHere.length === 0) return { ok: true, endpoint: configured, rerouted: false };
  const other: CreateEndpoint = configured === 'jobs' ? 'rpc' : 'jobs';
  const otherCall = createCall(other, operation);
  const missingThere = lacks(otherCall, version, request);
  if (missingThere.length === 0) {
    return {
      ok: true,
      endpoint: other,
      rerouted: true,
      why: `ORDS ${ordsVersion}'s ${CALL_NAME[configuredCall]} cannot take ${missingHere.join(', ')}; its ${CALL_NAME[otherCall]} can`,
    };
  }
  const nowhere = missingHere.filter((member) => missingThere.includes(member));
  return {
    ok: false,
    unsupported: (nowhere.length > 0 ? nowhere : missingHere).map((m) => unsupported(m, ordsVersion, operation)),
  };
}
