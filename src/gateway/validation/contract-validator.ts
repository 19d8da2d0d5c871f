/** @module The gateway's request (and optionally response) validation against the public contract. */
import type { Request, RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';

import type { OpenApiDocument } from '../../contract/documents.js';
import {
  type BodyBound,
  forRequestValidation,
  largestRequestBody,
  resolveLocalRef,
  withHeadForEveryGet,
} from '../../contract/validator-document.js';
import type { ProblemFault } from '../problems/catalogue.js';
import { classify, requestInvalid } from '../problems/from-error.js';
import { GatewayError } from '../problems/gateway-error.js';

/** The contract route the validator matched (`/databases/{database}/datapump/jobs/`); undefined before or without a match. */
export function contractRoute(req: Request): string | undefined {
  return (req as { openapi?: { openApiRoute?: string } }).openapi?.openApiRoute;
}

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
 *
 * Around the validator's own steps, once it has matched the path and method: a body far larger (in members
 * and array items) than any the contract accepts is refused before Ajv sees it, and an integer query
 * parameter is a number only when written in decimal digits. HEAD is accepted wherever GET is.
 */
export function createContractValidator({ document, validateResponses }: ContractValidatorOptions): RequestHandler[] {
  const spec = withOwnedHeadersOpen(withHeadForEveryGet(forRequestValidation(document)));
  const chain = OpenApiValidator.middleware({
    apiSpec: spec as never,
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
  // The validator's chain is (path params, metadata: route matched or 404/405, …, request validation, …).
  const matched = chain.findIndex((step) => step.name === 'metadataMiddleware');
  const validates = chain.findIndex((step) => step.name === 'requestMiddleware');
  if (matched < 0 || validates < matched) {
    throw new Error('express-openapi-validator: its middleware chain is not the one this gateway was written for');
  }
  return [
    ...chain.slice(0, matched + 1),
    // Bound on the published document: the validator's copy has its discriminators rewritten as if/then.
    refuseOversizedBodies(bodyLimits(largestRequestBody(document))),
    ...chain.slice(matched + 1, validates),
    withDecimalIntegers(chain[validates]!, integerQueryParameters(spec)),
    ...chain.slice(validates + 1),
  ];
}

// ------------------------------------------------------------------------------------------- bounded bodies

/** What the body walk allows; derived from the contract by bodyLimits. */
export interface BodyLimits {
  readonly nodes: number;
  readonly depth: number;
}

/**
 * The floor of the caps. The contract's largest valid body (an IMPORT with every property, three expression
 * lists of 20 items and 50 schema remaps) has 281 members and array items in all, nested 3 deep; a body
 * with more cannot be valid. The caps are twice the contract's bound and never under 1,000 members and
 * items and 16 levels: generous, so that a contract that grows a little never has a valid body refused
 * here, and small, so that 15,000 unknown properties (a 154 KB body) never reach Ajv, which would spend
 * ~190 ms listing each of them. A contract without a bound (no `maxItems`, open objects) gets the floor.
 */
const FLOOR: BodyLimits = { nodes: 1_000, depth: 16 };

export function bodyLimits(bound: BodyBound): BodyLimits {
  const cap = (derived: number, floor: number) => (Number.isFinite(derived) ? Math.max(floor, 2 * derived) : floor);
  return { nodes: cap(bound.nodes, FLOOR.nodes), depth: cap(bound.depth, FLOOR.depth) };
}

/**
 * Walks the parsed body (without recursion, stopping at the first excess, so its cost is bounded by the
 * caps, not by the body) and refuses one that is larger or deeper than the caps with a `request-invalid`
 * naming where the excess begins.
 */
function refuseOversizedBodies(limits: BodyLimits): RequestHandler {
  return function refuseOversizedBodiesMiddleware(req, _res, next) {
    const matched = (req as { openapi?: unknown }).openapi !== undefined;
    const excess = matched ? firstExcess(req.body, limits) : undefined;
    if (!excess) {
      next();
      return;
    }
    next(
      new GatewayError('request-invalid', {
        detail: excess.tooDeep
          ? `The body is nested more than ${limits.depth} levels deep, deeper than any body the contract accepts; it was not checked further.`
          : `The body has more than ${limits.nodes} members and array items in all, more than any body the contract accepts; it was not checked further.`,
        errors: [
          {
            pointer: excess.pointer,
            detail: excess.tooDeep
              ? `is nested more than ${limits.depth} levels deep`
              : `is past the first ${limits.nodes} members and array items of the body`,
          },
        ],
      }),
    );
  };
}

function firstExcess(body: unknown, limits: BodyLimits): { pointer: string; tooDeep: boolean } | undefined {
  const pending: Array<{ value: unknown; pointer: string; depth: number }> = [{ value: body, pointer: '', depth: 0 }];
  let nodes = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, pointer, depth } = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth + 1 > limits.depth) return { pointer, tooDeep: true };
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) {
        nodes += 1;
        if (nodes > limits.nodes) return { pointer: `${pointer}/${i}`, tooDeep: false };
        pending.push({ value: value[i] as unknown, pointer: `${pointer}/${i}`, depth: depth + 1 });
      }
      continue;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      nodes += 1;
      const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (nodes > limits.nodes) return { pointer: at, tooDeep: false };
      pending.push({ value: (value as Record<string, unknown>)[key], pointer: at, depth: depth + 1 });
    }
  }
  return undefined;
}

