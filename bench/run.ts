/**
 * @module The gateway's benchmark (`make bench`): the compiled emulator, references (bare proxy, Express floor,
 * nginx) and gateways (dist/, as production runs them) on free ports, autocannon load in interleaved rounds, one
 * table of req/s, p50, p99, CPU per request and ratios with the goals beside them. This runner stays on tsx.
 *
 *   make bench                                        build, then the full run (< 12 min on 2 cores) → bench/results/latest.json
 *   make bench ARGS=--quick                           tiny durations (smoke test, < 60 s) → bench/results/quick.json
 *   node --import tsx bench/run.ts --only get-job,post   (after `make build` and `npx tsc -p bench/tsconfig.build.json`)
 *   node --import tsx bench/run.ts --only get-job --profile   the gateways run with --cpu-prof; top frames printed
 *
 * Goals are shown, never enforced: the exit code is 0 unless the benchmark itself failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { killAllNow } from './lib/children.js';
import { checkBuild, Lab, RESULTS_DIR, type Settings } from './lib/lab.js';
import { formatMarkdown, formatTable, machine, type Row } from './lib/report.js';
import { SCENARIOS } from './lib/scenarios.js';

/** The scenarios with an nginx reference row. */
const NGINX_SCENARIOS = new Set(['get-job', 'get-304', 'post', 'list']);

const USAGE = `usage: node --import tsx bench/run.ts [--quick] [--only <id>[,<id>…]] [--profile] [--out <file.json>]
scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}`;

interface Args {
  quick: boolean;
  only: string[];
  profile: boolean;
  out: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, only: [], profile: false, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--quick') args.quick = true;
    else if (a === '--profile') args.profile = true;
    else if (a === '--only')
      args.only.push(
        ...value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (a.startsWith('--only='))
      args.only.push(
        ...a
          .slice(7)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (a === '--out') args.out = value();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  const unknown = args.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
  return args;
}

function settingsFor(args: Args): Settings {
  return args.quick
    ? {
        quick: true,
        rounds: 1,
        warmupS: 0.2,
        durationS: 0.5,
        connections: 16,
        logBytes: 64 * 2 ** 20,
        downloadRounds: 1,
        scaleTenants: 1_000,
        startupRounds: 1,
        // Fewer than the full run's 1,000: creating them through the gateway would take a sixth of the minute.
        listJobs: 200,
        ordsManyJobs: 10_000,
        ordsFewJobs: 100,
        inListNames: 1_000,
        stormJobs: 20,
        stormS: 2,
        stormClients: 200,
        longPollJobs: 2,
        profile: args.profile,
      }
    : {
        quick: false,
        rounds: 3,
        warmupS: 1,
        durationS: 3,
        connections: 32,
        logBytes: 2 ** 30,
        downloadRounds: 2,
        scaleTenants: 10_000,
        startupRounds: 3,
        listJobs: 1_000,
        ordsManyJobs: 10_000,
        ordsFewJobs: 100,
        inListNames: 1_000,
        stormJobs: 20,
        stormS: 20,
        stormClients: 200,
        longPollJobs: 5,
        profile: args.profile,
      };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const settings = settingsFor(args);
  let stale: string[];
  try {
    stale = checkBuild();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const began = performance.now();
  const elapsed = () => `${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s`;
  const log = (line: string) => process.stdout.write(`[${elapsed()}] ${line}\n`);
  const lab = new Lab(settings, log);
  const scenarios = args.only.length > 0 ? SCENARIOS.filter((s) => args.only.includes(s.id)) : SCENARIOS;
  const host = machine();
  log(
    `datapump-gateway benchmark${settings.quick ? ' (quick)' : ''}: ${scenarios.map((s) => s.id).join(', ')} — ${host.nproc} CPUs, ${host.memoryGiB} GiB, node ${host.node}`,
  );
  if (stale.length > 0)
    log(
      `warning: dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}): \`make bench\` builds first`,
    );
  if (!lab.freshMsSupported)
    log("note: the compiled gateway's schema has no watch.fresh_ms yet: its gateways run without it (rows say so)");
  // nginx is found (or installed) before the deadline starts: an apt-get install is not part of any measurement.
  if (scenarios.some((s) => NGINX_SCENARIOS.has(s.id))) lab.prepareNginx();

  // Bounded as a whole: past the deadline everything is stopped and the run fails. The full run takes 7.5–8.5 min on
  // 2 busy cores. --quick aims at under a minute; the margin keeps the smoke test from failing on a busy machine.
  const deadlineMs = settings.quick ? 90_000 : 700_000;
  let cleaning: Promise<void> | undefined;
  const cleanup = (keepTmp: boolean) => (cleaning ??= lab.cleanup({ keepTmp }));
  const abort = (why: string, code: number) => {
    log(`${why}: stopping every process`);
    void cleanup(true).finally(() => process.exit(code));
    setTimeout(() => {
      killAllNow();
      process.exit(code);
    }, 20_000).unref();
  };
  const deadline = setTimeout(() => abort(`deadline of ${deadlineMs / 1000} s passed`, 1), deadlineMs);
  deadline.unref();
  process.once('SIGINT', () => abort('SIGINT', 130));
  process.once('SIGTERM', () => abort('SIGTERM', 143));
  process.once('exit', killAllNow);

  const rows: Row[] = [];
  const failures: Array<{ scenario: string; error: string }> = [];
  let profiles: string[];
  try {
    if (settings.quick) {
      // Every scenario's processes at once: start-ups are most of a quick run, and its figures are only a smoke test.
      // A process that fails to start fails its scenario below (the lab hands out the same failed start).
      log('starting every scenario’s processes at once (--quick)');
      await Promise.allSettled(scenarios.map((s) => s.prepare?.(lab) ?? Promise.resolve()));
    }
    for (const scenario of scenarios) {
      log(`▶ ${scenario.id}: ${scenario.title}`);
      try {
        rows.push(...(await scenario.run(lab)));
      } catch (err) {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        failures.push({ scenario: scenario.id, error: message });
        log(`✗ ${scenario.id} failed: ${message}`);
        rows.push({ scenario: scenario.title, target: 'FAILED', other: (err as Error).message.split('\n')[0] ?? '' });
      }
    }
  } finally {
    clearTimeout(deadline);
    await cleanup(failures.length > 0);
    profiles = lab.reportProfiles();
  }

  const table = formatTable(rows);
  process.stdout.write(`\n${table}\n`);
  const goals = rows.filter((r) => r.goal);
  if (goals.length > 0) {
    process.stdout.write(
      `\nGoals: ${goals.filter((r) => r.goal!.met).length} of ${goals.length} met` +
        `${
          goals.some((r) => !r.goal!.met)
            ? ` — missed: ${goals
                .filter((r) => !r.goal!.met)
                .map((r) => `${r.scenario} / ${r.target}`)
                .join('; ')}`
            : ''
        }\n`,
    );
  }
  for (const p of profiles) process.stdout.write(`\n${p}\n`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const out = args.out ?? join(RESULTS_DIR, settings.quick ? 'quick.json' : 'latest.json');
  const result = {
    machine: host,
    settings,
    scenarios: scenarios.map((s) => s.id),
    seconds: Math.round((performance.now() - began) / 1000),
    rows,
    failures,
    profiles,
  };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, '.md'), `${formatMarkdown(rows)}\n`);
  log(
    `results written to ${out} (and .md); ${failures.length === 0 ? 'done' : `${failures.length} scenario(s) failed`}`,
  );
  return failures.length === 0 ? 0 : 1;
}

// Explicit: idle keep-alive sockets of the setup client must not hold the process up.
process.exit(await main());
