// Command-line options of the emulator, shared by main.ts and the package CLI's `emulator` subcommand.
import { Command, InvalidArgumentError, Option } from 'commander';

import { checkConfig, type EmulatorConfig, loadConfigFile, toEmulatorOptions } from './config-file.js';
import type { PagingParam } from './options.js';
import { createEmulator, type Emulator } from './server.js';
import { parseByteSize } from './sizes.js';

const int =
  (name: string) =>
  (value: string): number => {
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
    return Number(value);
  };
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const PAGING_PARAMS: readonly PagingParam[] = ['limit', 'offset'];
/** `limit,offset` → `['limit', 'offset']`; an unknown name is refused (commander prints it on one line, exit 1). */
function pagingParams(value: string): PagingParam[] {
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(PAGING_PARAMS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `--ignore-paging takes limit and/or offset, comma-separated, not ${unknown.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  return [...new Set(names as PagingParam[])];
}

/** Flag → config key. A flag overrides the config file only when given (or set through its env variable). */
const FLAGS: Array<[Option, keyof EmulatorConfig | null]> = [
  [
    new Option('-p, --port <port>', 'port to listen on; 0 picks a free one (default 8181)')
      .env('EMULATOR_PORT')
      .argParser(int('--port')),
    'port',
  ],
  [new Option('-H, --host <host>', 'interface to bind (default 127.0.0.1)').env('EMULATOR_HOST'), 'host'],
  [new Option('-c, --config <file>', 'JSON file with any factory option (flags win over it)'), null],
  [new Option('--database <name>', 'database segment of the URL (default orcl)'), 'database'],
  [new Option('--schema <alias>', 'schema alias segment of the URL (default pdbadmin)'), 'schema'],
  [
    new Option(
      '--user <name:password>',
      'a database user for HTTP Basic; repeatable; replaces the default pdbadmin:oracle',
    ).argParser(collect),
    'users',
  ],
  [
    new Option(
      '--client <id:secret>',
      'an OAuth2 client; repeatable; replaces the default emulator-client:emulator-secret',
    ).argParser(collect),
    'clients',
  ],
  [
    new Option('--token-ttl <seconds>', 'access token lifetime (default 3600)').argParser(int('--token-ttl')),
    'tokenTtlSeconds',
  ],
  [
    new Option('--job-duration <ms>', 'time a job stays EXECUTING (default 5000)').argParser(int('--job-duration')),
    'jobDurationMs',
  ],
  [
    new Option(
      '--lifecycle <kind>',
      'a completed job: dropped (COMPLETED briefly, then gone; default), kept (NOT RUNNING), completed (stays)',
    ).choices(['dropped', 'kept', 'completed']),
    'lifecycle',
  ],
  [
    new Option(
      '--completed-visible <ms>',
      'how long a dropped job shows COMPLETED before it vanishes (default: --retain-finished, else 1000)',
    ).argParser(int('--completed-visible')),
    'completedVisibleMs',
  ],
  [
    new Option(
      '--retain-finished <ms>',
      'legacy: every finished job vanishes <ms> after it ended (and dropped jobs show COMPLETED that long)',
    ).argParser(int('--retain-finished')),
    'retainFinishedMs',
  ],
  [
    new Option('--fail-when-file-name-contains <text>', 'jobs whose file_name contains <text> end NOT RUNNING'),
    'failWhenFileNameContains',
  ],
  [
    new Option(
      '--complete-with-errors-when-file-name-contains <text>',
      'jobs whose file_name contains <text> complete with errors',
    ),
    'completeWithErrorsWhenFileNameContains',
  ],
  [
    new Option('--vanished-files <kind>', "a vanished job's files: gone (404) or served (default gone)").choices([
      'gone',
      'served',
    ]),
    'vanishedFiles',
  ],
  [new Option('--db-time-zone <zone>', 'IANA time zone of job names and log dates (default UTC)'), 'dbTimeZone'],
  [
    new Option(
      '--log-bytes <size>',
      'exact size of every job log, streamed (e.g. 1GiB); default a short log',
    ).argParser(parseByteSize),
    'logBytes',
  ],
  [
    new Option('--dump-bytes <size>', 'size of an export dump file (default 64KiB)').argParser(parseByteSize),
    'dumpBytes',
  ],
  [
    new Option(
      '--dump-media-type <type>',
      "Content-Type of dump files: application/octet-stream (default) or application/vnd.tcpdump.pcap (Oracle's)",
    ).choices(['application/octet-stream', 'application/vnd.tcpdump.pcap']),
    'dumpMediaType',
  ],
  [
    new Option(
      '--ords-version <version>',
      'the ORDS release played, 19 or later (19.4, 22.3.1, …), with its documented differences (default 25.4)',
    ),
    'ordsVersion',
  ],
  [
    new Option('--serve-any-file', "serve any file name of an existing job (a fake body), not only the job's own"),
    'serveAnyFile',
  ],
  [
    new Option(
      '--validate <mode>',
      'create-body checks: documented (what ORDS documents), strict (the old upstream schemas), off (default documented)',
    ).choices(['documented', 'strict', 'off']),
    'validate',
  ],
  [new Option('--no-validate', 'skip checking create bodies (the same as --validate off)'), 'validate'],
  [
    new Option(
      '--ignore-paging <params>',
      'list paging parameters not read, comma-separated: limit (every page is defaultLimit, 25, long), offset (every page starts at the first job)',
    ).argParser(pagingParams),
    'ignorePaging',
  ],
  [
    new Option('--faults <json>', 'initial fault list as JSON (see README)').argParser((v) => JSON.parse(v) as unknown),
    'faults',
  ],
  [
    new Option('--fault-seed <n>', 'seed of the fault fraction PRNG (default 1)').argParser(int('--fault-seed')),
    'faultSeed',
  ],
  [
    new Option('--record-requests <n>', 'how many requests /__emulator/requests keeps (default 1000)').argParser(
      int('--record-requests'),
    ),
    'recordRequests',
  ],
  [new Option('--public-url <origin>', 'origin for Location and links (default: from the Host header)'), 'publicUrl'],
  [
    new Option('--clock <kind>', 'real, or manual (moved by POST /__emulator/clock)').choices(['real', 'manual']),
    'clock',
  ],
  [new Option('--clock-start <iso>', 'start of the manual clock (implies --clock manual)'), 'clockStart'],
  [new Option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (needs --tls-key)'), 'tlsCertFile'],
  [new Option('--tls-key <file>', 'the PEM private key of --tls-cert'), 'tlsKeyFile'],
  [
    new Option('--tls-ca <file>', 'require a client certificate issued by this PEM CA (mutual TLS; needs --tls-cert)'),
    'tlsCaFile',
  ],
];

function pairs(list: string[], flag: string): Record<string, string> {
  return Object.fromEntries(
    list.map((item) => {
      const colon = item.indexOf(':');
      if (colon <= 0) throw new Error(`${flag} expects name:secret, not ${JSON.stringify(item)}`);
      return [item.slice(0, colon), item.slice(colon + 1)];
    }),
  );
}

/** Adds the emulator's options to `command` (main.ts's program or the `emulator` subcommand). */
export function addEmulatorOptions(command: Command): Command {
  for (const [option] of FLAGS) command.addOption(asArgumentError(option));
  return command;
}

/**
 * A flag's parser that throws (a bad number, size or JSON) is refused as commander refuses a bad argument: one line
 * naming the flag and the value, exit 1, no stack trace.
 */
function asArgumentError(option: Option): Option {
  const parse = option.parseArg;
  if (!parse) return option;
  return option.argParser((value: string, previous: unknown) => {
    try {
      return parse(value, previous);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw err;
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  });
}

/** Config file, then env variables and flags that were actually given. */
export function configFromCommand(command: Command): EmulatorConfig {
  const values = command.opts<Record<string, unknown>>();
  const base: Record<string, unknown> = typeof values.config === 'string' ? { ...loadConfigFile(values.config) } : {};
  for (const [option, key] of FLAGS) {
    const name = option.attributeName();
    const source = command.getOptionValueSource(name);
    if (!key || (source !== 'cli' && source !== 'env')) continue;
    const value = values[name];
    if (key === 'users' || key === 'clients') base[key] = pairs(value as string[], option.long ?? key);
    else if (key === 'validate' && value === false)
      base[key] = 'off'; // --no-validate
    else base[key] = value;
  }
  return checkConfig(base, 'options');
}

/** Where the command writes; structurally the package CLI's `CliIo`, so the lead's registrar list accepts it. */
export interface EmulatorIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr?: { write(text: string): unknown };
}

const PROCESS_IO: EmulatorIo = { stdout: process.stdout, stderr: process.stderr };

/**
 * Starts the emulator and prints the listening line (tests and other teams' CI parse its exact prefix), then, in
 * the same write, that its jobs live in memory: a `datapump logs` after a restart finds nothing, and should not
 * surprise anyone.
 */
export async function startFromConfig(config: EmulatorConfig, io: EmulatorIo = PROCESS_IO): Promise<Emulator> {
  const emulator = await createEmulator(toEmulatorOptions(config)).listen();
  io.stdout.write(
    `ORDS emulator listening on ${emulator.apiUrl}\nORDS emulator: jobs are kept in memory only: a restart forgets them\n`,
  );
  return emulator;
}

/** Runs until SIGTERM or SIGINT, then closes (hanging connections included) and resolves. */
export async function runEmulator(config: EmulatorConfig, io: EmulatorIo = PROCESS_IO): Promise<void> {
  const emulator = await startFromConfig(config, io);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void emulator.close().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** The command's action: options (flags, env, config file) → a running emulator until SIGTERM/SIGINT. */
export function emulatorAction(io: EmulatorIo = PROCESS_IO) {
  return async function action(this: Command): Promise<void> {
    let config: EmulatorConfig;
    try {
      config = configFromCommand(this);
    } catch (error) {
      // Through commander, so the exit code (1) follows the program's own exit handling.
      this.error(`ORDS emulator: ${(error as Error).message}`, { exitCode: 1 });
    }
    try {
      await runEmulator(config, io);
    } catch (error) {
      // A file that cannot be read or a certificate that does not load: one line, not a stack.
      this.error(`ORDS emulator: ${(error as Error).message}`, { exitCode: 1 });
    }
  };
}

/** The standalone program of main.ts. */
export function emulatorProgram(io: EmulatorIo = PROCESS_IO): Command {
  const program = new Command('ords-emulator').description('ORDS Data Pump emulator (an HTTP double of ORDS)');
  return addEmulatorOptions(program).action(emulatorAction(io));
}
