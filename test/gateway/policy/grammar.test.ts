// The expression grammar on its own: canonical forms, the position and reason of each refusal, and what details may quote.
import { describe, expect, it } from 'vitest';

import {
  evaluatePolicy,
  type Expression,
  type JobRequest,
  parseExpression,
  parseLegacyFilter,
  serializeExpression,
} from '../../../src/gateway/policy/index.js';
import { DBA_TEAM, HR_TEAM, items, TIMESTAMP } from './fixtures.js';

describe('serializeExpression', () => {
  const cases: [Expression, string][] = [
    [{ kind: 'in', negated: false, names: ['HR', 'SALES'] }, "IN ('HR','SALES')"],
    [{ kind: 'in', negated: true, names: ['HR'] }, "NOT IN ('HR')"],
    [{ kind: 'compare', operator: '=', name: 'HR' }, "= 'HR'"],
    [{ kind: 'compare', operator: '!=', name: 'HR' }, "!= 'HR'"],
    [{ kind: 'like', negated: false, pattern: 'EMP%' }, "LIKE 'EMP%'"],
    [{ kind: 'like', negated: true, pattern: 'EMP%' }, "NOT LIKE 'EMP%'"],
  ];
  it.each(cases)('writes %j as %s, which parses back to the same tree', (ast, text) => {
    expect(serializeExpression(ast)).toBe(text);
    expect(parseExpression(text)).toEqual({ ok: true, expression: ast });
  });
});

describe('parseExpression refusals name the position', () => {
  const cases: [input: string, position: number, reason: RegExp][] = [
    ["IN ('HR') OR 1=1", 11, /boolean/],
    ["= UTL_HTTP.REQUEST('http://x/')", 3, /function call/],
    ['IN (SELECT username FROM dba_users)', 5, /sub-quer/],
    ["= 'HR' -- x", 8, /comment/],
    ["= 'HR' /* x */", 8, /comment/],
    ["= 'HR';", 7, /terminator/],
    ["= 'H'||'R'", 6, /concatenation/],
    ["= q'[HR]'", 3, /alternative quoting/],
    ["= 'A''B'", 6, /quotes inside/],
    ["IN ('HR',)", 10, /trailing comma/],
    ['IN ()', 5, /empty/],
    ["IN ('hr')", 6, /lowercase/],
    ["ＩＮ ('HR')", 1, /non-ASCII/],
    ["IN\t('HR')", 3, /tab/],
    ['= "HR"', 3, /double-quoted/],
    ["LIKE 'A%' ESCAPE '\\'", 11, /ESCAPE/],
    ["= 'HR", 3, /not closed/],
    ["= 'A%'", 5, /LIKE patterns/],
    ['', 1, /empty/],
  ];
  it.each(cases)('%j at %i', (input, position, reason) => {
    const result = parseExpression(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.position).toBe(position);
    expect(result.reason).toMatch(reason);
  });

  it('refuses the 1,001st name at its own position', () => {
    const list = Array.from({ length: 1001 }, (_, i) => `'N${i}'`).join(',');
    const result = parseExpression(`IN (${list})`);
    expect(result).toMatchObject({
      ok: false,
      position: `IN (${list}`.lastIndexOf("'N1000'") + 1,
      reason: expect.stringMatching(/at most 1000/),
    });
  });

  it('refuses an expression over the size cap before reading it', () => {
    expect(parseExpression(`= '${'A'.repeat(70000)}'`)).toMatchObject({ ok: false, position: 65537 });
  });
});

describe('parseLegacyFilter', () => {
  it('turns a name list into IN, keeping order and dropping duplicates', () => {
    expect(parseLegacyFilter('HR, SALES ,HR', 1000)).toEqual({
      ok: true,
      expression: { kind: 'in', negated: false, names: ['HR', 'SALES'] },
    });
  });
  it.each([
    ['HR,,SALES', 4],
    ['HR OR 1=1', 4],
    [',HR', 1],
    ['hr', 1],
    ['1HR', 1],
  ])('refuses %j at %i', (text, position) => {
    expect(parseLegacyFilter(text, 1000)).toMatchObject({ ok: false, position });
  });
});

describe('violation details', () => {
  const refusal = (request: Record<string, unknown>, tenant = HR_TEAM) => {
    const decision = evaluatePolicy({ tenant, request: request as unknown as JobRequest, timestamp: TIMESTAMP });
    if (decision.allowed) throw new Error('expected a refusal');
    return decision;
  };

  it('name the 1-based position and quote at most a short excerpt', () => {
    const [violation] = refusal({ operation: 'EXPORT', schema_expressions: items("IN ('HR') OR 1=1") }).violations;
    expect(violation?.detail).toMatch(/position 11\b/);
    expect(violation?.detail).toContain('OR 1=1');
  });

  it('never echo a long attack back', () => {
    const payload = `= 'HR' OR 1=(SELECT ${'X'.repeat(60000)} FROM dual)`;
    const decision = refusal({ operation: 'EXPORT', name_expressions: items(payload) });
    for (const v of decision.violations) {
      expect(v.detail.length).toBeLessThan(200);
      expect(v.detail).not.toContain('X'.repeat(21));
    }
  });

  it('never carry control characters or the non-ASCII text of the input', () => {
    const decision = refusal({
      operation: 'EXPORT',
      file_name: "HR_X.DMP');\nHOST rm -rf /\n--",
      name_expressions: items("= 'ＨＲ'"),
    });
    for (const v of decision.violations) expect(v.detail).toMatch(/^[\x20-\x7e…]+$/);
  });

  it('explain why != on schemas is refused, as not granted', () => {
    const decision = refusal({ operation: 'EXPORT', schema_expressions: items("!= 'HR'") }, DBA_TEAM);
    expect(decision).toMatchObject({
      status: 403,
      violations: [{ kind: 'not-granted', detail: expect.stringMatching(/IN \(…\) or =/) }],
    });
  });
});
