/** @module The gateway's request (and optionally response) validation against the public contract. */
import type { RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';

import type { OpenApiDocument } from '../../contract/documents.js';
import { forRequestValidation } from '../../contract/validator-document.js';

export interface ContractValidatorOptions {
  /** The bundled public contract (generated/openapi/public.json). */
  readonly document: OpenApiDocument;
  /** Validate the gateway's own JSON answers too: on in development and tests, configurable in production. */
  readonly validateResponses: boolean;
}

/**
 * Header parameters the gateway's own middleware reads and repairs before validation: the contract says a
 * malformed `X-Request-Id` is replaced, not refused, so the validator must take any value of it.
 */
const OWNED_HEADERS = new Set(['x-request-id']);

/**
 * Builds the express-openapi-validator middleware exactly as the gateway mounts it.
 *
 * Requests: every fault is collected (`allErrors`), unknown query parameters are refused, and the
 * body is never coerced (`"4"` is not a number). Security is not checked here: authentication runs
 * earlier in the pipeline and knows more (tenants, hashed keys, JWT) than the contract can say.
 */
export function createContractValidator({ document, validateResponses }: ContractValidatorOptions): RequestHandler[] {
  return OpenApiValidator.middleware({
    apiSpec: withOwnedHeadersOpen(forRequestValidation(document)) as never,
    validateApiSpec: false, // linted at build time (make lint); re-validating costs start-up time
    // Query and path parameters are coerced from strings; JSON bodies never are (`"4"` stays a string).
    validateRequests: { allowUnknownQueryParameters: false, allErrors: true },
    validateResponses: validateResponses ? { allErrors: true } : false,
    validateSecurity: false,
    validateFormats: true,
    ignoreUndocumented: false,
    // Match on req.url, which the path normaliser rewrote (`/jobs` → `/jobs/`), not on req.originalUrl.
    useRequestUrl: true,
  }) as unknown as RequestHandler[];
}

type Parameter = { in?: string; name?: string; schema?: unknown };

/** The copy (already made by forRequestValidation) with the owned headers' schemas opened to any string. */
function withOwnedHeadersOpen(doc: OpenApiDocument): OpenApiDocument {
  const open = (parameter: Parameter) => {
    if (parameter.in === 'header' && OWNED_HEADERS.has(String(parameter.name).toLowerCase())) {
      parameter.schema = { type: 'string' };
    }
  };
  const components = doc.components as { parameters?: Record<string, Parameter> };
  for (const parameter of Object.values(components.parameters ?? {})) open(parameter);
  for (const item of Object.values(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const value of [item, ...Object.values(item)]) {
      const parameters = (value as { parameters?: Parameter[] } | null)?.parameters;
      if (Array.isArray(parameters)) for (const parameter of parameters) open(parameter);
    }
  }
  return doc;
}
