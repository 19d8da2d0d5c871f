// Starts a throwaway redis-server on a free port as a real child process, so a test can stop it mid-way.
import { type ChildProcess, spawn } from 'node:child_process';

import { Redis } from 'ioredis';

import { freePort } from './free-port.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  start(): Promise<void>;
}

async function waitUntilUp(port: number): Promise<void> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // refused while it starts: expected, retried below
  for (let i = 0; i < 100; i++) {
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`redis-server on port ${port} did not come up`);
}

/** The binary scripts/test-services.sh found (REDIS_SERVER_PATH), else redis-server on PATH. */
const REDIS_SERVER = process.env.REDIS_SERVER_PATH || 'redis-server';

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const spawned = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    child = spawned;
    const missing = new Promise<never>((_, reject) =>
      spawned.once('error', (err) =>
        reject(
          new Error(
            `cannot start ${REDIS_SERVER} (${err.message}): install redis-server (make test-deps) or set REDIS_SERVER_PATH`,
            { cause: err },
          ),
        ),
      ),
    );
    await Promise.race([waitUntilUp(port), missing]);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  process.once('exit', () => child?.kill('SIGKILL'));
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}
