/** @module The gateway's request (and optionally response) validation against the public contract. */
import { createRequire } from 'node:module';

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
  /**
   * Find each request's route with matchers compiled once (withRouteCache) rather than by the validator's own
   * lookup, which compiles them all again on every request. On by default; off only to compare the two (tests).
   */
  readonly cacheRoutes?: boolean;
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
export function createContractValidator({
  document,
  validateResponses,
  cacheRoutes = true,
}: ContractValidatorOptions): RequestHandler[] {
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
    // No multipart body in the contract: the multer step would only ever pass the request on, a promise later.
    fileUploader: hasMultipartBody(spec) ? {} : false,
  }) as unknown as RequestHandler[];
  // The validator's chain is (path params, metadata: route matched or 404/405, security, [multipart], request
  // validation, [response validation]).
  const step = (name: string) => chain.findIndex((s) => s.name === name);
  const [params, matched, security, validates] = [
    step('pathParamsMiddleware'),
    step('metadataMiddleware'),
    step('securityMiddleware'),
    step('requestMiddleware'),
  ];
  if (params !== 0 || matched !== 1 || security !== 2 || validates < security) {
    throw new Error('express-openapi-validator: its middleware chain is not the one this gateway was written for');
  }
  return [
    cacheRoutes ? installedOnce(chain[params]!) : chain[params]!,
    cacheRoutes ? withRouteCache(chain[matched]!, spec) : chain[matched]!,
    // Bound on the published document: the validator's copy has its discriminators rewritten as if/then.
    refuseOversizedBodies(bodyLimits(largestRequestBody(document))),
    // The security step is left out: with validateSecurity off it only passes the request on, a promise later.
    ...chain.slice(security + 1, validates),
    withDecimalIntegers(chain[validates]!, integerQueryParameters(spec)),
    ...chain.slice(validates + 1),
  ];
}

// ------------------------------------------------------------------------------------------- route lookup

/** path-to-regexp 8's `pathToRegexp`, as express-openapi-validator calls it. */
type PathToRegexp = (
  path: string,
  options: { sensitive: boolean; strict: boolean },
) => { regexp: RegExp; keys: ReadonlyArray<{ name: string }> };

/** What the validator's lookup found for one route and method, learnt from its own answer. */
interface Learnt {
  readonly openApiRoute: string;
  readonly schema: unknown;
  readonly serial: unknown;
  readonly responseSchema?: { readonly value: unknown };
}

type OpenApiMatch = {
  expressRoute: string;
  openApiRoute: string;
  pathParams: Record<string, string>;
  schema: unknown;
  serial: unknown;
  _responseSchema?: unknown;
};

/**
 * A cache in front of express-openapi-validator's route lookup, without forking it.
 *
 * Why: its metadata step (5.6.2, and 6.0.0-alpha.9, the newest release; openapi.metadata.js, `lookupRoute`) compiles
 * `pathToRegexp()` again for every route of the contract, on every request, until one matches (~5 µs each: four on
 * a job poll by the gateway's path, nine by ORDS's). The upstream fix (cdimascio/express-openapi-validator#1217,
 * "perf: cache route matchers") is open and unreleased; once released, this wrapper can go.
 *
 * How: the routes are the contract's paths turned into Express paths exactly as the validator does it, compiled
 * once per (case sensitive, strict) setting of the app with the validator's own copy of path-to-regexp and the
 * options its lookup reads from `req.app`. A request whose path matches exactly one of them, by a method the
 * validator has already matched on that route once, gets the `req.openapi` and `req.params` the validator would
 * have set: its route and schema objects (learnt from its own answer, so the request validator finds the schemas it
 * compiled), and the captures decoded the same way. Everything else goes to the validator's own step unchanged and
 * is answered (404, 405, a malformed %-escape) exactly as before: the first request of each route and method (which
 * teaches the cache), a path of no route or of several, and a path the validator did not match as this cache did.
 * The cache holds at most one entry per route and method of the contract.
 */
