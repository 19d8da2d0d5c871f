/** @module `datapump-gateway audit`: prints the audit trail (newest first), filtered; the read is itself audited. */
import type { Command } from 'commander';

import type { AuditEvent } from '../gateway/store/types.js';
import { type Parsed, parseDecision, parseLimit, parseTenant, parseTime } from './admin-args.js';
import { printRecords } from './admin-output.js';
import { adminActor, adminEvent, auditBestEffort, loadAdminConfig, openAdminStore } from './admin-store.js';
import type { CliIo } from './io.js';

export interface AdminCommandDeps {
  /** The clock of relative times and of the audit event; injected by tests. */
  readonly now?: () => Date;
}

/** The parsed value, or a usage error (exit 2) with the rule's message. */
export function need<T>(command: Command, parsed: Parsed<T>): T {
  if (!parsed.ok) command.error(`error: ${parsed.message}`, { exitCode: 2, code: 'admin.usage' });
  return parsed.value;
}

interface AuditOptions {
  config?: string;
  tenant?: string;
  since?: string;
  until?: string;
  decision?: string;
  limit: string;
  json?: boolean;
}

const COLUMNS = ['AT', 'DECISION', 'STATUS', 'TENANT', 'PRINCIPAL', 'DATABASE', 'REQUEST', 'JOB', 'DETAIL'];

function row(e: AuditEvent): Record<string, string> {
  return {
    AT: e.at,
    DECISION: e.count === undefined ? e.decision : `${e.decision} x${e.count}`,
    STATUS: String(e.status),
    TENANT: e.tenant,
    PRINCIPAL: e.principal,
    DATABASE: e.database,
    REQUEST: e.requestId,
    JOB: e.job ? `${e.job.ownerName},${e.job.jobName}` : '',
    DETAIL: detail(e),
  };
}

/** The violations, or (an admin command's event) the command: what a reader scans the table for. */
function detail(e: AuditEvent): string {
  const admin = (e.request as { admin?: { command?: unknown } } | null | undefined)?.admin;
  const parts = [
    ...(admin && typeof admin.command === 'string' ? [`[${admin.command}]`] : []),
    ...(e.violations ?? []).map((v) => (v.pointer ? `${v.pointer}: ${v.detail}` : v.detail)),
  ];
  const text = parts.join('; ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function registerAuditCommand(program: Command, io: CliIo, deps: AdminCommandDeps = {}): void {
  const now = deps.now ?? (() => new Date());
  program
    .command('audit')
    .description(
      'print the audit trail of creates and admin commands, newest first (needs only the store of the config)',
    )
    .option('-c, --config <file>', 'the gateway configuration (default: $GATEWAY_CONFIG)')
    .option('--tenant <id>', "only this tenant's events")
    .option(
      '--since <time>',
      'only events at or after: ISO 8601 (2025-01-15, 2025-01-15T08:00:00Z) or an age (24h, 7d)',
    )
    .option('--until <time>', 'only events before: ISO 8601 or an age')
    .option('--decision <decision>', 'only allow (allowed), deny (refused) or failed events')
    .option('--limit <n>', 'at most this many events (1-10000)', '100')
    .option('--json', 'one JSON object a line instead of a table')
    .action(async function (this: Command, options: AuditOptions) {
      const started = now();
      const tenant = options.tenant === undefined ? undefined : need(this, parseTenant(options.tenant));
      const since = options.since === undefined ? undefined : need(this, parseTime(options.since, started));
      const until = options.until === undefined ? undefined : need(this, parseTime(options.until, started));
      const decision = options.decision === undefined ? undefined : need(this, parseDecision(options.decision));
      const limit = need(this, parseLimit(options.limit));
      if (since !== undefined && until !== undefined && since >= until)
        this.error(`error: --since (${since}) must be before --until (${until})`, { exitCode: 2, code: 'admin.usage' });
      const config = loadAdminConfig(this, io, options.config);
      const store = await openAdminStore(this, config);
      try {
        const filter = {
          ...(tenant === undefined ? {} : { tenant }),
          ...(since === undefined ? {} : { since }),
          ...(until === undefined ? {} : { until }),
          ...(decision === undefined ? {} : { decision }),
        };
        const events = await store.audit.list({ ...filter, limit });
        printRecords(io, options.json === true, events, COLUMNS, row, 'no audit events match');
        // Read after the listing, so the listing never shows the event of its own read.
        const run = { command: 'audit', arguments: { ...filter, limit } };
        const actor = adminActor(io.env);
        await auditBestEffort(
          store,
          io,
          adminEvent(run, actor, now(), { decision: 'allowed', detail: `listed ${events.length} events` }),
        );
      } finally {
        await store.close();
      }
    });
}
