/** @module The processes a benchmark run needs (emulator, bare proxy, gateways), started on first use and all torn down at the end. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';
import pg from 'pg';

import { formatSummary, summariseFile } from '../profile.js';
import { ROOT, type Service, startService, stopAll } from './children.js';
import { gatewayConfig, type StoreSpec, tenantEntry, tenantPool, writeYaml } from './configs.js';

export interface Settings {
  readonly quick: boolean;
  readonly rounds: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** Client connections of the as-fast-as-possible runs. */
  readonly connections: number;
  /** Client connections of the fixed-rate runs. */
  readonly rateConnections: number;
  /** The emulator's log size (every job's log has it). */
  readonly logBytes: number;
  readonly downloadRounds: number;
  readonly scaleTenants: number;
  readonly startupRounds: number;
  readonly listJobs: number;
  readonly inListNames: number;
  readonly profile: boolean;
}

export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

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

export class Lab {
  readonly tmp: string;
  private emulatorP: Promise<Emulator> | undefined;
  private bareP: Promise<Service> | undefined;
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
  }

  file(name: string): string {
    return join(this.tmp, name);
  }

  emulator(): Promise<Emulator> {
    this.emulatorP ??= (async () => {
      const service = await startService({
        name: 'emulator',
        args: [
          '--import',
          'tsx',
          'src/emulator/main.ts',
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
        ],
        logFile: this.file('emulator.log'),
        ready: /ORDS emulator listening on (\S+)/,
      });
      const apiUrl = service.url;
      const url = new URL(apiUrl);
      this.log(`emulator up on ${url.origin} (${service.startMs.toFixed(0)} ms)`);
      return {
        service,
        base: url.origin,
        apiUrl,
        ordsUrl: `${url.origin}${url.pathname.replace(/_\/db-api\/[^/]+\/$/, '')}`,
        basicAuth: `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}`,
      };
    })();
    return this.emulatorP;
  }

  bare(): Promise<Service> {
    this.bareP ??= (async () => {
      const emu = await this.emulator();
      const service = await startService({
        name: 'bare-proxy',
        args: [
          '--import',
          'tsx',
          'bench/bare-proxy.ts',
          '--upstream',
          emu.ordsUrl,
          '--port',
          '0',
          '--connections',
          '16',
        ],
        logFile: this.file('bare-proxy.log'),
        ready: /bare proxy listening on (\S+)/,
      });
      this.log(`bare proxy up on ${service.url}`);
      return service;
    })();
    return this.bareP;
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

  /** `node [--cpu-prof …] --import tsx src/cli/datapump-gateway.ts serve --config <file>` */
  gatewayArgs(configPath: string, profileName?: string): string[] {
    const prof =
      this.settings.profile && profileName
        ? ['--cpu-prof', '--cpu-prof-dir', RESULTS_DIR, '--cpu-prof-name', `${profileName}.cpuprofile`]
        : [];
    if (prof.length > 0)
      this.profiles.push({ name: profileName!, file: join(RESULTS_DIR, `${profileName}.cpuprofile`) });
    return [...prof, '--import', 'tsx', 'src/cli/datapump-gateway.ts', 'serve', '--config', configPath];
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
    const emu = await this.emulator();
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
