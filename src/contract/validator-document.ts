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
