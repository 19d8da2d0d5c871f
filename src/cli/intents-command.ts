/**
 * @module `datapump-gateway intents list|resolve`: the intent journal's unsettled creates (in doubt, quarantined),
 * and an operator's decision on one: its job given to its tenant, or its key freed. Every run is audited.
 */
import type { Command } from 'commander';

import { createIntentJournal, RESOLVABLE_STATES } from '../gateway/create/journal.js';
import { auditedRequest, type AuditTrail } from '../gateway/jobs/audit.js';
import {
  type Intent,
  IntentStateConflictError,
  JobOwnedElsewhereError,
  type StateStore,
} from '../gateway/store/types.js';
import { parseIntentId, parseJob, parseReason, parseState, parseTenant, printable } from './admin-args.js';
import { printRecords } from './admin-output.js';
import {
  adminActor,
  adminEvent,
  adminRequest,
  type AdminRun,
  auditBestEffort,
  loadAdminConfig,
  openAdminStore,
} from './admin-store.js';
import { type AdminCommandDeps, need } from './audit-command.js';
import type { CliIo } from './io.js';

/** Later than any intent's creation: `list` takes a bound, and every unsettled intent is wanted. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

const COLUMNS = ['ID', 'STATE', 'TENANT', 'DATABASE', 'OPERATION', 'MODE', 'KEY', 'CREATED', 'UPDATED', 'REQUEST'];

const row = (i: Omit<Intent, 'fingerprint' | 'canonicalRequest'>): Record<string, string> => ({
  ID: i.id,
  STATE: i.state,
  TENANT: i.tenant,
  DATABASE: i.database,
  OPERATION: i.operation,
  MODE: i.jobMode,
  KEY: i.idempotencyKey ?? '',
  CREATED: i.createdAt,
  UPDATED: i.updatedAt,
  REQUEST: i.requestId,
});

/** What `--json` prints of an intent: all of it but the fingerprint, the request as the audit trail keeps it. */
const shown = ({ fingerprint: _fingerprint, canonicalRequest, ...intent }: Intent) => ({
  ...intent,
  request: auditedRequest((canonicalRequest ?? {}) as Record<string, unknown>),
});

interface ListOptions {
  config?: string;
  state?: string;
  tenant?: string;
  json?: boolean;
}

interface ResolveOptions {
  config?: string;
  job?: string;
  release?: boolean;
  reason?: string;
}

