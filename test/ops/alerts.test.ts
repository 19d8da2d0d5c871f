// The shipped Prometheus alert rules and Grafana dashboard as files: each rule is annotated and points at its
// README runbook entry; with promtool on PATH, the rules pass `promtool check rules`, their unit tests
// (ops/prometheus/alerts.test.yaml) pass `promtool test rules`, and every dashboard expression parses as PromQL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES = join(ROOT, 'ops/prometheus/alerts.yaml');
const RULE_TESTS = join(ROOT, 'ops/prometheus/alerts.test.yaml');
const DASHBOARD = join(ROOT, 'ops/grafana/datapump-gateway.json');

const PROMTOOL = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const WITH_PROMTOOL = PROMTOOL ? '' : ' [skipped: promtool is not on PATH (Debian: apt-get install prometheus)]';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = () => (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups[0]!.rules;

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { encoding: 'utf8', cwd: ROOT });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the alert rules', () => {
  it.each(rules().map((r) => [r.alert, r] as const))(
    '%s has a severity, a summary, a description and a runbook entry in the README',
    (name, rule) => {
      expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.length).toBeGreaterThan(10);
      expect(rule.annotations?.description?.length).toBeGreaterThan(20);
      const runbook = rule.annotations?.runbook ?? '';
      expect(runbook).toMatch(/^README\.md › Operations › Dashboard and alerts › \w+$/);
      const entry = runbook.split(' › ').at(-1)!;
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('### Dashboard and alerts'));
      expect(readme).toContain('### Dashboard and alerts');
      expect(section.slice(0, section.indexOf('\n## '))).toContain(`\`${entry}\``);
      expect(name).toMatch(/^DatapumpGateway[A-Z]\w+$/);
    },
  );

  it(`pass promtool check rules${WITH_PROMTOOL}`, { skip: !PROMTOOL }, () => {
    const run = promtool('check', 'rules', RULES);
    expect(run.output).toContain(`SUCCESS: ${rules().length} rules found`);
    expect(run.status, run.output).toBe(0);
  });

  it(`pass their unit tests (promtool test rules)${WITH_PROMTOOL}`, { skip: !PROMTOOL }, () => {
    const run = promtool('test', 'rules', RULE_TESTS);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS');
  });

  it(`a broken unit test fails promtool test rules (the check has teeth)${WITH_PROMTOOL}`, { skip: !PROMTOOL }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpg-alerts-'));
    try {
      writeFileSync(join(dir, 'alerts.yaml'), readFileSync(RULES));
      // The breaker opened at 2m: claiming the alert fires 30 s later ignores its `for: 1m`.
      const broken = readFileSync(RULE_TESTS, 'utf8').replace('eval_time: 3m15s', 'eval_time: 2m30s');
      writeFileSync(join(dir, 'alerts.test.yaml'), broken);
      const run = promtool('test', 'rules', join(dir, 'alerts.test.yaml'));
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/FAILED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    __inputs: Array<{ name: string; pluginId: string }>;
    panels: Array<{ title: string; type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
  };
  const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  it('takes its Prometheus as the DS_PROMETHEUS input, in every panel', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row'))
      expect(panel.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
  });

  it(`has only expressions that parse as PromQL${WITH_PROMTOOL}`, { skip: !PROMTOOL }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpg-dashboard-'));
    try {
      // Each panel query as a recording rule, Grafana's $__rate_interval as a plain range.
      const asRules = {
        groups: [
          {
            name: 'dashboard',
            rules: targets.map((t, i) => ({
              record: `dashboard:query_${i}`,
              expr: t.expr.replaceAll('$__rate_interval', '5m'),
            })),
          },
        ],
      };
      writeFileSync(join(dir, 'queries.yaml'), stringify(asRules));
      const run = promtool('check', 'rules', join(dir, 'queries.yaml'));
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain(`SUCCESS: ${targets.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
