/** @module Child processes of the benchmark (emulator, proxies, gateways, nginx): started with their output in a file, always stopped. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Service {
  readonly name: string;
  readonly pid: number;
  /** The first capture group of the ready line (a URL). */
  readonly url: string;
  /** Milliseconds from spawn() to the ready line appearing in the log file. */
  readonly startMs: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The process and, with `trackChildren`, its own children (nginx's workers): whose CPU time is the target's. */
  pids(): number[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process (and any tracked child) is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  /** The program; default this Node (`process.execPath`). */
  readonly command?: string;
  /** Arguments after the program (for Node: flags, the script and its options). */
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr go: a plain file, so the child never waits on the runner to read it. */
  readonly logFile: string;
  /**
   * The line that says the service is up (group 1 is its URL); or, for a program that prints none (nginx with
   * `daemon off`), a probe called every 5 ms that resolves with the URL once the service answers.
   */
  readonly ready: RegExp | (() => Promise<string | undefined>);
  readonly timeoutMs?: number;
  /**
   * Remember the process's children (read at ready time and at every `pids()`): they are counted in its CPU time,
   * and any left behind when it exits (a worker whose master was SIGKILLed) are SIGKILLed too.
   */
  readonly trackChildren?: boolean;
}

const running = new Set<Service>();

/** Every service still running (for the cleanup on exit or signal). */
export function runningServices(): Service[] {
  return [...running];
}

export async function startService(options: StartOptions): Promise<Service> {
  const fd = openSync(options.logFile, 'w');
  const began = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(options.command ?? process.execPath, [...options.args], {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: spawn failed`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  // Children by pid, with their start time: a pid reused by another process after ours exited is never signalled.
  const tracked = new Map<number, string>();
  const track = () => {
    if (!options.trackChildren || gone) return;
    for (const c of childrenOf(pid)) if (!tracked.has(c)) tracked.set(c, startTimeOf(c) ?? '');
  };

  const service: Service = {
    name: options.name,
    pid,
    url: '',
    startMs: 0,
    logFile: options.logFile,
    child,
    exited,
    pids() {
      track();
      return [pid, ...[...tracked.keys()].filter((c) => startTimeOf(c) === tracked.get(c))];
    },
    async stop(graceMs = 5_000) {
      track();
      if (!gone) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!gone) child.kill('SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      killTracked(tracked);
      running.delete(service);
    },
  };
  leftovers.set(service, tracked);
  running.add(service);

  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    const { url, at } = await new Promise<{ url: string; at: number }>((resolve, reject) => {
      // Polled every 5 ms: start-up times are reported to that resolution.
      const ready = options.ready;
      let probing = false;
      const found = (url: string) => {
        const at = performance.now();
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ url, at });
      };
      const poll = setInterval(() => {
        if (ready instanceof RegExp) {
          const match = ready.exec(readLog(options.logFile));
          if (match) found(match[1] ?? '');
        } else if (!probing) {
          probing = true;
          ready().then(
            (url) => {
              probing = false;
              if (url !== undefined && !gone) found(url);
            },
            () => {
              probing = false;
            },
          );
        }
      }, 5);
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`${options.name} did not start within ${timeoutMs} ms:\n${tail(options.logFile)}`));
      }, timeoutMs);
      void exited.then(({ code, signal }) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(
          new Error(
            `${options.name} exited (code ${code}, signal ${signal}) before it was ready:\n${tail(options.logFile)}`,
          ),
        );
      });
    });
    Object.assign(service, { url, startMs: at - began });
    track();
    return service;
  } catch (error) {
    await service.stop(1_000);
    throw error;
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function tail(file: string, lines = 20): string {
  return readLog(file).split('\n').slice(-lines).join('\n');
}

/** Stops every running service, in parallel; never throws. */
export async function stopAll(graceMs = 5_000): Promise<void> {
  await Promise.all(runningServices().map((s) => s.stop(graceMs).catch(() => undefined)));
}

/** Last resort on process exit: synchronous SIGKILL of whatever is still up. */
export function killAllNow(): void {
  for (const s of running) {
    try {
      s.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    killTracked(leftovers.get(s) ?? new Map());
  }
}

/** The tracked children of each service, for the last-resort kill. */
const leftovers = new WeakMap<Service, Map<number, string>>();

/** SIGKILLs the tracked children still alive (and still the same processes). */
function killTracked(tracked: ReadonlyMap<number, string>): void {
  for (const [c, started] of tracked) {
    if (startTimeOf(c) !== started) continue;
    try {
      process.kill(c, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** A process's children, from /proc/<pid>/task/<pid>/children (Linux); none when it is gone. */
export function childrenOf(pid: number): number[] {
  const file = join('/proc', String(pid), 'task', String(pid), 'children');
  if (!existsSync(file)) return [];
  try {
    return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Field 22 of /proc/<pid>/stat (start time in ticks since boot): with the pid, names one process for ever. */
function startTimeOf(pid: number): string | undefined {
  try {
    const text = readFileSync(join('/proc', String(pid), 'stat'), 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export interface MemoryStatus {
  /** Resident set size now, in bytes. */
  readonly rss: number;
  /** Peak resident set size since the process started, in bytes. */
  readonly hwm: number;
}

/** VmRSS and VmHWM of a process, from /proc/<pid>/status (Linux). */
export function memoryOf(pid: number): MemoryStatus {
  const text = readFileSync(join('/proc', String(pid), 'status'), 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** CPU time of several processes (a service's `pids()`), in ms; a process already gone counts 0. */
export function cpuMsOfAll(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuMsOf(pid);
    } catch {
      // exited: its time is lost, as it would be for any process
    }
  }
  return total;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux, 10 ms resolution). */
export function cpuMsOf(pid: number): number {
  const text = readFileSync(join('/proc', String(pid), 'stat'), 'utf8');
  // Fields after the command name (which may hold spaces) start at state (field 3); utime and stime are 14 and 15.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
