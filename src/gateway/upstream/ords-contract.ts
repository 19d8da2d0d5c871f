/**
 * @module Checks ORDS's answers against the upstream contract before the gateway trusts them, and reads each job
 * as the gateway can represent it.
 *
 * The upstream contract (openapi/ords.yaml) says what Oracle documents, no more: every member of a job is optional,
 * `state`, `operation` and `job_mode` are free strings (kept control tables' rows may be space-padded), a name is any
 * non-empty string. The gateway needs more of a job than that to show it: an owner and a name it can address
 * (the public contract's `OwnerName` and `JobName`), and an operation, mode and state. A job is checked against
 * both, and handed on with its padding trimmed, so that every comparison the gateway makes sees `EXPORT`, never
 * `EXPORT` followed by 24 spaces. A list is checked row by row (`jobPage` then `jobRow`), so one row the gateway
 * cannot represent is skipped by the caller instead of failing the whole list.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import type { components } from '../../../generated/ords.js';
import type { OpenApiDocument } from '../../contract/documents.js';

/** A job as ORDS documents it: every member optional. */
type DocumentedOrdsJob = components['schemas']['OrdsJob'];
/** A job as the gateway reads it: ORDS's job with the members the gateway needs, padding trimmed. */
export type OrdsJob = DocumentedOrdsJob &
  Required<Pick<DocumentedOrdsJob, 'job_name' | 'owner_name' | 'operation' | 'job_mode' | 'state'>>;
/** One page of ORDS's job list, its rows not yet checked (each is checked with `jobRow`). */
type OrdsJobPage = Omit<components['schemas']['OrdsCollectionPage'], 'links'> & {
  readonly items: readonly unknown[];
  readonly links: components['schemas']['Link'][];
};
export type OrdsError = components['schemas']['OrdsError'];

/** A body checked against the contract: the typed value, or what is wrong with it (for the log). */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: string[] };

export interface OrdsContract {
  /** A job answer (`GET jobs/{owner},{job}/`, a create's `201`): documented and representable. */
  job(body: unknown): Checked<OrdsJob>;
  /** The paging members of a list answer; `items` is only checked to be an array (absent: no rows). */
  jobPage(body: unknown): Checked<OrdsJobPage>;
  /** One row of a list answer: the same check as `job`. */
  jobRow(row: unknown): Checked<OrdsJob>;
  isError(body: unknown): body is OrdsError;
}

/** The members the gateway compares, trimmed of the space padding kept control tables' rows may carry. */
const PADDED = ['operation', 'job_mode', 'state', 'job_state'] as const;

/**
 * Compiles the upstream contract's answer schemas once per gateway. The public contract gives the rules of what the
 * gateway can show (its `OwnerName`, `JobName`, `JobOperation`, `JobModeReported`, `JobState`).
 */
export function createOrdsContract(contracts: {
  readonly ords: OpenApiDocument;
  readonly public: OpenApiDocument;
}): OrdsContract {
  const { ords, public: publicContract } = contracts;
  // strict: false — OpenAPI keywords (discriminator, examples) are not JSON Schema's.
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  // 'fast' format checks: a list of 1,000 jobs has 4,000 link URLs, and the full RFC 3986 regex dominated
  // the list's cost (bench/README.md); the gateway rewrites or drops every link anyway.
  addFormats.default(ajv, { mode: 'fast' });
  ajv.addSchema(ords, 'ords');
  const compile = (name: string): ValidateFunction => ajv.compile({ $ref: `ords#/components/schemas/${name}` });
  const documented = compile('OrdsJob');
  const page = ajv.compile({
    allOf: [{ $ref: 'ords#/components/schemas/OrdsCollectionPage' }],
    type: 'object',
    properties: { items: { type: 'array' } },
  });
  const error = compile('OrdsError');
  const representable = ajv.compile(representableSchema(ajv, publicContract));

  const errorsOf = (fn: ValidateFunction) =>
    (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trimEnd());
  const checkJob = (body: unknown): Checked<OrdsJob> => {
    if (!documented(body)) return { ok: false, errors: errorsOf(documented) };
    const job = trimmed(body as DocumentedOrdsJob);
    if (!representable(job)) {
      return { ok: false, errors: errorsOf(representable).map((e) => `${e} (the gateway cannot represent it)`) };
    }
    return { ok: true, value: job as OrdsJob };
  };
  return {
    job: checkJob,
    jobRow: checkJob,
    jobPage(body) {
      if (!page(body)) return { ok: false, errors: errorsOf(page) };
      const value = body as components['schemas']['OrdsJobCollection'];
      return { ok: true, value: { ...value, items: value.items ?? [], links: value.links ?? [] } };
    },
    isError: (body): body is OrdsError => error(body),
  };
}

function trimmed(job: DocumentedOrdsJob): DocumentedOrdsJob {
  const out: Record<string, unknown> = { ...job };
  for (const key of PADDED) {
    const value = out[key];
    if (typeof value === 'string') out[key] = value.trim();
  }
  return out as DocumentedOrdsJob;
}

/** What the gateway needs of a job (trimmed): what the public contract's `Job` requires of these members. */
function representableSchema(ajv: Ajv2020, publicContract: OpenApiDocument): object {
  ajv.addSchema(publicContract, 'public');
  const rule = (name: string) => ({ $ref: `public#/components/schemas/${name}` });
  return {
    type: 'object',
    required: ['job_name', 'owner_name', 'operation', 'job_mode', 'state'],
    properties: {
      job_name: rule('JobName'),
      owner_name: rule('OwnerName'),
      operation: rule('JobOperation'),
      job_mode: rule('JobModeReported'),
      state: rule('JobState'),
    },
  };
}
