/** @module Prepares a contract for express-openapi-validator without changing what it accepts. */
import type { OpenApiDocument } from './documents.js';

type Schema = Record<string, unknown>;

/**
 * Returns a copy of `doc` in which every `oneOf` + `discriminator` schema is rewritten as the
 * equivalent `if`/`then` chain on the discriminator property.
 *
 * Why: express-openapi-validator 5.6 compiles each discriminated branch with its base Ajv options,
 * which drop `allErrors`, so a body with several faults reports only the first. The `if`/`then`
 * form is validated by the request Ajv instance, which honours `allErrors`, so the problem body can
 * list every fault. The accepted language is the same: the discriminator must be one of the mapped
 * values, and the body must match that value's branch. The published contract keeps the
 * discriminator, which is what gives the generated TypeScript its discriminated union.
 */
export function forRequestValidation(doc: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(doc);
  const schemas = (copy.components.schemas ?? {}) as Record<string, Schema>;
  for (const [name, schema] of Object.entries(schemas)) {
    schemas[name] = rewriteDiscriminator(schema);
  }
  return copy;
}

function rewriteDiscriminator(schema: Schema): Schema {
  const discriminator = schema.discriminator as { propertyName?: string; mapping?: Record<string, string> } | undefined;
  if (!discriminator?.propertyName || !discriminator.mapping || !Array.isArray(schema.oneOf)) return schema;
  const property = discriminator.propertyName;
  const mapping = discriminator.mapping;
  const { oneOf: _oneOf, discriminator: _d, ...rest } = schema;
  return {
    ...rest,
    type: 'object',
    required: [property],
    properties: { [property]: { enum: Object.keys(mapping) } },
    allOf: Object.entries(mapping).map(([value, ref]) => ({
      if: { properties: { [property]: { const: value } }, required: [property] },
      then: { $ref: ref },
    })),
  };
}

/**
 * Returns a copy of `doc` in which every path that declares `get` (and no `head`) also declares `head`, the
 * same operation (its parameters, its responses, an operationId of its own).
 *
 * Why: RFC 9110 §9.3.2 makes HEAD the GET of a resource without its body, and Express already runs a GET
 * route for a HEAD request, but the validator only accepts the methods the document names, so it answered
 * 405 to HEAD. The published contract keeps HEAD implicit, as HTTP does.
 */
export function withHeadForEveryGet(doc: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(doc);
  for (const item of Object.values(copy.paths)) {
    const get = item.get as Schema | undefined;
    if (!get || item.head !== undefined) continue;
    const head = structuredClone(get);
    if (typeof head.operationId === 'string') head.operationId = `${head.operationId}Head`;
    item.head = head;
  }
  return copy;
}

/** How large a JSON body the contract can accept at most: members and array items in all, and nesting. */
export interface BodyBound {
  /** Object members plus array items, counted over the whole body; Infinity when the contract sets no bound. */
  readonly nodes: number;
  /** Levels of objects and arrays (a flat object is 1); Infinity when the contract sets no bound. */
  readonly depth: number;
}

const UNBOUNDED: BodyBound = { nodes: Infinity, depth: Infinity };

/**
 * The largest JSON request body any operation of `doc` accepts, as a bound worked out from its schemas: an
 * object with `additionalProperties: false` has at most its declared members, an array at most `maxItems`
 * items, a `oneOf`/`anyOf` at most its largest branch, an `allOf` at most its smallest part (a valid body
 * matches every part). An upper bound, never under the true largest: `if`/`then`, `not` and the like only
 * narrow what is valid and are ignored.
 */
export function largestRequestBody(doc: OpenApiDocument): BodyBound {
  let nodes = 0;
  let depth = 0;
  for (const item of Object.values(doc.paths)) {
    for (const operation of Object.values(item)) {
      const content = (operation as { requestBody?: { content?: Record<string, { schema?: Schema }> } } | null)
        ?.requestBody?.content;
      for (const [mediaType, { schema }] of Object.entries(content ?? {})) {
        if (!/json/i.test(mediaType)) continue;
        const bound = schema ? boundOf(schema, doc, new Set()) : UNBOUNDED;
        nodes = Math.max(nodes, bound.nodes);
        depth = Math.max(depth, bound.depth);
      }
    }
  }
  return { nodes, depth };
}

