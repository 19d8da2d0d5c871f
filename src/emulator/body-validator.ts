// ORDS's checks on create bodies, in three modes: what ORDS documents (default), today's strict schemas, or none.
import type { OpenApiDocument } from '../contract/documents.js';
import { forRequestValidation } from '../contract/validator-document.js';
import { createAjv, describeErrors } from './ajv.js';
import type { ValidateMode } from './options.js';
import { type OrdsRelease, ordsRelease } from './ords-release.js';
import { STRICT_REQUEST_SCHEMAS } from './strict-schemas.js';

export type CreateEndpoint = 'jobs' | 'export' | 'import';

type Body = Record<string, unknown>;

/** The body ORDS acts on (in `documented` mode without the members it drops), or every problem with it. */
export type BodyCheck = { ok: true; body: Body } | { ok: false; problems: string[] };

export interface BodyValidator {
  readonly mode: ValidateMode;
  check(endpoint: CreateEndpoint, body: unknown): BodyCheck;
}

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const refused = (problems: string[]): BodyCheck => ({ ok: false, problems });

export function createBodyValidator(mode: ValidateMode, release: OrdsRelease = ordsRelease()): BodyValidator {
  const inner: BodyValidator =
    mode === 'strict' ? strictValidator() : { mode, check: mode === 'documented' ? documentedCheck : minimalCheck };
  return {
    mode,
    check(endpoint, body) {
      const scoped = forRelease(release, mode, endpoint, body);
      return scoped.ok ? inner.check(endpoint, scoped.body) : scoped;
    },
  };
}

/**
 * The body as the configured ORDS release sees it: a member another release documents on this call but this one
 * does not (`file_name` on POST export before 22.3, `keep_master` before 25.4) does not exist here, so it is
 * dropped like any unknown member (`documented`, `off`), or refused like one (`strict`).
 */
function forRelease(
  release: OrdsRelease,
  mode: ValidateMode,
  endpoint: CreateEndpoint,
  body: unknown,
): { ok: true; body: unknown } | { ok: false; problems: string[] } {
  if (!isObject(body)) return { ok: true, body };
  const absent = release.missing(endpoint).filter((member) => body[member] !== undefined);
  if (absent.length === 0) return { ok: true, body };
  if (mode === 'strict') {
    return {
      ok: false,
      problems: absent.map(
        (member) =>
          `body/${member} is not a member of this call in ORDS ${release.version} (documented from ${release.since(endpoint, member)})`,
      ),
    };
  }
  return { ok: true, body: Object.fromEntries(Object.entries(body).filter(([key]) => !absent.includes(key))) };
}

// ------------------------------------------------------------------ strict: the frozen upstream schemas

const STRICT_SCHEMAS: Record<CreateEndpoint, string> = {
  jobs: 'JobRequest',
  export: 'ExportRpcRequest',
  import: 'ImportRpcRequest',
};

function strictValidator(): BodyValidator {
  const ajv = createAjv();
  const document = { openapi: '3.1.0', paths: {}, components: { schemas: STRICT_REQUEST_SCHEMAS } };
  // The if/then form of the discriminated union, so a body with several faults reports all of them.
  ajv.addSchema(forRequestValidation(document as unknown as OpenApiDocument) as object, 'ords.json');
  const validators = Object.fromEntries(
    Object.entries(STRICT_SCHEMAS).map(([endpoint, name]) => [
      endpoint,
      ajv.compile({ $ref: `ords.json#/components/schemas/${name}` }),
    ]),
  ) as Record<CreateEndpoint, ReturnType<typeof ajv.compile>>;
  return {
    mode: 'strict',
    check(endpoint, body) {
      const validate = validators[endpoint];
      return validate(body) ? { ok: true, body: body as Body } : refused(describeErrors(validate.errors, 'body'));
    },
  };
}

// ------------------------------------------------------------------ off: only what a job cannot do without

/** The checks that stay on with `validate: 'off'`: without them the emulator could not build a job at all. */
export function minimalCheck(endpoint: CreateEndpoint, body: unknown): BodyCheck {
  if (!isObject(body)) return refused(['body must be a JSON object']);
  if (endpoint === 'jobs' && body.operation !== 'EXPORT' && body.operation !== 'IMPORT')
    return refused(['body/operation must be one of ["EXPORT","IMPORT"]']);
  return { ok: true, body };
}

// ------------------------------------------------------------------ documented: what ORDS documents it accepts

