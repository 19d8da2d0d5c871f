// Child processes for the packaging test: a command run to its end, or a server run until its listening line.
import { type ChildProcess, spawn } from 'node:child_process';

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** What node, npm and node-gyp need (a proxy too), so a developer's own DATAPUMP_* or PORT never leaks in. */
const PASSED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS'];

function environment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (PASSED.includes(name.toUpperCase()) && value !== undefined) env[name] = value;
  return { ...env, ...extra };
}

/** Runs a command to its end (no shell), collecting its output. */
export function run(command: string, args: readonly string[], { cwd, env }: RunOptions): Promise<Finished> {
  const child = spawn(command, [...args], { cwd, env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Server {
  /** The first capture group of the listening pattern (a URL). */
  readonly url: string;
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Starts a long-running command and resolves once its output matches `listening` (rejects if it exits first). */
export function serve(
  command: string,
  args: readonly string[],
  options: RunOptions & { readonly listening: RegExp; readonly timeoutMs?: number },
): Promise<Server> {
  const child: ChildProcess = spawn(command, [...args], {
    cwd: options.cwd,
    env: environment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`${command} did not start in time:\n${output}`)));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: string) => {
      output += chunk;
      const match = options.listening.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ url: match[1]!, output: () => output, stop });
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command} exited before listening:\n${output}`));
    });
  });
}
