// Import provenance: a tenant imports only what its own exports produced (own_exports), by prefix, or anything.
import { describe, expect, it } from 'vitest';

import { evaluatePolicy } from '../../../src/gateway/policy/index.js';
import { producedByOwnExport } from '../../../src/gateway/policy/provenance.js';
import { HR_TEAM, TIMESTAMP } from './fixtures.js';

describe('producedByOwnExport', () => {
  const exported = ['HR_20250101120000_K7Q2M9XA0B1C_%U.DMP', 'HR_MANUAL.DMP', 'HR_SET_%L.DMP'];
  it.each([
    ['a file of an exported %U set', 'HR_20250101120000_K7Q2M9XA0B1C_01.DMP', true],
    ['another file of the set', 'HR_20250101120000_K7Q2M9XA0B1C_99.DMP', true],
    ['the whole set, by its pattern', 'HR_20250101120000_K7Q2M9XA0B1C_%U.DMP', true],
    ['the set with a lower-case %u', 'HR_20250101120000_K7Q2M9XA0B1C_%u.DMP', true],
    ['an exported plain name', 'HR_MANUAL.DMP', true],
    ['a %L set past 99', 'HR_SET_1234.DMP', true],
    ['a %U number of three digits', 'HR_20250101120000_K7Q2M9XA0B1C_100.DMP', false],
    ['a %U number of one digit', 'HR_20250101120000_K7Q2M9XA0B1C_1.DMP', false],
    ['another token', 'HR_20250101120000_XXXXXXXXXXXX_01.DMP', false],
    ['the same name in another case', 'hr_manual.dmp', false],
    ['a name the pattern only starts', 'HR_MANUAL.DMP.OLD', false],
    ['a regex look-alike', 'HR_SET_..DMP', false],
    ['nothing exported', 'HR_OTHER.DMP', false],
  ])('%s: %s → %s', (_what, fileName, expected) => {
    expect(producedByOwnExport(fileName, exported)).toBe(expected);
  });
});

describe('the import-provenance rule', () => {
  const importing = (file_name: string, importProvenance: 'own_exports' | 'prefix' | 'any', ownExports?: string[]) =>
    evaluatePolicy({
      tenant: { ...HR_TEAM, importProvenance },
      request: { operation: 'IMPORT', file_name },
      timestamp: TIMESTAMP,
      ...(ownExports ? { ownExports } : {}),
    });

  it('own_exports: imports a dump its own export produced', () => {
    expect(importing('HR_X_01.DMP', 'own_exports', ['HR_X_%U.DMP'])).toMatchObject({ allowed: true });
  });

  it('own_exports: refuses a dump its prefix matches but no export of its produced, 403 at /file_name', () => {
    const decision = importing('HR_PLANTED_01.DMP', 'own_exports', ['HR_X_%U.DMP']);
    expect(decision).toMatchObject({
      allowed: false,
      status: 403,
      violations: [{ pointer: '/file_name', kind: 'not-granted', detail: expect.stringMatching(/own exports/) }],
    });
    expect(importing('HR_PLANTED_01.DMP', 'own_exports')).toMatchObject({ allowed: false, status: 403 });
  });

  it('prefix: imports any dump its prefix matches, and nothing else (the behaviour before own_exports)', () => {
    expect(importing('HR_PLANTED_01.DMP', 'prefix')).toMatchObject({ allowed: true });
    expect(importing('SALES_01.DMP', 'prefix')).toMatchObject({ allowed: false, status: 403 });
  });

  it('any: imports any safe name, whatever its prefix', () => {
    expect(importing('SALES_01.DMP', 'any')).toMatchObject({ allowed: true });
    // Still only safe names: the grant widens whose dumps, not what a name may contain.
    expect(importing('../etc/passwd', 'any')).toMatchObject({ allowed: false, status: 422 });
  });

  it('applies to imports only: an export under own_exports is unaffected', () => {
    const decision = evaluatePolicy({
      tenant: { ...HR_TEAM, importProvenance: 'own_exports' },
      request: { operation: 'EXPORT', file_name: 'HR_NEW_%U.DMP' },
      timestamp: TIMESTAMP,
    });
    expect(decision).toMatchObject({ allowed: true });
  });
});
