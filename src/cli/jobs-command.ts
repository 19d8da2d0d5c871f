/** @module `datapump-gateway jobs list`: the job registry (which tenant started which ORDS job), newest first; audited. */
import type { Command } from 'commander';

import { compareJobs, type JobRecord } from '../gateway/store/types.js';
import { parseLimit, parseTenant } from './admin-args.js';
import { printRecords } from './admin-output.js';
import { adminActor, adminEvent, auditBestEffort, loadAdminConfig, openAdminStore } from './admin-store.js';
import { type AdminCommandDeps, need } from './audit-command.js';
import type { CliIo } from './io.js';

interface JobsOptions {
  config?: string;
  tenant?: string;
  limit: string;
  json?: boolean;
}

const COLUMNS = ['TENANT', 'DATABASE', 'JOB', 'OPERATION', 'MODE', 'STATE', 'OUTCOME', 'CREATED'];

type Listed = Omit<JobRecord, 'canonicalRequest' | 'logTail'>;

const row = (j: Listed): Record<string, string> => ({
  TENANT: j.tenant,
  DATABASE: j.database,
  JOB: `${j.ownerName},${j.jobName}`,
  OPERATION: j.operation,
  MODE: j.jobMode,
  STATE: j.lastState,
  OUTCOME: j.outcome ? j.outcome.result : '',
  CREATED: j.createdAt,
});

/** What `--json` prints of a job: the record without the request and log tail (large; `datapump` shows them). */
const summary = ({ canonicalRequest: _request, logTail: _tail, ...job }: JobRecord): Listed => job;

export function registerJobsCommand(program: Command, io: CliIo, deps: AdminCommandDeps = {}): void {
  const now = deps.now ?? (() => new Date());
  const jobs = program.command('jobs').description("the job registry: which tenant's jobs the gateway started");
  jobs
    .command('list')
    .description("list the registry's jobs of every configured database, newest first")
    .option('-c, --config <file>', 'the gateway configuration (default: $GATEWAY_CONFIG)')
    .option('--tenant <id>', "only this tenant's jobs")
    .option('--limit <n>', 'at most this many jobs (1-10000)', '100')
    .option('--json', 'one JSON object a line instead of a table')
    .action(async function (this: Command, options: JobsOptions) {
      const tenant = options.tenant === undefined ? undefined : need(this, parseTenant(options.tenant));
      const limit = need(this, parseLimit(options.limit));
      const config = loadAdminConfig(this, io, options.config);
      const store = await openAdminStore(this, config);
      try {
        const found: JobRecord[] = [];
        for (const database of Object.keys(config.databases)) {
          found.push(
            ...(tenant === undefined
              ? await store.registry.listForDatabase(database, limit)
              : (await store.registry.listForTenant(tenant, database, { limit, offset: 0 })).items),
          );
        }
        const listed = found.sort(compareJobs).slice(0, limit);
        printRecords(io, options.json === true, listed.map(summary), COLUMNS, row, 'no jobs');
        const run = { command: 'jobs list', arguments: { ...(tenant ? { tenant } : {}), limit } };
        await auditBestEffort(
          store,
          io,
          adminEvent(run, adminActor(io.env), now(), { decision: 'allowed', detail: `listed ${listed.length} jobs` }),
        );
      } finally {
        await store.close();
      }
    });
}
