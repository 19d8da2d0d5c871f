// The lines of a job's log: its parameters (echoed as inert data), its progress and how it ended.
import { type JobRecord, jobStatus } from './job-state.js';
import { elapsed } from './time-format.js';

/**
 * Control characters become `\uXXXX`: expressions and file names are data, and with validation off a
 * newline in one must not forge a log line (say, a fake "successfully completed").
 */
export function asData(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is this function's purpose
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const quoted = (job: JobRecord) => `"${asData(job.owner)}"."${asData(job.name)}"`;

/** Everything before the progress lines: what the job was asked to do. */
export function logHead(job: JobRecord): string {
  const p = job.params;
  const tool = p.operation === 'EXPORT' ? 'Export' : 'Import';
  const lines = [
    ';;; ORDS emulator (datapump-gateway): a simulated Data Pump log; nothing was executed.',
    `;;; ${tool}: Release 19.0.0.0.0 - Production on ${job.startedText}`,
    ';;; Parameters:',
    `;;;   operation: ${p.operation}`,
    `;;;   job_mode: ${asData(p.jobMode)}`,
    `;;;   datapump_dir: ${asData(p.datapumpDir)}`,
    `;;;   file_name: ${asData(job.dumpPattern ?? p.fileName ?? '')}`,
    `;;;   log_file: ${job.logFile}`,
  ];
  if (p.credentialName !== null) lines.push(`;;;   credential_name: ${asData(p.credentialName)}`);
  if (p.filter !== null) lines.push(`;;;   filter: ${asData(p.filter)}`);
  for (const e of p.nameExpressions) lines.push(`;;;   name_expression: ${asData(e)}`);
  for (const e of p.schemaExpressions) lines.push(`;;;   schema_expression: ${asData(e)}`);
  for (const e of p.tablespaceExpressions) lines.push(`;;;   tablespace_expression: ${asData(e)}`);
  for (const r of p.remapSchemas) lines.push(`;;;   remap_schema: ${asData(r.source)}:${asData(r.target)}`);
  lines.push(`;;;   threads: ${p.threads}`);
  if (p.keepMaster !== null) lines.push(`;;;   keep_master: ${p.keepMaster}`);
  lines.push(`Starting ${quoted(job)}:`);
  return `${lines.join('\n')}\n`;
}

const STAGES = ['TABLE/TABLE_DATA', 'STATISTICS/TABLE_STATISTICS', 'USER', 'TABLE/TABLE', 'TABLE/INDEX/INDEX'];

/** One "Processing object type" line per stage reached so far. */
export function logProgress(job: JobRecord, now: number): string {
  const { progress } = jobStatus(job, now);
  const prefix = `${job.params.jobMode.toUpperCase() === 'FULL' ? 'DATABASE' : asData(job.params.jobMode)}_${job.params.operation}`;
  const reached = Math.min(STAGES.length, Math.floor(progress * STAGES.length));
  return STAGES.slice(0, reached)
    .map((stage) => `Processing object type ${prefix}/${stage}\n`)
    .join('');
}

/** The last lines: how far it got while executing, or how it ended (Data Pump's three endings). */
export function logTail(job: JobRecord, now: number): string {
  const status = jobStatus(job, now);
  if (!status.finished) return `Percent done: ${Math.floor(status.progress * 100)}\n`;
  const at = `${job.endedText} elapsed ${elapsed(job.endsAt - job.createdAt)}`;
  if (job.outcome === 'failure') {
    const file = asData(job.params.fileName ?? job.dumpPattern ?? '');
    const cause =
      job.params.operation === 'EXPORT'
        ? `ORA-31641: unable to create dump file "${file}"`
        : `ORA-31640: unable to open dump file "${file}" for read`;
    return [
      'ORA-39001: invalid argument value',
      'ORA-39000: bad dump file specification',
      cause,
      `Job ${quoted(job)} stopped due to fatal error at ${at}`,
      '',
    ].join('\n');
  }
  const lines: string[] = [];
  // One object that failed; Data Pump goes on and counts it in the last line.
  if (job.outcome === 'errors') lines.push(...errorLines(job));
  lines.push(`Master table ${quoted(job)} successfully loaded/unloaded`);
  if (job.dumpPattern !== null) {
    lines.push(
      '*'.repeat(78),
      `Dump file set for ${asData(job.owner)}.${asData(job.name)} is:`,
      `  ${asData(job.params.datapumpDir)}:${asData(job.dumpFiles[0] ?? job.dumpPattern)}`,
    );
  }
  lines.push(
    job.outcome === 'errors'
      ? `Job ${quoted(job)} completed with ${ERROR_COUNT} error(s) at ${at}`
      : `Job ${quoted(job)} successfully completed at ${at}`,
    '',
  );
  return lines.join('\n');
}

/** How many errors a job that completes with errors reports (the lines of `errorLines`). */
const ERROR_COUNT = 1;

function errorLines(job: JobRecord): string[] {
  const owner = asData(job.owner);
  return job.params.operation === 'EXPORT'
    ? [
        `ORA-31693: Table data object "${owner}"."T000001" failed to load/unload and is being skipped due to error:`,
        'ORA-02354: error in exporting/importing data',
        'ORA-01555: snapshot too old: rollback segment number 9 with name "_SYSSMU9_1650367659$" too small',
      ]
    : [
        `ORA-39083: Object type PROCEDURE:"${owner}"."P000001" failed to create with error:`,
        'ORA-00942: table or view does not exist',
      ];
}

/** How a job added through `/__emulator/jobs` ends its generated log (`none`: still running, no last line). */
export type AddedEnding = 'successful' | 'errors' | 'fatal' | 'stopped' | 'none';

export interface AddedLogInput {
  owner: string;
  name: string;
  operation: string;
  jobMode: string;
  ending: AddedEnding;
  /** Dates in the database's time zone. */
  startedText: string;
  endedText: string;
}

/** The log of a job another tool started (expdp, DBMS_DATAPUMP, SQL Developer), ending as asked. */
export function addedJobLog(input: AddedLogInput): string {
  const job = `"${asData(input.owner)}"."${asData(input.name)}"`;
  const tool = input.operation.trim().toUpperCase() === 'IMPORT' ? 'Import' : 'Export';
  const lines = [
    ';;; ORDS emulator (datapump-gateway): a job added through /__emulator/jobs, as another tool would start one.',
    `${tool}: Release 19.0.0.0.0 - Production on ${input.startedText}`,
    `Starting ${job}:  job_mode=${asData(input.jobMode.trim())}`,
  ];
  const at = `${input.endedText} elapsed 0 00:00:00`;
  switch (input.ending) {
    case 'successful':
      lines.push(`Job ${job} successfully completed at ${at}`);
      break;
    case 'errors':
      lines.push(
        'ORA-39083: Object type PROCEDURE failed to create with error:',
        'ORA-00942: table or view does not exist',
      );
      lines.push(`Job ${job} completed with 1 error(s) at ${at}`);
      break;
    case 'fatal':
      lines.push('ORA-39014: One or more workers have prematurely exited.');
      lines.push(`Job ${job} stopped due to fatal error at ${at}`);
      break;
    case 'stopped':
      lines.push(`Job ${job} stopped by user request at ${at}`);
      break;
    case 'none':
      lines.push('Percent done: 50');
      break;
  }
  return `${lines.join('\n')}\n`;
}

/** 64 KiB of 64-byte filler lines (1024 tables), repeated to reach a configured log size cheaply. */
export function fillerBlock(job: JobRecord): Buffer {
  const verb = job.params.operation === 'EXPORT' ? 'exported' : 'imported';
  let text = '';
  for (let i = 0; i < 1024; i++) {
    const line = `. . ${verb} "EMULATOR"."T${String(i).padStart(6, '0')}"   1000 rows`;
    text += `${line.padEnd(63, ' ')}\n`;
  }
  return Buffer.from(text, 'latin1');
}
