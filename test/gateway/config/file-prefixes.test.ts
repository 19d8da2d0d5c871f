// Overlapping file prefixes: the sorted pass must find exactly what comparing every pair of tenants finds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { type PrefixOverlap, prefixOverlaps, type TenantPrefix } from '../../../src/gateway/config/file-prefixes.js';

/** The rule read literally: for each tenant, the shortest other prefix it begins with, the first tenant listed. */
function naive(prefixes: readonly TenantPrefix[]): PrefixOverlap[] {
  const found: PrefixOverlap[] = [];
  for (const tenant of prefixes) {
    let best: TenantPrefix | undefined;
    for (const other of prefixes) {
      if (other === tenant || other.prefix === '' || !tenant.prefix.startsWith(other.prefix)) continue;
      if (best === undefined || other.prefix.length < best.prefix.length) best = other;
    }
    if (best) found.push({ tenant, other: best });
  }
  return found;
}

/** Tenants with prefixes over a small alphabet, so that one begins another often. */
const tenants = fc
  .array(fc.string({ unit: fc.constantFrom('A', 'B', '_', 'é'), maxLength: 5 }), { maxLength: 12 })
  .map((prefixes) => prefixes.map((prefix, i) => ({ id: `t${i}`, prefix })));

describe('prefixOverlaps', () => {
  it('agrees with comparing every pair of tenants, on random prefix sets', () => {
    fc.assert(
      fc.property(tenants, (list) => {
        expect(prefixOverlaps(list)).toEqual(naive(list));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds nothing among 10,000 tenants whose prefixes end in _, and finds the one added that begins another', () => {
    const list = Array.from({ length: 10_000 }, (_, i) => ({ id: `t${i}`, prefix: `HR_T${i}_` }));
    expect(prefixOverlaps(list)).toEqual([]);
    const withShort = [...list, { id: 'short', prefix: 'HR_T12' }];
    const begun = list.filter((t) => t.prefix.startsWith('HR_T12')).map((t) => t.id); // t12, t120…t129, t1200…t1299
    expect(begun).toHaveLength(111);
    expect(prefixOverlaps(withShort).map((o) => [o.tenant.id, o.other.id])).toEqual(begun.map((id) => [id, 'short']));
  });
});
