// ORDS's own checks on create bodies, taken from the upstream contract's request schemas.
import { loadContract, type OpenApiDocument } from '../contract/documents.js';
import { forRequestValidation } from '../contract/validator-document.js';
import { createAjv, describeErrors } from './ajv.js';

export type CreateEndpoint = 'jobs' | 'export' | 'import';

export interface BodyValidator {
  /** Every problem with `body` for `endpoint`, as readable messages; empty when ORDS would accept it. */
  check(endpoint: CreateEndpoint, body: unknown): string[];
}

const SCHEMAS: Record<CreateEndpoint, string> = {
  jobs: 'JobRequest',
  export: 'ExportRpcRequest',
  import: 'ImportRpcRequest',
};

export function createBodyValidator(document: OpenApiDocument = loadContract('ords')): BodyValidator {
  const ajv = createAjv();
  // The if/then form of the discriminated union, so a body with several faults reports all of them.
  ajv.addSchema(forRequestValidation(document) as object, 'ords.json');
  const validators = Object.fromEntries(
    Object.entries(SCHEMAS).map(([endpoint, name]) => [
      endpoint,
      ajv.compile({ $ref: `ords.json#/components/schemas/${name}` }),
    ]),
  ) as Record<CreateEndpoint, ReturnType<typeof ajv.compile>>;
  return {
    check(endpoint, body) {
      const validate = validators[endpoint];
      return validate(body) ? [] : describeErrors(validate.errors, 'body');
    },
  };
}

/** The checks that stay on with `validate: false`: without them the emulator could not build a job at all. */
export function minimalCheck(endpoint: CreateEndpoint, body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['body must be a JSON object'];
  if (endpoint !== 'jobs') return [];
  const operation = (body as Record<string, unknown>).operation;
  return operation === 'EXPORT' || operation === 'IMPORT' ? [] : ['body/operation must be one of ["EXPORT","IMPORT"]'];
}
