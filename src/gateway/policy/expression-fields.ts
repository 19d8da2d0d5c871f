/** @module Per-field rules for `*_expressions`: which forms each field accepts and whose names it may select. */
import { type Expression, namedByEquality, serializeExpression } from './expression.js';
import { granted, isWildcard, MAX_NAME_BYTES, MAX_TABLESPACE_BYTES, near, someNames } from './names.js';
import { parseExpression } from './parse-expression.js';
import type { PolicyLimits, TenantPolicy, Violation } from './types.js';
import { notGranted, unsafe } from './violations.js';

export type ExpressionField = 'name_expressions' | 'schema_expressions' | 'tablespace_expressions';
export const EXPRESSION_FIELDS: readonly ExpressionField[] = [
  'name_expressions',
  'schema_expressions',
  'tablespace_expressions',
];
/** The contract's (and ORDS contract's) cap on items per list. */
export const MAX_EXPRESSION_ITEMS = 20;

const LABEL: Record<ExpressionField, string> = {
  name_expressions: 'name expression',
  schema_expressions: 'schema expression',
  tablespace_expressions: 'tablespace expression',
};

export interface CheckedList {
  /** The items that parsed, in order (items that did not are reported and absent). */
  readonly expressions: Expression[];
  readonly violations: Violation[];
}

/** Parses every item of one field and applies the field's rules; reports every faulty item, not just the first. */
export function checkExpressionList(
  field: ExpressionField,
  items: unknown,
  tenant: TenantPolicy,
  limits: PolicyLimits,
): CheckedList {
  const expressions: Expression[] = [];
  const violations: Violation[] = [];
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_EXPRESSION_ITEMS) {
    return {
      expressions,
      violations: [unsafe(`/${field}`, `${field} must be a list of 1 to ${MAX_EXPRESSION_ITEMS} items`)],
    };
  }
  items.forEach((item: unknown, index) => {
    const pointer = `/${field}/${index}/expression`;
    const text = typeof item === 'object' && item !== null ? (item as { expression?: unknown }).expression : undefined;
    if (typeof text !== 'string') {
      violations.push(
        unsafe(`/${field}/${index}`, `each ${LABEL[field]} item must be an object with a string "expression"`),
      );
      return;
    }
    const parsed = parseExpression(text, {
      maxNameBytes: field === 'tablespace_expressions' ? MAX_TABLESPACE_BYTES : MAX_NAME_BYTES,
      maxListNames: limits.maxListNames,
      maxBytes: limits.maxExpressionBytes,
    });
    if (!parsed.ok) {
      // The 20 characters around the fault are enough to find it; the rest of the input is never echoed.
      const where = parsed.position <= text.length ? `, near ${near(text, parsed.position)}` : '';
      violations.push(
        unsafe(
          pointer,
          `The ${LABEL[field]} is not accepted at position ${parsed.position}${where}: ${parsed.reason}.`,
        ),
      );
      return;
    }
    // A canonical form can be one character longer than its input (`IN('A')`); the upstream cap must still hold.
    if (serializeExpression(parsed.expression).length > limits.maxExpressionBytes) {
      violations.push(
        unsafe(pointer, `The ${LABEL[field]}'s canonical form would exceed ${limits.maxExpressionBytes} bytes.`),
      );
      return;
    }
    violations.push(...checkScope(field, parsed.expression, pointer, tenant));
    expressions.push(parsed.expression);
  });
  return { expressions, violations };
}

/**
 * Schemas and tablespaces may only be selected by naming them (`IN`, `=`): `!=`, `NOT IN` and `LIKE` are
 * well-formed but select names nobody listed, so they are refused as not granted, for every tenant alike.
 * Object names are free: the schema they live in is pinned by the schema rules.
 */
export function checkScope(
  field: ExpressionField,
  expression: Expression,
  pointer: string,
  tenant: TenantPolicy,
): Violation[] {
  if (field === 'name_expressions') return [];
  const what = field === 'schema_expressions' ? 'schema' : 'tablespace';
  const allowed = field === 'schema_expressions' ? tenant.schemas : tenant.tablespaces;
  const named = namedByEquality(expression);
  if (named.length === 0) {
    return [
      notGranted(
        pointer,
        `A ${what} expression may only name ${what}s with IN (…) or =: ${describe(expression)} would select ${what}s beyond the named ones.`,
      ),
    ];
  }
  if (isWildcard(allowed)) return [];
  const outside = named.filter((name) => !granted(allowed, name));
  if (outside.length === 0) return [];
  const plural = outside.length > 1;
  return [
    notGranted(
      pointer,
      `The ${what}${plural ? 's' : ''} ${someNames(outside)} ${plural ? 'are' : 'is'} not granted to this tenant.`,
    ),
  ];
}

function describe(expression: Expression): string {
  switch (expression.kind) {
    case 'in':
      return expression.negated ? 'NOT IN' : 'IN';
    case 'compare':
      return expression.operator;
    case 'like':
      return expression.negated ? 'NOT LIKE' : 'LIKE';
  }
}
