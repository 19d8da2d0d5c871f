// Runs `datapump` as a real child process (node --import tsx src/client-cli/main.ts), with an environment the test controls.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = ['--import', 'tsx', 'src/client-cli/main.ts'] as const;

export interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  stdout(): string;
  stderr(): string;
  /** Resolves once `predicate` holds for the output so far (checked on every chunk). */
  waitFor(predicate: (out: { stdout: string; stderr: string }) => boolean, timeoutMs?: number): Promise<void>;
  readonly done: Promise<Finished>;
  kill(signal: NodeJS.Signals): void;
}

/** Only what node and tsx need: a developer's own DATAPUMP_* variables must not leak into a test. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export function start(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
): Running {
  const child = spawn(command, [...args], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const w of watchers) w();
  };
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    notify();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<Finished>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      notify();
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    kill: (signal) => child.kill(signal),
    waitFor(predicate, ms = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (predicate({ stdout, stderr })) {
            cleanup();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`exited before the output expected:\nstdout: ${stdout}\nstderr: ${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`output expected within ${ms} ms:\nstdout: ${stdout}\nstderr: ${stderr}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
  };
}

export function datapump(args: readonly string[], env: Record<string, string> = {}): Running {
  return start(process.execPath, [...MAIN, ...args], env);
}

export const run = (args: readonly string[], env: Record<string, string> = {}): Promise<Finished> =>
  datapump(args, env).done;
