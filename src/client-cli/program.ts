/** @module The `datapump` command line: export, import, status, list, logs — on the typed client. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import {
  createDatapumpClient,
  type DatapumpClient,
  DatapumpJobFailedError,
  DatapumpProblemError,
  DatapumpWaitTimeoutError,
  describeOutcome,
  dumpLinks,
  fileNameOf,
  formatJobRef,
  isFinished,
  isSuccessful,
  type Job,
  type JobCollection,
  type JobMode,
  type JobOutcome,
  logLink,
  outcomeOf,
  parseJobRef,
  resultWords,
  withOutcome,
} from '../client/index.js';
import { sleep } from '../client/timing.js';
import {
  EXIT,
  exitCodeFor,
  exitCodeForCommander,
  JobSucceededWithErrors,
  LogGoneError,
  MissingCredentialError,
  UsageError,
} from './exit-codes.js';
import { packageVersion } from './package-version.js';
import {
  livelyTerminal,
  type OutStream,
  plainProgress,
  type ProgressReporter,
  silentProgress,
  ttyProgress,
} from './progress.js';

export interface DatapumpIo {
  readonly stdout: OutStream;
  /** Progress and errors; the live progress line is drawn only when this is a TTY. */
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborts a wait or a follow (Ctrl-C). */
  readonly signal?: AbortSignal;
}

interface GlobalOptions {
  url?: string;
  apiKey?: string;
  database?: string;
  json?: boolean;
  pollInterval?: number;
  longPoll?: number;
}

const MODES: readonly JobMode[] = ['FULL', 'SCHEMA', 'TABLE', 'TABLESPACE'];

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function positiveInt(name: string, min = 1) {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`${name} must be an integer of at least ${min}.`);
    return Number(value);
  };
}

function intFromTo(name: string, min: number, max: number) {
  return (value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    return Number(value);
  };
}

function mode(value: string): JobMode {
  const upper = value.toUpperCase() as JobMode;
  if (!MODES.includes(upper)) throw new InvalidArgumentError(`expected one of ${MODES.join(', ')}.`);
  return upper;
}

