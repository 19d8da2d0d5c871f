/** @module Checks ORDS's answers against the upstream contract before the gateway trusts them. */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import type { components } from '../../../generated/ords.js';
import type { OpenApiDocument } from '../../contract/documents.js';

export type OrdsJob = components['schemas']['OrdsJob'];
export type OrdsJobCollection = components['schemas']['OrdsJobCollection'];
export type OrdsError = components['schemas']['OrdsError'];

/** A body checked against the contract: the typed value, or what is wrong with it (for the log). */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: string[] };

export interface OrdsContract {
  job(body: unknown): Checked<OrdsJob>;
  jobCollection(body: unknown): Checked<OrdsJobCollection>;
  isError(body: unknown): body is OrdsError;
}

/** Compiles the upstream contract's answer schemas once per gateway. */
export function createOrdsContract(ords: OpenApiDocument): OrdsContract {
  // strict: false — OpenAPI keywords (discriminator, examples) are not JSON Schema's.
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  // 'fast' format checks: a list of 1,000 jobs has 4,000 link URLs, and the full RFC 3986 regex dominated
  // the list's cost (bench/README.md); the gateway rewrites or drops every link anyway.
  addFormats.default(ajv, { mode: 'fast' });
  ajv.addSchema(ords, 'ords');
  const compile = (name: string): ValidateFunction => ajv.compile({ $ref: `ords#/components/schemas/${name}` });
  const job = compile('OrdsJob');
  const collection = compile('OrdsJobCollection');
  const error = compile('OrdsError');
  const check = <T>(fn: ValidateFunction, body: unknown): Checked<T> =>
    fn(body)
      ? { ok: true, value: body as T }
      : { ok: false, errors: (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`) };
  return {
    job: (body) => check<OrdsJob>(job, body),
    jobCollection: (body) => check<OrdsJobCollection>(collection, body),
    isError: (body): body is OrdsError => error(body),
  };
}
