/**
 * @module The processes a benchmark run needs (emulators, bare proxy, Express floor, nginx, gateways), started on
 * first use from the compiled output (dist/, as production runs) and all torn down at the end.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { Redis } from 'ioredis';
import pg from 'pg';

import { formatSummary, summariseFile } from '../profile.js';
import { ROOT, type Service, startService, stopAll } from './children.js';
import {
  gatewayConfig,
  keyOf,
  type StoreSpec,
  tenantEntry,
  tenantPool,
  watchSettingsOf,
  writeYaml,
} from './configs.js';
import { expectStatus } from './http.js';
import { findOrInstallNginx, type NginxAvailability, startNginx } from './nginx.js';

export interface Settings {
  readonly quick: boolean;
  readonly rounds: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** Client connections of the as-fast-as-possible runs. */
  readonly connections: number;
  /** The emulator's log size (every job's log has it). */
  readonly logBytes: number;
  readonly downloadRounds: number;
  readonly scaleTenants: number;
  readonly startupRounds: number;
  readonly listJobs: number;
  /** Jobs ORDS holds (other tools' jobs, `POST /__emulator/jobs`) beside the list: many, then few. */
  readonly ordsManyJobs: number;
  readonly ordsFewJobs: number;
  readonly inListNames: number;
  /** The poll storm: jobs polled, seconds of each run (1 client, then `stormClients`). */
  readonly stormJobs: number;
  readonly stormS: number;
  readonly stormClients: number;
  /** Long-polls waiting at once for their job to end. */
  readonly longPollJobs: number;
  readonly profile: boolean;
}

export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** The compiled programs the benchmark runs (`make build`, and bench/tsconfig.build.json for the references). */
export const DIST = {
  gateway: join(ROOT, 'dist/src/cli/datapump-gateway.js'),
  emulator: join(ROOT, 'dist/src/emulator/main.js'),
  bareProxy: join(ROOT, 'dist/bench/bare-proxy.js'),
  expressFloor: join(ROOT, 'dist/bench/express-floor.js'),
  /** The schema the compiled config loader checks against (tsc copies it beside dist/src/). */
  schema: join(ROOT, 'dist/config/gateway-config.schema.json'),
} as const;

/**
 * Throws when a compiled program is missing; returns the sources newer than their compiled file (a stale build:
 * the figures would be of older code), for a warning.
 */
export function checkBuild(): string[] {
  const missing = Object.values(DIST).filter((f) => !existsSync(f));
  if (missing.length > 0)
    throw new Error(
      `not built: ${missing.map((f) => relative(ROOT, f)).join(', ')} — run \`make bench\` (it builds first), or \`make build\` and \`npx tsc -p bench/tsconfig.build.json\``,
    );
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const built = join(ROOT, 'dist', relative(ROOT, path)).replace(/\.ts$/, '.js');
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs) stale.push(relative(ROOT, path));
      }
    }
  };
  walk(join(ROOT, 'src'));
  for (const f of ['bench/bare-proxy.ts', 'bench/express-floor.ts']) {
    const built = join(ROOT, 'dist', f).replace(/\.ts$/, '.js');
    if (statSync(built).mtimeMs < statSync(join(ROOT, f)).mtimeMs) stale.push(f);
  }
  return stale;
}

export interface EmulatorOptions {
  readonly name: string;
  /** Flags after the standard ones (later flags win). */
  readonly args?: readonly string[];
}

export interface Emulator {
  readonly service: Service;
  /** http://127.0.0.1:PORT (for /__emulator/*) */
  readonly base: string;
  /** …/ords/orcl/pdbadmin/ */
  readonly ordsUrl: string;
  /** …/ords/orcl/pdbadmin/_/db-api/stable/ */
  readonly apiUrl: string;
  readonly basicAuth: string;
}

export interface Gateway {
  readonly name: string;
  readonly service: Service;
  readonly url: string;
  readonly configPath: string;
  readonly logFile: string;
  /** The next unused tenant of a pool (`post`, `dba`): one per measured run keeps each tenant's registry small. */
  freshTenant(pool: 'post' | 'dba'): string;
}

export interface GatewayOptions {
  readonly name: string;
  readonly store: 'sqlite' | 'postgres';
  readonly redis?: boolean;
  /** Tenants besides the standard ones; or a prepared config file (the scale test). */
  readonly configPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The config's `watch` section (default: one round at start, none within a run). */
  readonly watch?: Readonly<Record<string, unknown>>;
  /** Another emulator than the shared one (the long-poll scenario's, whose clock it moves). */
  readonly emulator?: Emulator;
}