const OPERATIONS = ['EXPORT', 'IMPORT'];
const JOB_MODES = ['FULL', 'SCHEMA', 'TABLE', 'TABLESPACE'];
const TEXT_MEMBERS = ['job_mode', 'datapump_dir', 'file_name', 'credential_name', 'filter'] as const;
const LISTS = ['name_expressions', 'schema_expressions', 'tablespace_expressions'] as const;

/** The members each endpoint documents (19c–26.3 pages); `keep_master` is 25.4+ (on `jobs/`: unconfirmed). */
const MEMBERS: Record<CreateEndpoint, readonly string[]> = {
  jobs: ['operation', ...TEXT_MEMBERS, 'threads', ...LISTS, 'remap_schemas', 'keep_master'],
  export: [...TEXT_MEMBERS, 'threads', ...LISTS, 'keep_master'],
  import: [...TEXT_MEMBERS, 'threads', ...LISTS, 'remap_schemas', 'keep_master'],
};

/** An array of objects; each item keeps only `keys`, which must be strings where given. */
function itemList(value: unknown, where: string, keys: readonly string[], problems: string[]): Body[] | undefined {
  if (!Array.isArray(value)) {
    problems.push(`${where} must be array`);
    return undefined;
  }
  return value.map((item: unknown, i) => {
    if (!isObject(item)) {
      problems.push(`${where}/${i} must be object`);
      return {};
    }
    const kept: Body = {};
    for (const key of keys) {
      const member = item[key];
      if (member === undefined || member === null) continue;
      if (typeof member !== 'string') problems.push(`${where}/${i}/${key} must be string`);
      kept[key] = member;
    }
    return kept;
  });
}

/**
 * ORDS as documented: documented members are checked for their documented type, enum and `required` rules;
 * anything else is dropped silently (ORDS maps bodies with Jackson, which a third-party 25.4 capture shows
 * ignoring unknown keys, `operation` on `POST export` included). No upper-case rule, no caps: none is documented.
 */
function documentedCheck(endpoint: CreateEndpoint, value: unknown): BodyCheck {
  if (!isObject(value)) return refused(['body must be object']);
  const problems: string[] = [];
  const body: Body = {};
  for (const key of MEMBERS[endpoint]) {
    // A JSON null is "not given", as Jackson maps it to an absent field.
    if (value[key] !== undefined && value[key] !== null) body[key] = value[key];
  }
  if (endpoint === 'jobs') {
    if (body.operation === undefined) problems.push("body must have required property 'operation'");
    else if (!OPERATIONS.includes(body.operation as string))
      problems.push(`body/operation must be one of ${JSON.stringify(OPERATIONS)}`);
  }
  for (const key of TEXT_MEMBERS) {
    if (body[key] !== undefined && typeof body[key] !== 'string') problems.push(`body/${key} must be string`);
  }
  if (typeof body.job_mode === 'string' && !JOB_MODES.includes(body.job_mode))
    problems.push(`body/job_mode must be one of ${JSON.stringify(JOB_MODES)}`);
  if (body.threads !== undefined) {
    if (typeof body.threads !== 'number' || !Number.isSafeInteger(body.threads))
      problems.push('body/threads must be integer');
    else if (body.threads < 1) problems.push('body/threads must be >= 1');
  }
  if (body.keep_master !== undefined && body.keep_master !== 0 && body.keep_master !== 1)
    problems.push('body/keep_master must be one of [0,1]');
  for (const key of LISTS) {
    if (body[key] !== undefined) body[key] = itemList(body[key], `body/${key}`, ['expression'], problems);
  }
  if (body.remap_schemas !== undefined)
    body.remap_schemas = itemList(body.remap_schemas, 'body/remap_schemas', ['source', 'target'], problems);
  const operation = endpoint === 'jobs' ? body.operation : endpoint.toUpperCase();
  if (operation === 'IMPORT' && body.file_name === undefined)
    problems.push("body must have required property 'file_name'");
  if (body.credential_name !== undefined) {
    if (body.file_name === undefined)
      problems.push('body must have property file_name when property credential_name is present');
    // "must be a URI format for an Oracle Object Store location" (21.3+).
    else if (typeof body.file_name === 'string' && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(body.file_name))
      problems.push('body/file_name must be an object storage URI when credential_name is given');
  }
  return problems.length > 0 ? refused(problems) : { ok: true, body };
}
