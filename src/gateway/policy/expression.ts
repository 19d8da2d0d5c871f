/** @module The filter-expression syntax tree and its canonical serialisation: the only expression text ORDS ever sees. */

/**
 * A parsed `*_expressions` clause. Names and patterns are already checked against the grammar, so the
 * serializer can quote them without escaping: they can hold no quote.
 */
export type Expression =
  | { readonly kind: 'in'; readonly negated: boolean; readonly names: readonly string[] }
  | { readonly kind: 'compare'; readonly operator: '=' | '!='; readonly name: string }
  | { readonly kind: 'like'; readonly negated: boolean; readonly pattern: string };

const literal = (text: string): string => `'${text}'`;

/** `IN ('HR','SALES')`, `NOT IN ('HR')`, `= 'HR'`, `!= 'HR'`, `LIKE 'EMP%'`, `NOT LIKE 'EMP%'`. */
export function serializeExpression(expression: Expression): string {
  switch (expression.kind) {
    case 'in':
      return `${expression.negated ? 'NOT ' : ''}IN (${expression.names.map(literal).join(',')})`;
    case 'compare':
      return `${expression.operator} ${literal(expression.name)}`;
    case 'like':
      return `${expression.negated ? 'NOT ' : ''}LIKE ${literal(expression.pattern)}`;
  }
}

/** The names an expression selects by equality (`IN`, `=`); empty for the forms that select by exclusion or pattern. */
export function namedByEquality(expression: Expression): readonly string[] {
  if (expression.kind === 'in' && !expression.negated) return expression.names;
  if (expression.kind === 'compare' && expression.operator === '=') return [expression.name];
  return [];
}