function remap(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const match = /^([^:\s]+):([^:\s]+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected SOURCE:TARGET, for example HR:BLAKE.');
  return { ...previous, [match[1]!]: match[2]! };
}

function jobRefArgument(value: string): string {
  try {
    return formatJobRef(parseJobRef(value));
  } catch {
    throw new InvalidArgumentError(
      'expected OWNER,JOB_NAME, for example PDBADMIN,DATAPUMP_REST_EXPORT_20190906155736.',
    );
  }
}

export function buildProgram(io: DatapumpIo): Command {
  const program = new Command('datapump')
    .description('Start and follow Oracle Data Pump jobs through a datapump-gateway.')
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('--url <url>', 'gateway base URL').env('DATAPUMP_URL'))
    .addOption(
      new Option('--api-key <key>', "the tenant's API key (prefer the variable: arguments show in ps)").env(
        'DATAPUMP_API_KEY',
      ),
    )
    .addOption(
      new Option('--database <name>', 'database, as the gateway names it').env('DATAPUMP_DATABASE').default('orcl'),
    )
    .option('--json', 'machine output: JSON on stdout, errors as JSON on stderr, no progress')
    .addOption(
      new Option('--poll-interval <ms>', 'first pause between polls while waiting')
        .argParser(positiveInt('--poll-interval'))
        .default(1000),
    )
    .addOption(
      new Option(
        '--long-poll <seconds>',
        'while waiting, ask the gateway to hold each poll up to this long for a change (0-60; 0: never)',
      )
        .argParser(intFromTo('--long-poll', 0, 60))
        .default(30),
    )
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`datapump: ${text.replace(/^error: /, '')}`),
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(datapump --help shows the usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes (--wait, status, logs --follow follow the job's outcome, not its state):
  0  the job succeeded (even if it reads NOT RUNNING), is still running (status), or the command succeeded
  1  the job failed, was stopped, or its outcome is unknown
  2  bad usage
  3  authentication (no API key, or the gateway refused it)
  4  refused by policy or validation (400, 403, 404, 422…)
  5  rate limited or over quota (429)
  6  gateway or ORDS unavailable (502, 503, 504, network errors)
  7  --timeout ran out while waiting (the job goes on)
  8  the job succeeded with errors (its log lists them)
  9  logs: the job's log is no longer available (ORDS dropped it; the emulator forgets jobs on restart)
  130 interrupted while waiting (the job goes on)

Output: NO_COLOR (any value) or TERM=dumb: plain progress lines, no escape sequences, even on a terminal.`,
    );

  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command('export')
    .description('start an EXPORT of schemas (or of some of their tables)')
    .option('--schema <name>', 'a schema to export (repeatable, or comma-separated)', collect)
    .option('--table <name>', 'export only these tables of the schemas: TABLE mode (repeatable)', collect)
    .addOption(new Option('--mode <mode>', `job mode (${MODES.join(', ')})`).argParser(mode))
    .option('--file <name>', 'dump file name pattern')
    .option('--threads <n>', 'parallel workers', positiveInt('--threads'))
    .option('--wait', 'wait until the job ends; the exit code says how')
    .option('--timeout <seconds>', 'with --wait: give up waiting after this long (exit 7)', positiveInt('--timeout'))
    .action(
      async (
        given: {
          schema?: string[];
          table?: string[];
          mode?: JobMode;
          file?: string;
          threads?: number;
          wait?: boolean;
          timeout?: number;
        },
        cmd: Command,
      ) => {
        const opts = { ...given, schema: given.schema ?? [], table: given.table ?? [] };
        if (opts.schema.length === 0 && opts.mode === undefined)
          throw new UsageError('export needs --schema NAME (or --mode FULL)');
        if (opts.table.length > 0 && opts.schema.length === 0)
          throw new UsageError('--table needs the --schema the tables are in');
        const g = globals(cmd);
        const client = clientFor(g, io);
        const job = await client.exportSchemas(opts.schema, {
          ...(opts.table.length ? { tables: opts.table } : {}),
          ...(opts.mode ? { mode: opts.mode } : {}),
          ...(opts.file ? { fileName: opts.file } : {}),
          ...(opts.threads ? { threads: opts.threads } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        await created(client, job, g, io, opts);
      },
    );

  program
    .command('import')
    .description('start an IMPORT of a dump file')
    .requiredOption('--file <name>', 'the dump file to import')
    .option('--remap <source:target>', 'import schema SOURCE as TARGET (repeatable)', remap)
    .addOption(new Option('--mode <mode>', `job mode (${MODES.join(', ')})`).argParser(mode))
    .option('--schema <name>', 'import only these schemas of the dump (repeatable)', collect)
    .option('--threads <n>', 'parallel workers', positiveInt('--threads'))
    .option('--wait', 'wait until the job ends; the exit code says how')
    .option('--timeout <seconds>', 'with --wait: give up waiting after this long (exit 7)', positiveInt('--timeout'))
    .action(
      async (
        given: {
          file: string;
          remap?: Record<string, string>;
          mode?: JobMode;
          schema?: string[];
          threads?: number;
          wait?: boolean;
          timeout?: number;
        },
        cmd: Command,
      ) => {
        const opts = { ...given, remap: given.remap ?? {}, schema: given.schema ?? [] };
        const g = globals(cmd);
        const client = clientFor(g, io);
        const job = await client.importDump(opts.file, {
          remap: opts.remap,
          ...(opts.mode ? { mode: opts.mode } : {}),
          ...(opts.schema.length ? { schemas: opts.schema } : {}),
          ...(opts.threads ? { threads: opts.threads } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        await created(client, job, g, io, opts);
      },
    );

  program
    .command('status')
    .description('show one job; once it has ended, the exit code says how')
    .argument('<owner,job>', 'the job, as OWNER,JOB_NAME', jobRefArgument)
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const job = withOutcome(await clientFor(g, io).getJob(ref, signalOf(io)));
      io.stdout.write(g.json ? json(job) : describeJob(job));
      judge(job);
    });

  program
    .command('list')
    .description('list your jobs, newest first')
    .option('--limit <n>', 'how many (1-500)', positiveInt('--limit'), 25)
    .option('--offset <n>', 'skip this many', positiveInt('--offset', 0), 0)
    .option('--all', 'every job, across pages')
    .action(async (opts: { limit: number; offset: number; all?: boolean }, cmd: Command) => {
      if (opts.limit > 500) throw new UsageError('--limit must be at most 500');
      const g = globals(cmd);
      const client = clientFor(g, io);
      let page: JobCollection;
      if (opts.all) {
        const items: Job[] = [];
        for await (const job of client.allJobs({ limit: 500, offset: opts.offset, ...signalOf(io) })) items.push(job);
        page = { items, hasMore: false, limit: items.length || 1, offset: opts.offset, count: items.length, links: [] };
      } else {
        page = await client.listJobs({ limit: opts.limit, offset: opts.offset, ...signalOf(io) });
      }
      if (g.json) {
        io.stdout.write(
          json({
            items: page.items.map((j) => withOutcome(j)),
            hasMore: page.hasMore,
            offset: page.offset,
            count: page.count,
          }),
        );
        return;
      }
      io.stdout.write(jobTable(page.items));
      if (page.hasMore) io.stderr.write(`(more jobs: --offset ${page.offset + page.count}, or --all)\n`);
    });

  program
    .command('logs')
    .description("print a job's log")
    .argument('<owner,job>', 'the job, as OWNER,JOB_NAME', jobRefArgument)
    .option('-f, --follow', 'keep printing as the log grows until the job ends; the exit code says how it ended')
    .action(async (ref: string, opts: { follow?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const client = clientFor(g, io);
      if (!opts.follow) {
        io.stdout.write(await wholeLog(client, ref, io));
        return;
      }
      await follow(client, ref, io, g.pollInterval ?? 1000, g.json === true);
    });

  return program;
}

function signalOf(io: DatapumpIo): { signal?: AbortSignal } {
  return io.signal ? { signal: io.signal } : {};
}

function clientFor(g: GlobalOptions, io: DatapumpIo): DatapumpClient {
  const url = g.url ?? io.env.DATAPUMP_URL;
  if (!url) throw new UsageError('no gateway URL: pass --url or set DATAPUMP_URL');
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, not "${url}"`);
  const apiKey = g.apiKey ?? io.env.DATAPUMP_API_KEY;
  if (!apiKey) throw new MissingCredentialError('no API key: pass --api-key or set DATAPUMP_API_KEY');
  return createDatapumpClient({ baseUrl: url, apiKey, database: g.database ?? io.env.DATAPUMP_DATABASE ?? 'orcl' });
}

