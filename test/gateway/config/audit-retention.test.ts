// store.audit_retention_days: the audit trail's own retention — its default, its bounds, and what it maps to.
import { describe, expect, it } from 'vitest';

import { ConfigError } from '../../../src/gateway/config/errors.js';
import { parseConfig } from '../../../src/gateway/config/load.js';
import { ENV, minimalConfig, setAt, toYaml } from './fixtures.js';

const DAY = 86_400_000;

function load(store: Record<string, unknown>) {
  const config = minimalConfig();
  setAt(config, 'store', { memory: true, ...store });
  return parseConfig(toYaml(config), ENV);
}

describe('store.audit_retention_days', () => {
  it.each([
    ['unset: 400 days', {}, 400],
    ['unset, retention_days larger: retention_days (an upgrade never shortens it)', { retention_days: 1000 }, 1000],
    ['unset, retention_days smaller: 400', { retention_days: 7 }, 400],
    ['set: as set', { audit_retention_days: 2555 }, 2555],
    ['set shorter than retention_days: as set', { retention_days: 90, audit_retention_days: 30 }, 30],
    ['the least', { audit_retention_days: 1 }, 1],
    ['the most', { audit_retention_days: 36500 }, 36500],
  ])('%s', (_name, store, days) => {
    const config = load(store);
    expect(config.store.auditRetentionMs).toBe(days * DAY);
  });

  it('leaves the job retention as it was', () => {
    expect(load({ retention_days: 30, audit_retention_days: 400 }).store.retentionMs).toBe(30 * DAY);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['past the most', 36501],
    ['a fraction', 1.5],
    ['a string', 'forever'],
    ['null', null],
  ])('refuses %s, naming the field', (_name, value) => {
    let error: unknown;
    try {
      load({ audit_retention_days: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^store\.audit_retention_days: /);
  });
});