const POOL_SIZE = 24;

/** The standard tenants: hr-team (polling), list-team (the 1,000-job list), post-NN and dba-NN pools. */
export function standardTenants(): Record<string, Record<string, unknown>> {
  const tenants: Record<string, Record<string, unknown>> = {
    'hr-team': tenantEntry('hr-team', 'hr'),
    'list-team': tenantEntry('list-team', 'hr'),
  };
  for (const id of tenantPool('post', POOL_SIZE)) tenants[id] = tenantEntry(id, 'hr');
  for (const id of tenantPool('dba', POOL_SIZE)) tenants[id] = tenantEntry(id, 'dba');
  return tenants;
}

/** The standard tenants' API keys (nginx's static key map lets exactly these through). */
export function standardKeys(): string[] {
  return Object.keys(standardTenants()).map(keyOf);
}

export class Lab {
  readonly tmp: string;
  /** The `watch` settings the compiled gateway's schema knows (`fresh_ms` arrives with issue 18). */
  readonly watchSettings: ReadonlySet<string>;
  private emulatorP: Promise<Emulator> | undefined;
  private readonly extraEmulators = new Map<string, Promise<Emulator>>();
  private bareP: Promise<Service> | undefined;
  private floorP: Promise<Service> | undefined;
  private nginxP: Promise<Service | { skipped: string }> | undefined;
  private nginxAvailability: NginxAvailability | undefined;
  private readonly gateways = new Map<string, Promise<Gateway>>();
  private readonly pgSchemas = new Set<string>();
  private readonly redisPrefixes = new Set<string>();
  private readonly profiles: Array<{ name: string; file: string }> = [];
  private counter = 0;

  constructor(
    readonly settings: Settings,
    readonly log: (line: string) => void,
  ) {
    // Logs, configs and SQLite files of this run; kept after a failure for diagnosis.
    this.tmp = mkdtempSync(join(tmpdir(), 'dpg-bench-'));
    this.watchSettings = existsSync(DIST.schema) ? watchSettingsOf(DIST.schema) : new Set(['interval_ms']);
  }

  /** A `watch` section with `fresh_ms` when the gateway knows the setting, without it (noted by the caller) if not. */
  watch(settings: { interval_ms: number; fresh_ms?: number }): Record<string, unknown> {
    if (settings.fresh_ms === undefined || this.watchSettings.has('fresh_ms')) return { ...settings };
    return { interval_ms: settings.interval_ms };
  }

  /** Whether a `watch.fresh_ms` asked for is in force (false: the schema does not know it yet). */
  get freshMsSupported(): boolean {
    return this.watchSettings.has('fresh_ms');
  }

  file(name: string): string {
    return join(this.tmp, name);
  }

  /** The emulator every scenario shares (manual clock, 1 GiB logs). */
  emulator(): Promise<Emulator> {
    this.emulatorP ??= this.startEmulator({ name: 'emulator' });
    return this.emulatorP;
  }

  /** An emulator of a scenario's own (named; started once; stopped with `stopEmulator`). */
  extraEmulator(options: EmulatorOptions): Promise<Emulator> {
    let started = this.extraEmulators.get(options.name);
    if (!started) {
      started = this.startEmulator(options);
      this.extraEmulators.set(options.name, started);
    }
    return started;
  }

  async stopEmulator(name: string): Promise<void> {
    const started = this.extraEmulators.get(name);
    if (!started) return;
    this.extraEmulators.delete(name);
    const emu = await started.catch(() => undefined);
    await emu?.service.stop(5_000);
  }