export function registerIntentsCommand(program: Command, io: CliIo, deps: AdminCommandDeps = {}): void {
  const now = deps.now ?? (() => new Date());
  const intents = program
    .command('intents')
    .description('creates whose outcome the gateway could not settle (in doubt, quarantined), and their resolution');

  intents
    .command('list')
    .description('list the in-doubt and quarantined creates, oldest first')
    .option('-c, --config <file>', 'the gateway configuration (default: $GATEWAY_CONFIG)')
    .option('--state <state>', 'only in-doubt or only quarantined intents')
    .option('--tenant <id>', "only this tenant's intents")
    .option('--json', 'one JSON object a line instead of a table')
    .action(async function (this: Command, options: ListOptions) {
      const state = options.state === undefined ? undefined : need(this, parseState(options.state));
      const tenant = options.tenant === undefined ? undefined : need(this, parseTenant(options.tenant));
      const config = loadAdminConfig(this, io, options.config);
      const store = await openAdminStore(this, config);
      try {
        const listed = (await store.intents.list(state ? [state] : RESOLVABLE_STATES, END_OF_TIME)).filter(
          (i) => tenant === undefined || i.tenant === tenant,
        );
        printRecords(io, options.json === true, listed.map(shown), COLUMNS, row, 'no unsettled intents');
        const filter = { ...(state ? { state } : {}), ...(tenant ? { tenant } : {}) };
        const run = { command: 'intents list', arguments: filter };
        await auditBestEffort(
          store,
          io,
          adminEvent(run, adminActor(io.env), now(), {
            decision: 'allowed',
            detail: `listed ${listed.length} intents`,
          }),
        );
      } finally {
        await store.close();
      }
    });

  intents
    .command('resolve')
    .description(
      'settle an in-doubt or quarantined create: --job gives it that ORDS job (its tenant then sees the job), --release frees its Idempotency-Key so a retry creates anew',
    )
    .argument('<id>', 'the intent id (`intents list`)')
    .option('-c, --config <file>', 'the gateway configuration (default: $GATEWAY_CONFIG)')
    .option('--job <owner,name>', 'the ORDS job this create started, as OWNER,NAME')
    .option('--release', 'no job was started: free the key')
    .option('--reason <text>', 'why, for the audit trail')
    .action(async function (this: Command, rawId: string, options: ResolveOptions) {
      const id = need(this, parseIntentId(rawId));
      if ((options.job === undefined) === (options.release !== true))
        this.error('error: give exactly one of --job OWNER,NAME and --release', { exitCode: 2, code: 'admin.usage' });
      const job = options.job === undefined ? undefined : need(this, parseJob(options.job));
      const reason = options.reason === undefined ? undefined : need(this, parseReason(options.reason));
      const config = loadAdminConfig(this, io, options.config);
      const store = await openAdminStore(this, config);
      const actor = adminActor(io.env);
      const jobText = job ? `${job.ownerName},${job.jobName}` : undefined;
      const args = {
        id,
        ...(jobText === undefined ? { release: true } : { job: jobText }),
        ...(reason === undefined ? {} : { reason }),
      };
      let run: AdminRun = { command: 'intents resolve', arguments: args };
      /** Refused: recorded in the audit trail, then exit 1 with the reason. */
      const refuse = async (message: string): Promise<never> => {
        await auditBestEffort(store, io, adminEvent(run, actor, now(), { decision: 'refused', detail: message }));
        return this.error(`error: ${message}`, { exitCode: 1, code: 'intents.refused' });
      };
      try {
        const intent = await store.intents.find(id);
        if (!intent) return await refuse(`no intent has the id ${printable(id)}`);
        run = { ...run, tenant: intent.tenant, database: intent.database, requestId: intent.requestId };
        if (!RESOLVABLE_STATES.includes(intent.state))
          return await refuse(`intent ${id} is ${intent.state}: only in-doubt or quarantined intents are resolved`);
        const database = config.databases[intent.database];
        if (!database)
          return await refuse(`intent ${id} is for database ${intent.database}, which the config no longer has`);
        const why = reason === undefined ? '' : `; reason: ${reason}`;
        if (job) {
          const recorded = await store.registry.find(intent.database, job.ownerName, job.jobName);
          if (recorded)
            return await refuse(
              recorded.tenant === intent.tenant
                ? `job ${jobText} is already recorded for tenant ${recorded.tenant} (request ${recorded.requestId}): it is another create's`
                : `job ${jobText} is already recorded for another tenant (${recorded.tenant})`,
            );
          const result = `job ${jobText} recorded for tenant ${intent.tenant}`;
          await journalOf(store, config.publicUrl)
            .assigned(intent, job, database, now(), {
              actor,
              request: adminRequest(run, result),
              detail: `resolved by ${actor}: ${result}${why}`,
            })
            .catch((error: unknown) => settledMeanwhile(error, refuse));
          io.stdout.write(`intent ${id} resolved: ${result}; its retries get the job\n`);
        } else {
          const result = 'released: its Idempotency-Key is free, a retry creates a new job';
          await journalOf(store, config.publicUrl)
            .releasedByOperator(intent, now(), {
              actor,
              request: adminRequest(run, result),
              detail: `resolved by ${actor}: ${result}${why}`,
            })
            .catch((error: unknown) => settledMeanwhile(error, refuse));
          io.stdout.write(`intent ${id} ${result}\n`);
        }
      } finally {
        await store.close();
      }
    });
}

/** The journal as the gateway builds it, minus the log and metrics (the event is in the store, committed). */
function journalOf(store: StateStore, publicUrl: string) {
  const audit: AuditTrail = {
    write: (event) => store.audit.append(event),
    writeAggregated: (event, key) => store.audit.appendAggregated(event, key),
    logged: () => undefined,
  };
  return createIntentJournal({
    intents: store.intents,
    provenance: store.provenance,
    audit,
    publicUrl: () => publicUrl,
  });
}

/** Another operator (or reconciliation) settled the intent first, or the job became another tenant's: refused. */
async function settledMeanwhile(error: unknown, refuse: (message: string) => Promise<never>): Promise<never> {
  if (error instanceof IntentStateConflictError)
    return refuse(
      error.found === undefined
        ? `intent ${error.intentId} was resolved meanwhile (released): nothing changed`
        : `intent ${error.intentId} was resolved meanwhile (it is now ${error.found}): nothing changed`,
    );
  if (error instanceof JobOwnedElsewhereError)
    return refuse(
      `job ${error.job.ownerName},${error.job.jobName} is already recorded for another tenant (${error.owner})`,
    );
  throw error;
}