export function withRouteCache(lookup: RequestHandler, spec: OpenApiDocument): RequestHandler {
  const routes = expressRoutes(spec);
  if (routes === undefined) return lookup;
  const pathToRegexp = validatorsPathToRegexp();
  // By (sensitive, strict) as 0–3; what the validator answered, by route (its index) and method.
  const compiled: Array<Array<{ regexp: RegExp; keys: string[] }> | undefined> = [];
  const learnt = routes.map(() => new Map<string, Learnt>());
  const matchersFor = (sensitive: boolean, strict: boolean) => {
    const slot = (sensitive ? 2 : 0) + (strict ? 1 : 0);
    let matchers = compiled[slot];
    if (!matchers) {
      matchers = routes.map((route) => {
        const { regexp, keys } = pathToRegexp(route, { sensitive, strict });
        return { regexp, keys: keys.map((k) => k.name) };
      });
      compiled[slot] = matchers;
    }
    return matchers;
  };
  return function routeCacheMiddleware(req, res, next) {
    const query = req.url.indexOf('?');
    const path = query === -1 ? req.url : req.url.slice(0, query);
    const matchers = matchersFor(req.app.enabled('case sensitive routing'), req.app.enabled('strict routing'));
    let found = -1;
    let captures: RegExpExecArray | null = null;
    for (let i = 0; i < matchers.length; i += 1) {
      const hit = matchers[i]!.regexp.exec(path);
      if (!hit) continue;
      if (found >= 0) {
        found = -2; // several routes: the validator's order decides
        break;
      }
      found = i;
      captures = hit;
    }
    if (found < 0 || !captures) {
      lookup(req, res, next);
      return;
    }
    const expressRoute = routes[found]!;
    const known = learnt[found]!.get(req.method);
    let pathParams: Record<string, string> | undefined;
    if (known) {
      try {
        // As the validator does: every capture through decodeURIComponent, zipped with the route's keys.
        const keys = matchers[found]!.keys;
        pathParams = {};
        for (let k = 0; k < keys.length; k += 1) pathParams[keys[k]!] = decodeURIComponent(captures[k + 1]!);
      } catch {
        pathParams = undefined; // a malformed %-escape: the validator's own 400
      }
    }
    if (!known || !pathParams) {
      lookup(req, res, (err?: unknown) => {
        const openapi = (req as { openapi?: OpenApiMatch }).openapi;
        if (!err && !known && openapi?.expressRoute === expressRoute && openapi.schema !== undefined) {
          learnt[found]!.set(req.method, {
            openApiRoute: openapi.openApiRoute,
            schema: openapi.schema,
            serial: openapi.serial,
            ...('_responseSchema' in openapi ? { responseSchema: { value: openapi._responseSchema } } : {}),
          });
        }
        next(err);
      });
      return;
    }
    const openapi: OpenApiMatch = {
      expressRoute,
      openApiRoute: known.openApiRoute,
      pathParams,
      schema: known.schema,
      serial: known.serial,
    };
    if (known.responseSchema) openapi._responseSchema = known.responseSchema.value;
    (req as { openapi?: OpenApiMatch }).openapi = openapi;
    req.params = pathParams;
    next();
  };
}

/** The validator's path-params step installs `app.param` handlers on its first request; after that it only waits a promise. */
function installedOnce(install: RequestHandler): RequestHandler {
  let installed = false;
  return function pathParamsOnceMiddleware(req, res, next) {
    if (installed) {
      next();
      return;
    }
    install(req, res, (err?: unknown) => {
      if (err === undefined || err === null) installed = true;
      next(err);
    });
  };
}

/** The copy of path-to-regexp the validator itself requires (resolved from its folder), so both compile alike. */
function validatorsPathToRegexp(): PathToRegexp {
  const fromValidator = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
  return (fromValidator('path-to-regexp') as { pathToRegexp: PathToRegexp }).pathToRegexp;
}

const NOT_OPERATIONS = new Set(['parameters', 'summary', 'description']);

/**
 * The validator's routes for the contract's paths (openapi.spec.loader.js: `{name}` → `:name`, a literal `:`
 * escaped); undefined, which leaves every lookup to the validator, for a contract whose routes it would build
 * otherwise: a server with a base path (its routes are under it) or a `*` wildcard path.
 */
function expressRoutes(spec: OpenApiDocument): string[] | undefined {
  const servers = (spec as { servers?: Array<{ url?: unknown }> }).servers ?? [];
  if (!servers.every((server) => typeof server.url === 'string' && isRootServer(server.url))) return undefined;
  const routes: string[] = [];
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, unknown>>)) {
    if (!Object.keys(item).some((key) => !key.startsWith('x-') && !NOT_OPERATIONS.has(key))) continue;
    if (path.includes('*')) return undefined;
    routes.push(
      path
        .split(':')
        .map((part) => part.replace(/\{([^}]+)}/g, ':$1'))
        .join('\\:'),
    );
  }
  return routes;
}

/** A server URL whose path is `/` (or none), as the validator's BasePath reads it: its routes are the paths as written. */
function isRootServer(url: string): boolean {
  const afterScheme = url.includes('://') ? url.slice(url.indexOf('://') + 3) : url;
  const slash = afterScheme.indexOf('/');
  return slash === -1 || afterScheme.slice(slash) === '/';
}

function hasMultipartBody(spec: OpenApiDocument): boolean {
  type Body = { $ref?: string; content?: Record<string, unknown> };
  return Object.values(spec.paths as Record<string, Record<string, unknown>>).some((item) =>
    Object.values(item).some((operation) => {
      const body = (operation as { requestBody?: Body } | null)?.requestBody;
      const resolved = typeof body?.$ref === 'string' ? (resolveLocalRef(spec, body.$ref) as Body | undefined) : body;
      return Object.keys(resolved?.content ?? {}).some((type) => type.toLowerCase().startsWith('multipart/'));
    }),
  );
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
