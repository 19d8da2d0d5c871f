/** @module All metadata filters of one request: parsed, scoped, the legacy filter converted, the tenant's schema pinned. */
import { type Expression, namedByEquality, serializeExpression } from './expression.js';
import {
  checkExpressionList,
  checkScope,
  EXPRESSION_FIELDS,
  type ExpressionField,
  MAX_EXPRESSION_ITEMS,
} from './expression-fields.js';
import { parseLegacyFilter } from './legacy-filter.js';
import { isWildcard, near } from './names.js';
import type { JobMode, PolicyLimits, TenantPolicy, Violation } from './types.js';
import { notGranted, unsafe } from './violations.js';

export type ExpressionLists = Record<ExpressionField, Expression[]>;

export function checkExpressions(
  body: Readonly<Record<string, unknown>>,
  mode: JobMode | null,
  tenant: TenantPolicy,
  limits: PolicyLimits,
  violations: Violation[],
): ExpressionLists {
  const lists: ExpressionLists = { name_expressions: [], schema_expressions: [], tablespace_expressions: [] };
  for (const field of EXPRESSION_FIELDS) {
    if (body[field] === undefined) continue;
    const checked = checkExpressionList(field, body[field], tenant, limits);
    violations.push(...checked.violations);
    lists[field] = checked.expressions;
  }
  const filterTarget = body.filter === undefined ? null : convertFilter(body, mode, tenant, limits, lists, violations);
  if (mode === 'SCHEMA' || mode === 'TABLE') {
    if (body.schema_expressions === undefined && filterTarget !== 'schema_expressions')
      pinDefault('schema_expressions', tenant.schemas, lists, violations);
    if (mode === 'TABLE') checkSingleSchema(body.schema_expressions, lists.schema_expressions, violations);
  }
  // TABLESPACE mode selects whatever is stored in the tablespaces, so without a filter it would reach every one.
  if (mode === 'TABLESPACE' && body.tablespace_expressions === undefined)
    pinDefault('tablespace_expressions', tenant.tablespaces, lists, violations);
  return lists;
}

/** An absent filter is given the tenant's only name; several names are ambiguous and the default (the ORDS user's schema) is not the tenant's. */
function pinDefault(
  field: 'schema_expressions' | 'tablespace_expressions',
  allowed: readonly string[],
  lists: ExpressionLists,
  violations: Violation[],
): void {
  if (isWildcard(allowed)) return;
  const what = field === 'schema_expressions' ? 'schema' : 'tablespace';
  const [only] = allowed;
  if (allowed.length === 1 && only !== undefined) {
    lists[field].push({ kind: 'in', negated: false, names: [only] });
    return;
  }
  violations.push(
    notGranted(
      `/${field}`,
      allowed.length === 0
        ? `This tenant is granted no ${what}.`
        : `This tenant has several ${what}s: name the ones the job covers in ${field}; without it the job would reach beyond them.`,
    ),
  );
}

/** Oracle: "For Table mode, only a single SCHEMA_EXPR filter is supported. If specified, it must only specify a single schema." */
function checkSingleSchema(given: unknown, parsed: readonly Expression[], violations: Violation[]): void {
  if (Array.isArray(given) && given.length > 1) {
    violations.push(unsafe('/schema_expressions', 'TABLE mode accepts a single schema expression, naming one schema.'));
    return;
  }
  const [only] = parsed;
  if (Array.isArray(given) && only !== undefined && namedByEquality(only).length > 1) {
    violations.push(
      unsafe(
        '/schema_expressions/0/expression',
        'TABLE mode needs exactly one schema: name it with = or IN with a single name.',
      ),
    );
  }
}

/** The 19.1 `filter`: a list of schemas (SCHEMA mode) or tables (TABLE mode), converted and checked like an expression. */
function convertFilter(
  body: Readonly<Record<string, unknown>>,
  mode: JobMode | null,
  tenant: TenantPolicy,
  limits: PolicyLimits,
  lists: ExpressionLists,
  violations: Violation[],
): ExpressionField | null {
  const filter = body.filter;
  if (typeof filter !== 'string') {
    violations.push(unsafe('/filter', 'filter must be a string.'));
    return null;
  }
  if (mode !== 'SCHEMA' && mode !== 'TABLE') {
    if (mode !== null)
      violations.push(
        unsafe(
          '/filter',
          'The legacy filter is accepted only in SCHEMA and TABLE mode; use tablespace_expressions or schema_expressions.',
        ),
      );
    return null;
  }
  const parsed = parseLegacyFilter(filter, limits.maxListNames);
  if (!parsed.ok) {
    const where = parsed.position <= filter.length ? `, near ${near(filter, parsed.position)}` : '';
    violations.push(
      unsafe(
        '/filter',
        `The filter is not accepted at position ${parsed.position}${where}: ${parsed.reason}. It must be a comma-separated list of uppercase names.`,
      ),
    );
    return null;
  }
  const target: ExpressionField = mode === 'TABLE' ? 'name_expressions' : 'schema_expressions';
  const given = body[target];
  if (Array.isArray(given) && given.length >= MAX_EXPRESSION_ITEMS) {
    violations.push(
      unsafe('/filter', `The filter cannot be added to ${target}, which already holds ${MAX_EXPRESSION_ITEMS} items.`),
    );
    return null;
  }
  if (serializeExpression(parsed.expression).length > limits.maxExpressionBytes) {
    violations.push(
      unsafe('/filter', `The filter's canonical expression would exceed ${limits.maxExpressionBytes} bytes.`),
    );
    return null;
  }
  violations.push(...checkScope(target, parsed.expression, '/filter', tenant));
  lists[target].push(parsed.expression);
  return target;
}
