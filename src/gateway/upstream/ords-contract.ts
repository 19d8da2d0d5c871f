/** @module Checks ORDS's answers against the upstream contract before the gateway trusts them. */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import type { components } from '../../../generated/ords.js';
import type { OpenApiDocument } from '../../contract/documents.js';

export type OrdsJob = components['schemas']['OrdsJob'];
export type OrdsJobCollection = components['schemas']['OrdsJobCollection'];
export type OrdsError = components['schemas']['OrdsError'];

export interface OrdsContract {
  isJob(body: unknown): body is OrdsJob;
  isJobCollection(body: unknown): body is OrdsJobCollection;
  isError(body: unknown): body is OrdsError;
  /** The last failure's messages, for the log. */
  lastErrors(): string[];
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
  let last: string[] = [];
  const check = (fn: ValidateFunction, body: unknown) => {
    const ok = fn(body);
    last = ok ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    return ok;
  };
  return {
    isJob: (body): body is OrdsJob => check(job, body),
    isJobCollection: (body): body is OrdsJobCollection => check(collection, body),
    isError: (body): body is OrdsError => check(error, body),
    lastErrors: () => last,
  };
}