/** After a create: print the job, or wait for it with progress. */
async function created(
  client: DatapumpClient,
  job: Job,
  g: GlobalOptions,
  io: DatapumpIo,
  opts: { wait?: boolean; timeout?: number },
): Promise<void> {
  const ref = formatJobRef(job);
  if (!opts.wait) {
    io.stdout.write(g.json ? json(job) : `created ${ref} (${job.operation} ${job.job_mode}): ${job.state}\n`);
    return;
  }
  const live = livelyTerminal(io.stderr, io.env);
  const progress: ProgressReporter = g.json
    ? silentProgress
    : live
      ? ttyProgress(io.stderr, ref)
      : plainProgress(io.stderr, ref);
  if (!g.json && !live) io.stderr.write(`created ${ref} (${job.operation} ${job.job_mode}), waiting for it to end\n`);
  const started = Date.now();
  let final: Job;
  try {
    final = await client.waitForJob(job, {
      pollIntervalMs: g.pollInterval ?? 1000,
      longPollSeconds: g.longPoll ?? 30,
      progressLog: !g.json,
      logTailLines: 8,
      onProgress: (p) => progress.update(p),
      ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}),
      ...signalOf(io),
    });
  } catch (error) {
    progress.stop();
    if (error instanceof DatapumpJobFailedError && g.json) io.stdout.write(json(error.job));
    if (error instanceof Error && error.name === 'AbortError') throw new InterruptedWait(ref);
    throw error;
  }
  progress.stop();
  io.stdout.write(
    g.json ? json(final) : `${ref} ${howItEnded(final)} after ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  judge(final);
}

/** `COMPLETED: succeeded`, `NOT RUNNING: succeeded`, `COMPLETED: succeeded with 3 errors`, `COMPLETED: succeeded (inferred)`. */
function howItEnded(job: Job): string {
  return `${job.state}: ${describeOutcome(outcomeOf(job))}`;
}

/**
 * The exit a job's outcome gives, once it has ended: nothing (0) while it runs or when it succeeded, whatever
 * its state; a warning (exit 8) when it succeeded with errors; `DatapumpJobFailedError` (exit 1) otherwise.
 */
function judge(job: Job, logTail: readonly string[] = []): void {
  if (!isFinished(job)) return;
  const ended = withOutcome(job);
  if (ended.outcome.result === 'succeeded_with_errors') throw new JobSucceededWithErrors(ended);
  if (!isSuccessful(ended)) throw new DatapumpJobFailedError(ended, logTail);
}

/** Ctrl-C while waiting: the job itself goes on. */
class InterruptedWait extends Error {
  override name = 'AbortError';
  constructor(ref: string) {
    super(`interrupted; the job goes on: datapump status ${ref}`);
  }
}

/** `logs --follow`: print the log as it grows (lines that changed are printed again), until the job's outcome is known. */
async function follow(
  client: DatapumpClient,
  ref: string,
  io: DatapumpIo,
  pollIntervalMs: number,
  quiet: boolean,
): Promise<void> {
  let printed: string[] = [];
  for (;;) {
    const job = await client.getJob(ref, signalOf(io));
    const terminal = isFinished(job);
    const text = terminal ? await finalLog(client, job, io, printed) : await client.readLog(job, signalOf(io));
    const lines = text.split('\n');
    // A last line without its newline may still be being written: hold it back until the job ends.
    const complete = terminal ? lines.filter((l, i) => i < lines.length - 1 || l !== '') : lines.slice(0, -1);
    let same = 0;
    while (same < printed.length && same < complete.length && printed[same] === complete[same]) same++;
    const fresh = complete.slice(same);
    if (fresh.length > 0) io.stdout.write(`${fresh.join('\n')}\n`);
    printed = complete;
    if (terminal) {
      // stdout is the log, as it is; how the job ended goes to stderr (and a failure, as any error, there too).
      if (!quiet && isSuccessful(job)) io.stderr.write(`${ref} ${howItEnded(job)}\n`);
      judge(job);
      return;
    }
    try {
      await sleep(pollIntervalMs, io.signal);
    } catch (error) {
      throw error instanceof Error && error.name === 'AbortError' ? new InterruptedWait(ref) : error;
    }
  }
}

/**
 * The log of a job that has ended; what was printed already when the log is gone with the job (ORDS forgets a
 * successful job, and the gateway then shows no log link, or answers 404 for it): the outcome still says how it ended.
 */
async function finalLog(client: DatapumpClient, job: Job, io: DatapumpIo, printed: readonly string[]): Promise<string> {
  const seen = printed.length > 0 ? `${printed.join('\n')}\n` : '';
  if (!logLink(job)) return seen;
  try {
    return await client.readLog(job, signalOf(io));
  } catch (error) {
    if (error instanceof DatapumpProblemError && error.status === 404) return seen;
    throw error;
  }
}

/**
 * `logs` without `--follow`: the job's log, or `LogGoneError` (exit 9) when the job has ended and ORDS no longer
 * has its log (the gateway answers `404 file-not-found` for it, or lists no log link). A job the gateway does not
 * know stays `404 job-not-found` (exit 4), and a running job without a log link keeps the client's own error.
 */
async function wholeLog(client: DatapumpClient, ref: string, io: DatapumpIo): Promise<string> {
  const job = await client.getJob(ref, signalOf(io));
  if (!logLink(job) && isFinished(job)) throw new LogGoneError(ref);
  try {
    return await client.readLog(job, signalOf(io));
  } catch (error) {
    const gone =
      error instanceof DatapumpProblemError &&
      ((error.status === 404 && error.slug === 'file-not-found') || error.status === 410);
    if (gone) throw new LogGoneError(ref);
    throw error;
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function describeJob(job: Job): string {
  const log = logLink(job);
  const dumps = dumpLinks(job).map(fileNameOf);
  const rows: [string, string | number | undefined][] = [
    ['job', formatJobRef(job)],
    ['operation', job.operation],
    ['mode', job.job_mode],
    ['state', job.state],
    ['outcome', describeOutcome(outcomeOf(job))],
    ['finished', job.outcome?.finished_at],
    ['degree', job.degree],
    ['sessions', job.datapump_sessions],
    ['log', log ? fileNameOf(log) : undefined],
    ['dump files', dumps.length ? dumps.join(' ') : undefined],
  ];
  return rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(11)}${v}\n`)
    .join('');
}

