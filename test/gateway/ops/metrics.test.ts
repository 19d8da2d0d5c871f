// The registry's Node process metrics: prom-client's defaults under their standard, unprefixed names (stock Node
// dashboards query them), on each app's own registry, read at scrape time without a timer of their own.
import { describe, expect, it } from 'vitest';

import { createMetrics } from '../../../src/gateway/ops/metrics.js';
import { parseMetricsPage } from '../../ops/promql-names.js';

const STANDARD = [
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_handles_total',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_version_info',
  'nodejs_gc_duration_seconds',
];

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('default process metrics', () => {
  it('are on the registry under their standard names, with no datapump_gateway_ prefix', async () => {
    const page = parseMetricsPage(await createMetrics().registry.metrics());
    for (const name of STANDARD) expect(page.familyOf(name), name).toBe(name);
    expect(page.families().filter((f) => /^datapump_gateway_(process|nodejs)_/.test(f))).toEqual([]);
    expect(page.value('process_resident_memory_bytes', {})).toBeGreaterThan(0);
  });

  it('live on each app registry apart: two in one process neither clash nor share, and start no timer', async () => {
    const before = timers();
    const a = createMetrics();
    const b = createMetrics();
    const [textA, textB] = await Promise.all([a.registry.metrics(), b.registry.metrics()]);
    for (const text of [textA, textB])
      expect(parseMetricsPage(text).familyOf('process_cpu_seconds_total')).toBeDefined();
    a.requests.inc({ route: 'r', method: 'GET', status: '200', tenant: 'none' });
    expect(await b.registry.metrics()).not.toMatch(/datapump_gateway_requests_total\{/);
    expect(timers()).toBe(before);
  });

  it('are left out when asked (the test gateways)', async () => {
    const page = parseMetricsPage(await createMetrics({ defaultMetrics: false }).registry.metrics());
    expect(page.families().filter((f) => /^(process|nodejs)_/.test(f))).toEqual([]);
    expect(page.familyOf('datapump_gateway_requests_total')).toBeDefined();
  });
});