  private async startEmulator(options: EmulatorOptions): Promise<Emulator> {
    const service = await startService({
      name: options.name,
      args: [
        DIST.emulator,
        '--port',
        '0',
        '--no-validate',
        // Pinned: under the manual clock jobs never end, so no figure depends on it; a change of default must not move them.
        '--lifecycle',
        'dropped',
        '--clock',
        'manual',
        '--log-bytes',
        String(this.settings.logBytes),
        '--record-requests',
        '0',
        ...(options.args ?? []),
      ],
      logFile: this.file(`${options.name}.log`),
      ready: /ORDS emulator listening on (\S+)/,
    });
    const apiUrl = service.url;
    const url = new URL(apiUrl);
    this.log(`${options.name} up on ${url.origin} (${service.startMs.toFixed(0)} ms)`);
    return {
      service,
      base: url.origin,
      apiUrl,
      ordsUrl: `${url.origin}${url.pathname.replace(/_\/db-api\/[^/]+\/$/, '')}`,
      basicAuth: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}`,
    };
  }

  bare(): Promise<Service> {
    this.bareP ??= (async () => {
      const emu = await this.emulator();
      const service = await startService({
        name: 'bare-proxy',
        args: [DIST.bareProxy, '--upstream', emu.ordsUrl, '--port', '0', '--connections', '16'],
        logFile: this.file('bare-proxy.log'),
        ready: /bare proxy listening on (\S+)/,
      });
      this.log(`bare proxy up on ${service.url}`);
      return service;
    })();
    return this.bareP;
  }

  /** The Express floor (bench/express-floor.ts): the bare proxy's forwarding behind a minimal Express 5 app. */
  floor(): Promise<Service> {
    this.floorP ??= (async () => {
      const emu = await this.emulator();
      const service = await startService({
        name: 'express-floor',
        args: [DIST.expressFloor, '--upstream', emu.ordsUrl, '--port', '0', '--connections', '16'],
        logFile: this.file('express-floor.log'),
        ready: /express floor listening on (\S+)/,
      });
      this.log(`Express floor up on ${service.url}`);
      return service;
    })();
    return this.floorP;
  }

  /**
   * Finds nginx, installing it when it can (apt-get, as root): before the run's deadline starts, since an install
   * takes longer than any measurement. Later `nginx()` calls start it or say why not.
   */
  prepareNginx(): NginxAvailability {
    this.nginxAvailability ??= findOrInstallNginx(this.file('apt-nginx.log'), this.log);
    if ('skipped' in this.nginxAvailability) this.log(`nginx rows skipped: ${this.nginxAvailability.skipped}`);
    return this.nginxAvailability;
  }

  /** The benchmark's own nginx in front of the shared emulator, or why there is none. */
  nginx(): Promise<Service | { skipped: string }> {
    this.nginxP ??= (async () => {
      const availability = this.prepareNginx();
      if ('skipped' in availability) return availability;
      const emu = await this.emulator();
      const dir = this.file('nginx');
      mkdirSync(dir, { recursive: true });
      const service = await startNginx({
        binary: availability.binary,
        dir,
        upstreamOrigin: emu.base,
        ordsJobsPath: new URL(`${emu.apiUrl}database/datapump/jobs/`).pathname,
        basicAuth: emu.basicAuth,
        apiKeys: standardKeys(),
      });
      // The key map is what makes it a gateway-like reference: a request without an allowed key never reaches ORDS.
      await expectStatus(
        `${service.url}/databases/orcl/datapump/jobs/`,
        { headers: { 'x-api-key': 'not-a-key' } },
        401,
      );
      this.log(`nginx up on ${service.url} (pids ${service.pids().join(', ')})`);
      return service;
    })();
    return this.nginxP;
  }

  /** The environment every gateway child gets: the secrets its config references, production mode. */
  gatewayEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'production',
      ORDS_PASSWORD: 'oracle',
      BENCH_PG_URL: PG_URL,
      BENCH_REDIS_URL: REDIS_URL,
      ...extra,
    };
  }

  /** `node [--cpu-prof …] dist/src/cli/datapump-gateway.js serve --config <file>`, as production starts it. */
  gatewayArgs(configPath: string, profileName?: string): string[] {
    const prof =
      this.settings.profile && profileName
        ? ['--cpu-prof', '--cpu-prof-dir', RESULTS_DIR, '--cpu-prof-name', `${profileName}.cpuprofile`]
        : [];
    if (prof.length > 0)
      this.profiles.push({ name: profileName!, file: join(RESULTS_DIR, `${profileName}.cpuprofile`) });
    return [...prof, DIST.gateway, 'serve', '--config', configPath];
  }

  /** A fresh redis key prefix or PostgreSQL schema, remembered for the cleanup. */
  private unique(kind: 'pg' | 'redis'): string {
    const tag = `${process.pid.toString(36)}${randomBytes(4).toString('hex')}`;
    if (kind === 'pg') {
      const schema = `dpg_bench_${tag}`;
      this.pgSchemas.add(schema);
      return schema;
    }
    const prefix = `dpg_bench:${tag}:`;
    this.redisPrefixes.add(prefix);
    return prefix;
  }

  gateway(options: GatewayOptions): Promise<Gateway> {
    let started = this.gateways.get(options.name);
    if (!started) {
      started = this.startGateway(options);
      this.gateways.set(options.name, started);
    }
    return started;
  }

  private async startGateway(options: GatewayOptions): Promise<Gateway> {
    const emu = options.emulator ?? (await this.emulator());
    let configPath = options.configPath;
    if (!configPath) {
      const store: StoreSpec =
        options.store === 'sqlite'
          ? { kind: 'sqlite', path: this.file(`${options.name}-${(this.counter += 1)}.db`) }
          : { kind: 'postgres', schema: this.unique('pg') };
      configPath = this.file(`${options.name}.yaml`);
      writeYaml(
        configPath,
        gatewayConfig({
          ordsUrl: emu.ordsUrl,
          store,
          tenants: standardTenants(),
          ...(options.redis ? { redisKeyPrefix: this.unique('redis') } : {}),
          ...(options.watch ? { watch: options.watch } : {}),
        }),
      );
    }
    const service = await startService({
      name: options.name,
      args: this.gatewayArgs(configPath, `gateway-${options.name}`),
      env: this.gatewayEnv(options.env),
      logFile: this.file(`${options.name}.log`),
      ready: /datapump-gateway listening on (\S+)/,
    });
    this.log(`gateway ${options.name} up on ${service.url} (${service.startMs.toFixed(0)} ms)`);
    const used = { post: 0, dba: 0 };
    return {
      name: options.name,
      service,
      url: service.url,
      configPath,
      logFile: service.logFile,
      freshTenant(pool) {
        used[pool] += 1;
        if (used[pool] > POOL_SIZE)
          throw new Error(`gateway ${options.name}: the ${pool} tenant pool (${POOL_SIZE}) is used up`);
        return `${pool}-${String(used[pool]).padStart(2, '0')}`;
      },
    };
  }

  /** Starts a gateway process on a prepared config (the scale test), for one measurement. */
  async startGatewayProcess(
    name: string,
    configPath: string,
    env: NodeJS.ProcessEnv,
    profileName?: string,
  ): Promise<Service> {
    return startService({
      name,
      args: this.gatewayArgs(configPath, profileName),
      env: this.gatewayEnv(env),
      logFile: this.file(`${name}.log`),
      ready: /datapump-gateway listening on (\S+)/,
      timeoutMs: 60_000,
    });
  }

  newPgSchema(): string {
    return this.unique('pg');
  }

  newRedisPrefix(): string {
    return this.unique('redis');
  }

  /** Stops one gateway (and forgets it), e.g. when its scenario is over. */
  async stopGateway(name: string): Promise<void> {
    const started = this.gateways.get(name);
    if (!started) return;
    this.gateways.delete(name);
    const gw = await started.catch(() => undefined);
    await gw?.service.stop(15_000);
  }

  /** Prints the CPU profile summaries of the gateways that ran with --cpu-prof (they are written on exit). */
  reportProfiles(): string[] {
    const out: string[] = [];
    for (const { name, file } of this.profiles.splice(0)) {
      if (!existsSync(file)) {
        out.push(`── CPU profile ${name}: ${file} was not written (the process did not exit cleanly)`);
        continue;
      }
      out.push(formatSummary(`${name} (${file.replace(ROOT, '')})`, summariseFile(file, 20)));
    }
    return out;
  }

  /** Everything, even after a failure: processes, PostgreSQL schemas, Redis keys, and (unless kept) the temporary folder. */
  async cleanup({ keepTmp = false }: { keepTmp?: boolean } = {}): Promise<void> {
    await stopAll(15_000);
    for (const schema of this.pgSchemas) {
      try {
        const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
        await client.connect();
        try {
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
        this.pgSchemas.delete(schema);
      } catch (err) {
        this.log(`could not drop PostgreSQL schema ${schema}: ${(err as Error).message}`);
      }
    }
    if (this.redisPrefixes.size > 0) {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000 });
      try {
        await redis.connect();
        for (const prefix of this.redisPrefixes) {
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) await redis.del(...keys);
          } while (cursor !== '0');
          this.redisPrefixes.delete(prefix);
        }
      } catch (err) {
        this.log(`could not delete Redis keys: ${(err as Error).message}`);
      } finally {
        redis.disconnect();
      }
    }
    if (keepTmp) this.log(`logs and configs of this run kept in ${this.tmp}`);
    else rmSync(this.tmp, { recursive: true, force: true });
  }
}
