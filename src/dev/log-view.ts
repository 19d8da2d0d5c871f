/** @module `make run`'s logs: every line of a child to its file, and to the terminal as JSON or as one readable line. */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { prettyFactory } from 'pino-pretty';

/** Health probes: `make run` itself polls /readyz, and a terminal has no use for them (the file keeps them). */
const PROBE = /^\/(?:readyz|healthz|livez)(?:[/?]|$)/;

/**
 * Readable lines on a terminal, JSON otherwise. `DATAPUMP_RUN_PRETTY=1` (or `0`) forces the choice, so a test
 * (no TTY) can see the readable view and a developer can pipe JSON through `jq` from a terminal.
 */
export function wantsPretty(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.DATAPUMP_RUN_PRETTY === '1') return true;
  if (env.DATAPUMP_RUN_PRETTY === '0') return false;
  return isTTY;
}

export interface ReadableOptions {
  /** Colours, for a terminal that wants them (pino-pretty's own). */
  readonly colorize: boolean;
}

/**
 * One log line as a person reads it: `gateway   [10:04:11] INFO: request completed: GET /… 201 (12.5 ms) {"tenant":…}` (the process name, then the line),
 * or undefined for a probe's access line. Lines that are not JSON (the emulator's start-up lines) pass as they are.
 */
export function readableLine(name: string, { colorize }: ReadableOptions): (line: string) => string | undefined {
  const common = { singleLine: true, translateTime: 'SYS:HH:MM:ss', colorize };
  const general = prettyFactory({ ...common, ignore: 'pid,hostname,service' });
  // An access line says what it is about in its message; the request id stays in the file.
  const access = prettyFactory({
    ...common,
    ignore: 'pid,hostname,service,req,res,responseTime',
    messageFormat: '{msg}: {req.method} {req.url} {res.statusCode} ({responseTime} ms)',
  });
  const label = name.padEnd(9);
  return (line) => {
    const entry = parseObject(line);
    const url = entry?.req && typeof entry.req === 'object' ? (entry.req as { url?: unknown }).url : undefined;
    if (typeof url === 'string' && PROBE.test(url)) return undefined;
    const text = (typeof url === 'string' && entry?.res ? access : general)(entry ?? line);
    return `${label} ${text.endsWith('\n') ? text : `${text}\n`}`;
  };
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface ChildLogs {
  /** Where each child's full output goes: `<dir>/<name>.log`, new at each start. */
  readonly dir: string;
  readonly pretty: boolean;
  readonly colorize: boolean;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Sends a child's stdout and stderr, byte for byte, to its log file; its stderr to ours unchanged; its stdout to
 * ours unchanged (JSON) or line by line through `readableLine`. Returns the file's path.
 */
export function teeChild(name: string, child: ChildProcess, logs: ChildLogs): string {
  mkdirSync(logs.dir, { recursive: true });
  const path = join(logs.dir, `${name}.log`);
  const file: WriteStream = createWriteStream(path, { flags: 'w' });
  let open = 2;
  const ended = () => {
    if (--open === 0) file.end();
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => file.write(chunk));
    stream?.once('end', ended);
  }
  child.stderr?.on('data', (chunk: Buffer) => logs.stderr.write(chunk));
  if (!logs.pretty) child.stdout?.on('data', (chunk: Buffer) => logs.stdout.write(chunk));
  else if (child.stdout) {
    const readable = readableLine(name, { colorize: logs.colorize });
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const text = readable(line);
      if (text !== undefined) logs.stdout.write(text);
    });
  }
  return path;
}