function jobTable(jobs: readonly Job[]): string {
  if (jobs.length === 0) return 'no jobs\n';
  const rows = [
    ['JOB', 'OPERATION', 'MODE', 'STATE', 'OUTCOME'],
    ...jobs.map((j) => [formatJobRef(j), j.operation, j.job_mode, j.state, describeOutcome(outcomeOf(j))]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return (
    rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join('')).join('\n') +
    '\n'
  );
}

/** One line for a human, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof DatapumpProblemError) {
    const retry =
      error.retryAfter !== undefined && [409, 429, 503].includes(error.status)
        ? ` (retry after ${error.retryAfter} s)`
        : '';
    return `${error.message}${retry}`;
  }
  if (error instanceof DatapumpJobFailedError) {
    return [
      `job ${formatJobRef(error.job)} ended ${error.state} (${failureWords(error.outcome)})`,
      ...error.logTail.map((l) => `  ${l}`),
    ].join('\n');
  }
  if (error instanceof JobSucceededWithErrors) return `warning: ${error.message}`;
  if (error instanceof DatapumpWaitTimeoutError)
    return `${error.message}; it goes on: datapump status ${error.job ? formatJobRef(error.job) : '…'}`;
  return error instanceof Error ? error.message : String(error);
}

/** `failed`, `stopped`, `outcome unknown`, `failed, inferred`. */
function failureWords(outcome: JobOutcome): string {
  return `${resultWords(outcome)}${outcome.source === 'inferred' ? ', inferred' : ''}`;
}

function errorJson(error: unknown, code: number): string {
  if (error instanceof JobSucceededWithErrors) {
    const { job } = error;
    return `${JSON.stringify({ warning: { message: error.message, job: formatJobRef(job), state: job.state, outcome: job.outcome }, exit_code: code })}\n`;
  }
  const base: Record<string, unknown> = { message: describeError(error).split('\n')[0] };
  if (error instanceof DatapumpProblemError) {
    Object.assign(base, {
      status: error.status,
      type: error.type,
      title: error.title,
      detail: error.detail,
      errors: error.errors,
      retry_after: error.retryAfter,
      request_id: error.requestId,
    });
  }
  if (error instanceof LogGoneError) base.job = error.ref;
  if (error instanceof DatapumpJobFailedError)
    Object.assign(base, {
      job: formatJobRef(error.job),
      state: error.state,
      outcome: error.outcome,
      log_tail: error.logTail,
    });
  return `${JSON.stringify({ error: base, exit_code: code })}\n`;
}

/** Runs one command line (without `node` and the script); resolves to the exit code. Never throws. */
export async function runDatapump(argv: readonly string[], io: DatapumpIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // commander already printed its message (or the help).
    if (error instanceof CommanderError) return exitCodeForCommander(error);
    const code = exitCodeFor(error);
    const wantsJson = argv.includes('--json');
    if (wantsJson) io.stderr.write(errorJson(error, code));
    else {
      const hint = error instanceof UsageError ? ' (datapump --help shows the usage)' : '';
      io.stderr.write(`datapump: ${describeError(error)}${hint}\n`);
    }
    return code;
  }
}
