/**
 * @module What the admin commands on the store share: the config loaded without the secrets they never use,
 * the configured store opened (SQLite file or PostgreSQL), the operator's name, and the audit event of each run.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

import type { Command } from 'commander';
import { parse } from 'yaml';

import { ConfigError } from '../gateway/config/errors.js';
import { loadConfig } from '../gateway/config/load.js';
import { secretVariables } from '../gateway/config/secrets.js';
import type { GatewayConfig } from '../gateway/config/types.js';
import { openStateStore } from '../gateway/store/open.js';
import type { AuditEvent, StateStore } from '../gateway/store/types.js';
import type { CliIo } from './io.js';

/** Stands for a secret the command does not use (ORDS passwords, the metrics token, the Redis URL). */
export const UNUSED_SECRET = 'unused-by-this-admin-command';

/**
 * The tenant and database of an admin event about no single one (no tenant id can be `*`). Reads are always
 * this, their filters in the arguments: a tenant's own audit history shows what changed its records, not who read.
 */
const ALL = '*';

/**
 * The environment the config is loaded with: every variable a secret field outside `store` names is filled in
 * when unset, so `--config` needs only what opening the store needs (`store.postgres.url`'s variable).
 */
function storeOnlyEnv(text: string, env: CliIo['env']): Record<string, string | undefined> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch {
    // loadConfig reports the syntax error properly.
    return { ...env };
  }
  const filled: Record<string, string | undefined> = { ...env };
  for (const { path, name } of secretVariables(raw)) {
    if (path[0] !== 'store' && filled[name] === undefined) filled[name] = UNUSED_SECRET;
  }
  return filled;
}

/** Loads `--config` (or $GATEWAY_CONFIG) as the gateway would, but needing only the store's secret. */
export function loadAdminConfig(command: Command, io: CliIo, given: string | undefined): GatewayConfig {
  const path = given ?? io.env.GATEWAY_CONFIG;
  if (path === undefined || path === '')
    command.error('error: pass --config <file> or set GATEWAY_CONFIG=<file>', { exitCode: 2, code: 'admin.no-config' });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    command.error(`error: ${path}: cannot read the file${code ? ` (${code})` : ''}`, {
      exitCode: 1,
      code: 'config.invalid',
    });
  }
  try {
    return loadConfig({
      path,
      env: storeOnlyEnv(text, io.env),
      readFile: (p) => (p === path ? text : readFileSync(p, 'utf8')),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Problems name paths and variables, never values.
    command.error(error.problems.join('\n'), { exitCode: 1, code: 'config.invalid' });
  }
}

/** Opens the configured store (its migrations applied, as the gateway would); the memory store has nothing to open. */
export async function openAdminStore(command: Command, config: GatewayConfig): Promise<StateStore> {
  const { backend } = config.store;
  if (backend.kind === 'memory')
    command.error('error: store.memory keeps its records inside the gateway process: there is no store to open', {
      exitCode: 1,
      code: 'admin.memory-store',
    });
  try {
    return await openStateStore(backend);
  } catch (error) {
    command.error(
      `error: cannot open the ${backend.kind} store: ${error instanceof Error ? error.message : String(error)}`,
      {
        exitCode: 1,
        code: 'admin.store-unavailable',
      },
    );
  }
}

/** The operator: `admin:` and the OS user (then $USER), printable characters only, at most 64. */
export function adminActor(env: CliIo['env'], osUser: () => string = () => userInfo().username): string {
  let name: string | undefined;
  try {
    name = osUser();
  } catch {
    // No passwd entry (a container's arbitrary uid): fall back to the environment.
  }
  // eslint-disable-next-line no-control-regex
  const clean = (name || env.USER || 'unknown').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 64);
  return `admin:${clean || 'unknown'}`;
}

/** What an admin command's audit event records of it: the command, its arguments, and how it ended. */
export interface AdminRun {
  readonly command: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly tenant?: string;
  readonly database?: string;
  readonly requestId?: string;
}

export function adminEvent(
  run: AdminRun,
  actor: string,
  at: Date,
  result: { decision: AuditEvent['decision']; detail: string },
): AuditEvent {
  return {
    at: at.toISOString(),
    tenant: run.tenant ?? ALL,
    principal: actor,
    database: run.database ?? ALL,
    requestId: run.requestId ?? `admin-${randomUUID()}`,
    decision: result.decision,
    status: 0,
    request: adminRequest(run, result.detail),
    ...(result.decision === 'allowed' ? {} : { violations: [{ detail: result.detail }] }),
  };
}

/** The audit event's `request` of an admin command. */
export function adminRequest(run: AdminRun, result: string): Record<string, unknown> {
  return { admin: { command: run.command, arguments: run.arguments, result } };
}

/**
 * Records a read (or a refusal) in the audit trail. Best effort: the trail is the store the command just read,
 * so a failed write is reported on stderr and does not turn a finished read into a failure.
 */
export async function auditBestEffort(store: StateStore, io: CliIo, event: AuditEvent): Promise<void> {
  try {
    await store.audit.append(event);
  } catch (error) {
    io.stderr.write(
      `warning: the audit event was not stored: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}