function boundOf(schema: Schema, doc: OpenApiDocument, resolving: Set<string>): BodyBound {
  const ref = schema.$ref;
  let own: BodyBound;
  if (typeof ref === 'string') {
    // A recursive schema has no bound.
    if (resolving.has(ref) || !ref.startsWith('#/')) return UNBOUNDED;
    const target = resolveLocalRef(doc, ref);
    own = target ? boundOf(target, doc, new Set([...resolving, ref])) : UNBOUNDED;
  } else {
    own = ownBound(schema, doc, resolving);
  }
  // Every allOf part also holds: the smallest bound among them (and this schema's own) is a bound.
  for (const part of asSchemas(schema.allOf)) own = min(own, boundOf(part, doc, resolving));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = asSchemas(schema[key]);
    if (branches.length > 0) own = min(own, branches.map((b) => boundOf(b, doc, resolving)).reduce(max));
  }
  return own;
}

/** The bound given by the schema's own keywords (type, properties, items), ignoring its combinators. */
function ownBound(schema: Schema, doc: OpenApiDocument, resolving: Set<string>): BodyBound {
  const types = Array.isArray(schema.type) ? (schema.type as unknown[]) : [schema.type];
  const scalar = (value: unknown) => value === null || typeof value !== 'object';
  if (Array.isArray(schema.enum) && schema.enum.every(scalar)) return { nodes: 0, depth: 0 };
  if ('const' in schema && scalar(schema.const)) return { nodes: 0, depth: 0 };
  if (types.every((t) => typeof t === 'string' && !['object', 'array'].includes(t))) return { nodes: 0, depth: 0 };
  // No type: anything (unless the combinators say otherwise, which boundOf takes into account).
  if (types.includes(undefined)) return UNBOUNDED;
  let bound: BodyBound = { nodes: 0, depth: 0 };
  if (types.includes('object')) bound = max(bound, objectBound(schema, doc, resolving));
  if (types.includes('array')) bound = max(bound, arrayBound(schema, doc, resolving));
  return bound;
}

function objectBound(schema: Schema, doc: OpenApiDocument, resolving: Set<string>): BodyBound {
  if (schema.additionalProperties !== false || schema.patternProperties !== undefined) return UNBOUNDED;
  const members = Object.values((schema.properties ?? {}) as Record<string, Schema>).map((property) =>
    boundOf(property, doc, resolving),
  );
  return {
    nodes: members.reduce((sum, member) => sum + 1 + member.nodes, 0),
    depth: 1 + members.reduce((deepest, member) => Math.max(deepest, member.depth), 0),
  };
}

function arrayBound(schema: Schema, doc: OpenApiDocument, resolving: Set<string>): BodyBound {
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  if (maxItems === 0) return { nodes: 0, depth: 1 };
  const items =
    typeof schema.items === 'object' && schema.items !== null
      ? boundOf(schema.items as Schema, doc, resolving)
      : UNBOUNDED;
  return { nodes: maxItems * (1 + items.nodes), depth: 1 + items.depth };
}

/** The object a local reference (`#/components/…`) points at in `doc`, if any. */
export function resolveLocalRef(doc: OpenApiDocument, ref: string): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node !== null && typeof node === 'object' ? (node as Schema) : undefined;
}

const asSchemas = (value: unknown): Schema[] => (Array.isArray(value) ? (value as Schema[]) : []);
const min = (a: BodyBound, b: BodyBound): BodyBound => ({
  nodes: Math.min(a.nodes, b.nodes),
  depth: Math.min(a.depth, b.depth),
});
const max = (a: BodyBound, b: BodyBound): BodyBound => ({
  nodes: Math.max(a.nodes, b.nodes),
  depth: Math.max(a.depth, b.depth),
});
