// Warnings of a valid config: said at start-up and by check-config, never a refusal.
import { describe, expect, it } from 'vitest';

import { configWarnings } from '../../../src/gateway/config/warnings.js';
import { testConfig, testTenants } from '../../helpers/gateway-config.js';

describe('configWarnings', () => {
  it('warns of a tenant granted directories without a file_prefix, and of nobody else', () => {
    const tenants = testTenants();
    tenants['hr-team'] = { ...tenants['hr-team']!, grants: { ...tenants['hr-team']!.grants, filePrefix: null } };
    const warnings = configWarnings(testConfig({ tenants }));
    expect(warnings).toEqual([
      expect.stringMatching(/^tenants\.hr-team\.grants: directories are granted without a file_prefix/),
    ]);
  });

  it('says nothing of the test tenants (prefixes set; dba-team is an administrator)', () => {
    expect(configWarnings(testConfig())).toEqual([]);
  });
});
