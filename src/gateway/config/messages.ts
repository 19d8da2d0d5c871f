/** @module Turns Ajv's errors into one friendly line each, named by dotted path (`listen.hots: is not a known setting`). */
import { formatPath, isRecord, type PathSegment, pointerToSegments } from './paths.js';
import type { SchemaError } from './schema.js';
import { closestName } from './suggest.js';

export interface Problem {
  readonly path: string;
  readonly message: string;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

/** Within one path, a failed `format` says it best: a non-URL need not hear what kind of URL is expected. */
const OUTRANKED_BY_FORMAT = new Set(['pattern']);

export function describeSchemaErrors(errors: readonly SchemaError[], data: unknown): Problem[] {
  const problems: Problem[] = [];
  const formatFailed = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'format') formatFailed.add(pathOf(error, data));
  }
  for (const error of errors) {
    // Both are restated elsewhere: the inner error of a property name, the outcome of each oneOf branch.
    if (error.keyword === 'propertyNames' || error.schemaPath.includes('/oneOf/')) continue;
    const path = pathOf(error, data);
    if (OUTRANKED_BY_FORMAT.has(error.keyword) && formatFailed.has(path)) continue;
    problems.push({ path, message: describe(error) });
  }
  return problems;
}

function pathOf(error: SchemaError, data: unknown): string {
  const segments: PathSegment[] = pointerToSegments(error.instancePath, data);
  if (error.propertyName !== undefined) segments.push(error.propertyName);
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(error.params.additionalProperty));
  return formatPath(segments);
}

function describe(error: SchemaError): string {
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties': {
      // The settings allowed right there, not anywhere in the file: `hots` under listen is `host`.
      const allowed = isRecord(schema.properties) ? Object.keys(schema.properties) : [];
      const near = closestName(String(params.additionalProperty), allowed);
      return near === undefined ? 'is not a known setting' : `is not a known setting (did you mean "${near}"?)`;
    }
    case 'type': {
      if (typeof schema.typeErrorMessage === 'string') return schema.typeErrorMessage;
      const types = ([] as unknown[]).concat(params.type).map((t) => TYPE_NAMES[String(t)] ?? String(t));
      return `must be ${types.join(' or ')}`;
    }
    case 'format':
      if (params.format === 'uri') return 'must be a URL';
      if (params.format === 'date-time')
        return 'must be an RFC 3339 date-time with a time zone, like 2027-03-01T14:00:00Z';
      return `must be a valid ${String(params.format)}`;
    case 'pattern':
      return typeof schema.patternErrorMessage === 'string'
        ? schema.patternErrorMessage
        : `must match ${String(params.pattern)}`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(params.comparison)} ${String(params.limit)}`;
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return params.limit === 1
        ? 'must not be empty'
        : `must have at least ${String(params.limit)} ${unit(error.keyword)}`;
    case 'maxItems':
    case 'maxProperties':
    case 'maxLength':
      return `must have at most ${String(params.limit)} ${unit(error.keyword)}`;
    case 'uniqueItems':
      return `must not list the same value twice ([${String(params.j)}] and [${String(params.i)}])`;
    case 'oneOf': {
      const names = ((schema.oneOf ?? []) as Array<{ required?: string[] }>).flatMap((branch) => branch.required ?? []);
      const choice = names.join(' or ');
      return params.passingSchemas === null
        ? `must set exactly one of ${choice}`
        : `must set only one of ${choice}, not both`;
    }
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

function unit(keyword: string): string {
  if (keyword.endsWith('Items')) return 'items';
  if (keyword.endsWith('Properties')) return 'entries';
  return 'characters';
}
