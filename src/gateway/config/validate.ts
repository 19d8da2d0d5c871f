/** @module Schema validation of the interpolated tree: fills defaults, turns `${PORT}` into a number, names every fault. */
import { describeSchemaErrors, type Problem } from './messages.js';
import { formatPath, isRecord, pointerToSegments } from './paths.js';
import { compileConfigSchema, type SchemaError } from './schema.js';

export interface ValidateOptions {
  /** Raw text of values that were exactly one `${…}` reference, by dotted path. */
  readonly wholeReferences: ReadonlyMap<string, string>;
}

/**
 * Validates `data` in place (Ajv writes the schema's defaults into it) and returns the problems.
 *
 * Environment variables are always text, so `port: ${PORT:-8080}` arrives as "8080". Ajv's
 * `coerceTypes` would fix that but coerces everything everywhere (`port:` left empty becomes 0,
 * `validate_responses: 0` becomes false, a quoted "8080" typed by hand slips through). Instead the
 * first pass finds where the schema wanted an integer, number or boolean, only values that were
 * exactly one reference are converted there, and a second pass validates the result.
 */
export function validateConfigTree(data: unknown, { wholeReferences }: ValidateOptions): Problem[] {
  const validate = compileConfigSchema();
  if (validate(data)) return [];
  const coerced = coerceReferences(validate.errors ?? [], data, wholeReferences);
  if (coerced && validate(data)) return [];
  const problems = describeSchemaErrors(validate.errors ?? [], data);
  // The value is not in the file, only its reference: say which one, so the reader knows where to look.
  return problems.map((p) => {
    const raw = wholeReferences.get(p.path);
    return raw === undefined ? p : { path: p.path, message: `${p.message} (from ${raw})` };
  });
}

function coerceReferences(
  errors: readonly SchemaError[],
  data: unknown,
  wholeReferences: ReadonlyMap<string, string>,
): boolean {
  let changed = false;
  for (const error of errors) {
    if (error.keyword !== 'type') continue;
    const segments = pointerToSegments(error.instancePath, data);
    if (!wholeReferences.has(formatPath(segments))) continue;
    const parentPath = segments.slice(0, -1);
    const last = segments.at(-1);
    const parent = parentPath.reduce<unknown>(
      (node, key) =>
        isRecord(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined,
      data,
    );
    if (last === undefined || !(isRecord(parent) || Array.isArray(parent))) continue;
    const container = parent as Record<string | number, unknown>;
    const converted = convert(container[last], String(error.params.type));
    if (converted !== undefined) {
      container[last] = converted;
      changed = true;
    }
  }
  return changed;
}

function convert(value: unknown, type: string): number | boolean | undefined {
  if (typeof value !== 'string') return undefined;
  if ((type === 'integer' || type === 'number') && /^-?\d+$/.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : undefined;
  }
  if (type === 'number' && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return undefined;
}
