/**
 * @module Ablation: what each part of the gateway's pipeline costs per request, measured by switching it off.
 *
 * Starts one gateway per variant, either with a config change (log level, store) or with one package swapped for a
 * pass-through by the module hooks in this folder. Then it runs the same load against every variant in
 * interleaved rounds and prints CPU µs per request. Nothing in src/ is touched. This is an experiment for estimating
 * the gain of a change, not part of `bench/run.ts`.
 *
 *   node --import tsx bench/ablation/ablate.ts [get|post] [rounds] [variant,variant…]
 */
import { cpuMsOf, type Service, startService, stopAll } from '../lib/children.js';
import { gatewayConfig, keyOf, writeYaml } from '../lib/configs.js';
import { createJob } from '../lib/http.js';
import { Lab, type Settings, standardTenants } from '../lib/lab.js';
import { type LoadSpec, median, runLoad } from '../lib/load.js';

interface Variant {
  readonly name: string;
  readonly level?: string;
  readonly memoryStore?: boolean;
  readonly stub?: string;
}

const VARIANTS: readonly Variant[] = [
  { name: 'baseline' },
  { name: 'log_level warn', level: 'warn' },
  { name: 'no pino-http', stub: 'pino-http' },
  { name: 'store memory', memoryStore: true },
  { name: 'no helmet', stub: 'helmet' },
  { name: 'no openapi validator', stub: 'express-openapi-validator' },
  { name: 'no rate limiter', stub: 'express-rate-limit' },
  {
    name: 'all off',
    level: 'warn',
    memoryStore: true,
    stub: 'pino-http,helmet,express-openapi-validator,express-rate-limit',
  },
];

const HR_BODY = JSON.stringify({ operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] });

const mode = process.argv[2] === 'post' ? 'post' : 'get';
const rounds = Number(process.argv[3] ?? 3);
const only = process.argv[4]?.split(',');
const variants = VARIANTS.filter((v) => !only || only.includes(v.name));
const settings: Settings = {
  quick: false,
  rounds,
  warmupS: 1,
  durationS: 3,
  connections: 32,
  logBytes: 1024,
  downloadRounds: 1,
  scaleTenants: 3,
  startupRounds: 1,
  listJobs: 0,
  ordsManyJobs: 0,
  ordsFewJobs: 0,
  inListNames: 1,
  stormJobs: 0,
  stormS: 0,
  stormClients: 0,
  longPollJobs: 0,
  profile: false,
};
const lab = new Lab(settings, (line) => process.stdout.write(`${line}\n`));
let failed = false;
try {
  const emu = await lab.emulator();
  const gateways: Array<{ variant: Variant; service: Service; jobPath: string; rps: number[]; cpu: number[] }> = [];
  for (const [i, variant] of variants.entries()) {
    const config = gatewayConfig({
      ordsUrl: emu.ordsUrl,
      store: { kind: 'sqlite', path: lab.file(`ablate-${i}.db`) },
      tenants: standardTenants(),
    });
    if (variant.level) config.log_level = variant.level;
    if (variant.memoryStore) config.store = { memory: true };
    const path = lab.file(`ablate-${i}.yaml`);
    writeYaml(path, config);
    const service = await startService({
      name: variant.name,
      args: [
        '--import',
        'tsx',
        '--import',
        './bench/ablation/register.mjs',
        'src/cli/datapump-gateway.ts',
        'serve',
        '--config',
        path,
      ],
      env: lab.gatewayEnv({ BENCH_STUB: variant.stub ?? '' }),
      logFile: lab.file(`ablate-${i}.log`),
      ready: /datapump-gateway listening on (\S+)/,
    });
    const job = await createJob(service.url, keyOf('hr-team'), HR_BODY);
    gateways.push({
      variant,
      service,
      jobPath: `/databases/orcl/datapump/jobs/${job.owner},${job.job}/`,
      rps: [],
      cpu: [],
    });
  }
  let tenant = 0;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < gateways.length; k++) {
      const g = gateways[(k + r) % gateways.length]!;
      const spec: LoadSpec =
        mode === 'get'
          ? {
              url: `${g.service.url}${g.jobPath}`,
              headers: { 'x-api-key': keyOf('hr-team') },
              expectStatus: 200,
              connections: 32,
            }
          : {
              url: `${g.service.url}/databases/orcl/datapump/jobs/`,
              method: 'POST',
              body: HR_BODY,
              uniqueHeader: 'idempotency-key',
              expectStatus: 201,
              connections: 32,
              headers: { 'x-api-key': keyOf(`post-${String((tenant++ % 24) + 1).padStart(2, '0')}`) },
            };
      await runLoad(spec, 1);
      const before = cpuMsOf(g.service.pid);
      const run = await runLoad(spec, 3);
      const cpuUs = ((cpuMsOf(g.service.pid) - before) * 1000) / Math.max(1, run.count);
      g.rps.push(run.rps);
      g.cpu.push(cpuUs);
      process.stdout.write(
        `round ${r + 1}/${rounds} · ${g.variant.name}: ${run.rps.toFixed(0)} req/s, ${cpuUs.toFixed(0)} µs CPU/req${run.errors ? `, ${run.errors} errors` : ''}\n`,
      );
    }
  }
  const base = median(gateways[0]!.cpu);
  process.stdout.write(
    `\n| ${mode.toUpperCase()} variant | req/s | CPU µs/req | saved vs ${gateways[0]!.variant.name} |\n|---|--:|--:|--:|\n`,
  );
  for (const g of gateways) {
    const cpu = median(g.cpu);
    process.stdout.write(
      `| ${g.variant.name} | ${median(g.rps).toFixed(0)} | ${cpu.toFixed(0)} | ${(base - cpu).toFixed(0)} µs (${((1 - cpu / base) * 100).toFixed(0)} %) |\n`,
    );
  }
} catch (err) {
  failed = true;
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
} finally {
  await stopAll();
  await lab.cleanup({ keepTmp: failed });
}
process.exit(failed ? 1 : 0);
