// StateStore contract, provenance: what each tenant's exports produced, found by literal prefix, purged by age.
import { describe, expect, it } from 'vitest';

import type { StateStore } from '../../../src/gateway/store/types.js';
import { at } from './fixtures.js';

export function provenanceCases(current: () => StateStore): void {
  describe('provenance', () => {
    it('finds the names whose literal start begins the file name, only the tenant\u2019s own', async () => {
      const { provenance } = current();
      await provenance.record({ tenant: 'hr-team', database: 'orcl', name: 'HR_20250101_K7Q2_%U.DMP', at: at(1) });
      await provenance.record({ tenant: 'hr-team', database: 'orcl', name: 'HR_OTHER_01.DMP', at: at(1) });
      await provenance.record({ tenant: 'sales-team', database: 'orcl', name: 'HR_20250101_K7Q2_%U.DMP', at: at(1) });
      expect(await provenance.candidates('hr-team', 'HR_20250101_K7Q2_03.DMP')).toEqual(['HR_20250101_K7Q2_%U.DMP']);
      expect(await provenance.candidates('hr-team', 'HR_OTHER_01.DMP')).toEqual(['HR_OTHER_01.DMP']);
      expect(await provenance.candidates('hr-team', 'HR_2025')).toEqual([]);
      expect(await provenance.candidates('finance', 'HR_20250101_K7Q2_03.DMP')).toEqual([]);
    });

    it('keeps the first record of a name, and treats LIKE wildcards in a name as plain characters', async () => {
      const { provenance } = current();
      await provenance.record({ tenant: 'hr-team', database: 'orcl', name: 'HR_A%U.DMP', at: at(1) });
      await provenance.record({ tenant: 'hr-team', database: 'test', name: 'HR_A%U.DMP', at: at(9) });
      // '_' would be a wildcard in SQL LIKE: 'HRXA01.DMP' must not match the prefix 'HR_A'.
      expect(await provenance.candidates('hr-team', 'HRXA01.DMP')).toEqual([]);
      expect(await provenance.purgeOlderThan(at(5))).toBe(1);
      expect(await provenance.candidates('hr-team', 'HR_A01.DMP')).toEqual([]);
    });

    it('forgets names older than the cutoff and keeps newer ones', async () => {
      const { provenance } = current();
      await provenance.record({ tenant: 'hr-team', database: 'orcl', name: 'HR_OLD_%U.DMP', at: at(1) });
      await provenance.record({ tenant: 'hr-team', database: 'orcl', name: 'HR_NEW_%U.DMP', at: at(10) });
      expect(await provenance.purgeOlderThan(at(5))).toBe(1);
      expect(await provenance.candidates('hr-team', 'HR_OLD_01.DMP')).toEqual([]);
      expect(await provenance.candidates('hr-team', 'HR_NEW_01.DMP')).toEqual(['HR_NEW_%U.DMP']);
    });
  });
}
