// The PromQL name reader the dashboard and alert checks rest on: it must find every metric an expression selects
// and nothing else (functions, keywords, labels, strings, ranges, numbers, Grafana variables).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { metricNames, parseMetricsPage } from './promql-names.js';

describe('metricNames', () => {
  it.each([
    ['up', ['up']],
    ['sum by (route) (rate(a_total{status=~"5..",route!="x"}[$__rate_interval]))', ['a_total']],
    ['histogram_quantile(0.95, sum by (le, database) (rate(b_bucket[5m]))) > 5', ['b_bucket']],
    ['sum(rate(a_total{s="5xx"}[5m])) / sum(rate(a_total[5m])) > 0.05', ['a_total']],
    ['max by (d) (x{state="open"}) * 2 + max by (d) (x{state="half_open"})', ['x']],
    ['a:rule:rate5m offset 1h and on (instance) b unless ignoring (job) c', ['a:rule:rate5m', 'b', 'c']],
    ['rate(process_cpu_seconds_total[${__rate_interval}]) * 1e3', ['process_cpu_seconds_total']],
    ['label_replace(m, "dst", "$1", "src", "(.*)")', ['m']],
    ['sum without (instance) (m) > bool 1', ['m']],
    ['avg_over_time(m[10m:1m])', ['m']],
  ])('%s → %j', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });

  it('finds any metric name however it is wrapped', () => {
    const name = fc
      .stringMatching(/^[a-z_][a-z0-9_]{0,20}$/)
      .filter(
        (n) =>
          ![
            'by',
            'on',
            'or',
            'and',
            'bool',
            'unless',
            'offset',
            'without',
            'ignoring',
            'group_left',
            'group_right',
            'inf',
            'nan',
            'atan2',
          ].includes(n),
      );
    fc.assert(
      fc.property(
        name,
        fc.constantFrom('%', 'rate(%[5m])', 'sum by (x) (%{a="b{c}"})', 'histogram_quantile(0.9, %)'),
        (n, shape) => {
          expect(metricNames(shape.replace('%', n))).toEqual([n]);
        },
      ),
    );
  });
});

describe('parseMetricsPage', () => {
  const page = parseMetricsPage(
    [
      '# HELP h A histogram.',
      '# TYPE h histogram',
      'h_bucket{le="+Inf",route="/a/{b}/c"} 3',
      'h_sum{route="/a/{b}/c"} 1.5',
      'h_count{route="/a/{b}/c"} 3',
      '# TYPE c_total counter',
      'c_total{a="x \\"q\\"",b="y"} 7',
      '# TYPE g gauge',
      'g 0',
      '# TYPE empty counter',
    ].join('\n'),
  );

  it('maps histogram series to their family and reads exact label sets (braces inside values too)', () => {
    expect(page.families()).toEqual(['h', 'c_total', 'g', 'empty']);
    expect(['h_bucket', 'h_sum', 'h_count', 'h', 'c_total', 'c_total_count', 'nope'].map(page.familyOf)).toEqual([
      'h',
      'h',
      'h',
      'h',
      'c_total',
      undefined,
      undefined,
    ]);
    expect(page.value('h_count', { route: '/a/{b}/c' })).toBe(3);
    expect(page.value('c_total', { a: 'x "q"', b: 'y' })).toBe(7);
    expect(page.value('c_total', { a: 'x "q"' })).toBeUndefined();
    expect(page.value('g', {})).toBe(0);
    expect(page.hasSample('h')).toBe(true);
    expect(page.hasSample('empty')).toBe(false);
  });
});
