// Property-based checks: the serializer and parser round-trip, and nothing reaches ORDS that the serializer did not write.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  evaluatePolicy,
  type Expression,
  type JobRequest,
  parseExpression,
  serializeExpression,
  type TenantPolicy,
} from '../../../src/gateway/policy/index.js';
import { DBA_TEAM, HR_TEAM, items, osUri, TIMESTAMP } from './fixtures.js';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
const NAME_PART = [...UPPER, ...'0123456789_$#'.split('')];
const chars = (alphabet: string[], maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((a) => a.join(''));

const nameArb = fc.tuple(fc.constantFrom(...UPPER), chars(NAME_PART, 127)).map(([head, tail]) => head + tail);
const patternArb = fc
  .tuple(fc.constantFrom(...UPPER, '%', '_'), chars([...NAME_PART, '%'], 127))
  .map(([head, tail]) => head + tail);
const astArb: fc.Arbitrary<Expression> = fc.oneof(
  fc.record({
    kind: fc.constant('in' as const),
    negated: fc.boolean(),
    names: fc.uniqueArray(nameArb, { minLength: 1, maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant('compare' as const),
    operator: fc.constantFrom('=' as const, '!=' as const),
    name: nameArb,
  }),
  fc.record({ kind: fc.constant('like' as const), negated: fc.boolean(), pattern: patternArb }),
);

/** Everything the serializer can write. */
const CANONICAL_ALPHABET = /^[A-Z0-9_$#%', ()!=]+$/;

/** Each forwarded expression must be a fixed point of parse ∘ serialize: text only the serializer could have produced. */
function expectCanonical(expression: string): void {
  expect(expression).toMatch(CANONICAL_ALPHABET);
  const parsed = parseExpression(expression);
  expect(parsed.ok).toBe(true);
  if (parsed.ok) expect(serializeExpression(parsed.expression)).toBe(expression);
}

describe('round trip', () => {
  it('parse(serialize(ast)) deep-equals ast', () => {
    fc.assert(
      fc.property(astArb, (ast) => {
        const text = serializeExpression(ast);
        expect(text).toMatch(CANONICAL_ALPHABET);
        expect(parseExpression(text)).toEqual({ ok: true, expression: ast });
      }),
      { numRuns: 1000 },
    );
  });
});

// Tokens an attacker would reach for: quotes, parentheses, terminators, comment starters, look-alikes, keywords.
const TOKENS = [
  "'",
  "''",
  '"',
  '(',
  ')',
  ',',
  ';',
  '-',
  '--',
  '/',
  '*',
  '/*',
  '|',
  '||',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '=',
  '!',
  '!=',
  '<',
  '>',
  '<>',
  '%',
  '_',
  '$',
  '#',
  '.',
  '\\',
  'ＩＮ',
  'Ｏ',
  '\u0410',
  '\u041d',
  'é',
  '\u200b',
  '\u00a0',
  'IN',
  'in',
  'NOT',
  'LIKE',
  'like',
  'OR',
  'AND',
  'SELECT',
  'FROM',
  'ESCAPE',
  "q'[",
  ']',
  'N',
  'UTL_HTTP.REQUEST(',
  'DUAL',
  'HR',
  'SALES',
  'hr',
  'EMP',
  'A',
  'Z',
  '1',
  '0',
];
const SEEDS = [
  "IN ('HR')",
  "IN ('HR','SALES')",
  "= 'HR'",
  "!='EMP'",
  "<> 'EMP'",
  "LIKE 'EMP%'",
  "NOT LIKE '%_X'",
  "NOT IN ('A','B')",
  "in('HR')",
  "IN ( 'HR' )",
];
const mutation = fc.record({
  op: fc.constantFrom('insert', 'delete', 'replace'),
  at: fc.nat(),
  token: fc.constantFrom(...TOKENS),
});
const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([seed, ops]) =>
    ops.reduce((text, { op, at, token }) => {
      const i = at % (text.length + 1);
      if (op === 'insert') return text.slice(0, i) + token + text.slice(i);
      if (op === 'delete') return text.slice(0, i) + text.slice(i + 1);
      return text.slice(0, i) + token + text.slice(i + 1);
    }, seed),
  );
const randomText = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 12 }).map((t) => t.join(''));
// Weighted towards small mutations of valid text, so that a fair share is still accepted and the property has teeth.
const attack = fc.oneof(
  { arbitrary: mutated, weight: 6 },
  { arbitrary: fc.constantFrom(...SEEDS), weight: 1 },
  { arbitrary: randomText, weight: 2 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
);

const FIELDS = ['name_expressions', 'schema_expressions', 'tablespace_expressions'] as const;

describe('whatever is allowed is canonical', () => {
  const tenants: [string, TenantPolicy][] = [
    ['dba-team', DBA_TEAM],
    ['hr-team', HR_TEAM],
  ];
  it.each(tenants)(
    'for %s, every forwarded expression is serializer output and never raw client text',
    (_name, tenant) => {
      let allowed = 0;
      const runs = 3000;
      fc.assert(
        fc.property(fc.constantFrom(...FIELDS), attack, (field, raw) => {
          const request = { operation: 'EXPORT', [field]: items(raw) } as unknown as JobRequest;
          const decision = evaluatePolicy({ tenant, request, timestamp: TIMESTAMP });
          if (!decision.allowed) {
            expect(decision.violations.length).toBeGreaterThan(0);
            return;
          }
          allowed += 1;
          const upstream = decision.upstream as unknown as Record<string, { expression: string }[] | undefined>;
          for (const f of FIELDS) for (const { expression } of upstream[f] ?? []) expectCanonical(expression);
          // The client's text reaches ORDS only when it already is its own canonical form.
          const parsed = parseExpression(raw);
          const canonical = parsed.ok ? serializeExpression(parsed.expression) : null;
          if (JSON.stringify(upstream).includes(JSON.stringify(raw).slice(1, -1)) && raw.trim() !== '')
            expect(canonical).toBe(raw);
        }),
        { numRuns: runs },
      );
      // Guard against a vacuous property: a fair share of inputs (seeds, benign mutations) must still be accepted.
      expect(allowed).toBeGreaterThan(runs / 50);
    },
  );

  it('a fixed point: canonicalising twice changes nothing', () => {
    fc.assert(
      fc.property(attack, (text) => {
        const parsed = parseExpression(text);
        if (!parsed.ok) return;
        const once = serializeExpression(parsed.expression);
        expect(parseExpression(once)).toEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('file names and URIs that pass are safe to render', () => {
  const FILE_TOKENS = [
    'HR_',
    'X',
    '.DMP',
    '%U',
    '%',
    "'",
    '"',
    ';',
    '--',
    '-',
    '/',
    '\\',
    '..',
    ' ',
    '\n',
    ')',
    'END',
    'é',
    '_',
    '1',
  ];
  const fileName = fc.array(fc.constantFrom(...FILE_TOKENS), { minLength: 1, maxLength: 10 }).map((t) => t.join(''));
  it('directory-mode names are plain file names', () => {
    fc.assert(
      fc.property(fileName, (file_name) => {
        const decision = evaluatePolicy({
          tenant: HR_TEAM,
          request: { operation: 'EXPORT', file_name },
          timestamp: TIMESTAMP,
        });
        if (!decision.allowed) return;
        expect(decision.upstream.file_name).toMatch(/^HR_[A-Za-z0-9_.%-]*$/);
        expect(decision.upstream.file_name).not.toContain('--');
      }),
      { numRuns: 2000 },
    );
  });

  const URI_TOKENS = [
    '/',
    '..',
    '%2e',
    '%2F',
    '@',
    ':',
    ':443',
    '?',
    '#',
    '\\',
    'evil.test',
    '.',
    'x',
    '%U',
    "'",
    ' ',
    'https://',
    'HR',
  ];
  const uri = fc
    .tuple(
      fc.array(fc.constantFrom(...URI_TOKENS), { maxLength: 4 }),
      fc.nat(),
      fc.constantFrom(osUri('hr-exports', 'HR_%U.DMP')),
    )
    .map(([tokens, at, base]) => {
      const i = at % (base.length + 1);
      return base.slice(0, i) + tokens.join('') + base.slice(i);
    });
  it('object-storage URIs stay on an Oracle host and the granted bucket', () => {
    fc.assert(
      fc.property(uri, (file_name) => {
        const request = { operation: 'EXPORT', credential_name: 'HR_OBJ_CRED', file_name } as const;
        const decision = evaluatePolicy({ tenant: HR_TEAM, request, timestamp: TIMESTAMP });
        if (!decision.allowed) return;
        expect(decision.upstream.file_name).toMatch(
          /^https:\/\/objectstorage\.[a-z0-9-]+\.oraclecloud\.com\/n\/acme\/b\/hr-exports\/o\/[A-Za-z0-9._\-/%]+$/,
        );
        expect(decision.upstream.file_name).not.toMatch(/\.\.|%(?![UuL])/);
      }),
      { numRuns: 2000 },
    );
  });
});