// ----------------------------------------------------------------------------- integers in decimal digits

interface IntegerParameter {
  readonly name: string;
  readonly digits: RegExp;
  readonly detail: string;
}

/**
 * Refuses an integer query parameter not written in decimal digits, before the validator coerces it: Ajv
 * coerces with `Number()`, which reads `Infinity`, `1e400`, `0x10`, `0b11`, `+5`, `1e2`, `5.0` and `" 5"`
 * as numbers (the first ones as null after the coercion, which then reached the store). Digits are then
 * checked against the contract's minimum and maximum by the validator, whose faults are merged with these.
 */
function withDecimalIntegers(
  validateRequest: RequestHandler,
  byOperation: ReadonlyMap<string, readonly IntegerParameter[]>,
): RequestHandler {
  return function decimalIntegersMiddleware(req, res, next) {
    const operationId = (req as { openapi?: { schema?: { operationId?: unknown } } }).openapi?.schema?.operationId;
    const parameters = typeof operationId === 'string' ? byOperation.get(operationId) : undefined;
    const faults = parameters ? nonDecimal(req, parameters) : [];
    if (faults.length === 0) {
      validateRequest(req, res, next);
      return;
    }
    validateRequest(req, res, (err?: unknown) => {
      if (err === undefined || err === null) {
        next(requestInvalid(faults));
        return;
      }
      const found = classify(err);
      if (found.slug !== 'request-invalid') {
        next(err);
        return;
      }
      // The validator's own faults of these parameters (if any) say less than ours: ours replace them.
      const named = new Set(faults.map((fault) => fault.parameter));
      const others = (found.errors ?? []).filter(
        (fault) => fault.parameter === undefined || !named.has(fault.parameter),
      );
      next(requestInvalid([...others, ...faults], err));
    });
  };
}

function nonDecimal(req: Request, parameters: readonly IntegerParameter[]): ProblemFault[] {
  // Express's query parser, as the validator will read it: a string, or an array when repeated.
  const query = req.query as Record<string, unknown>;
  return parameters.flatMap(({ name, digits, detail }) => {
    const raw = query[name];
    if (raw === undefined) return [];
    const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
    return values.every((value) => typeof value === 'string' && digits.test(value))
      ? []
      : [{ parameter: name, detail }];
  });
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

type ParameterObject = { $ref?: string; in?: string; name?: string; schema?: Record<string, unknown> };

/** Every operation's integer query parameters (path-level ones included), read from the contract, by operationId. */
export function integerQueryParameters(doc: OpenApiDocument): Map<string, IntegerParameter[]> {
  const deref = (value: ParameterObject): ParameterObject =>
    typeof value.$ref === 'string' ? ((resolveLocalRef(doc, value.$ref) as ParameterObject | undefined) ?? {}) : value;
  const list = (value: unknown): ParameterObject[] =>
    Array.isArray(value) ? (value as ParameterObject[]).map(deref) : [];
  const byOperation = new Map<string, IntegerParameter[]>();
  for (const item of Object.values(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const op = operation as { operationId?: unknown; parameters?: unknown } | null;
      if (!HTTP_METHODS.has(method) || typeof op?.operationId !== 'string') continue;
      // An operation's own parameter replaces the path's of the same name.
      const query = new Map<string, ParameterObject>();
      for (const parameter of [...list(item.parameters), ...list(op.parameters)]) {
        if (parameter.in === 'query' && typeof parameter.name === 'string') query.set(parameter.name, parameter);
      }
      const integers = [...query.values()].flatMap((parameter) => {
        const schema = parameter.schema ?? {};
        const resolved = typeof schema.$ref === 'string' ? (resolveLocalRef(doc, schema.$ref) ?? {}) : schema;
        const types = Array.isArray(resolved.type) ? (resolved.type as unknown[]) : [resolved.type];
        return types.includes('integer') ? [integerParameter(String(parameter.name), resolved)] : [];
      });
      if (integers.length > 0) byOperation.set(op.operationId, integers);
    }
  }
  return byOperation;
}

function integerParameter(name: string, schema: Record<string, unknown>): IntegerParameter {
  const minimum = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const maximum = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const negative = minimum === undefined || minimum < 0;
  const range =
    minimum !== undefined && maximum !== undefined
      ? ` from ${minimum} to ${maximum}`
      : minimum !== undefined
        ? ` of at least ${minimum}`
        : maximum !== undefined
          ? ` of at most ${maximum}`
          : '';
  return {
    name,
    digits: negative ? /^-?[0-9]+$/ : /^[0-9]+$/,
    detail: negative
      ? `must be a whole number${range}, written in decimal digits (after an optional minus) and nothing else`
      : `must be a whole number${range}, written in decimal digits only (no sign, exponent, point, spaces or prefix)`,
  };
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
