// scripts/test-services.sh run for real with its defaults moved to where nothing listens: the one-line "missing"
// message, no secret in it, and a private PostgreSQL and Redis started, used, stopped and removed.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RedisServer, startRedisServer } from '../helpers/redis-server.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-services.sh', import.meta.url));
const SECRET = 'pw-Wombat-7731-never-printed';
/** Port 1: nothing listens there, so each default is "not answering" without touching this machine's services. */
const NOWHERE = {
  TEST_SERVICES_DEFAULT_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
  TEST_SERVICES_DEFAULT_REDIS_URL: 'redis://127.0.0.1:1',
};
const NO_BINARIES = {
  ...NOWHERE,
  TEST_SERVICES_PG_BINDIRS: '/nonexistent/pg/bin',
  REDIS_SERVER_PATH: '/nonexistent/redis-server',
  TEST_SERVICES_CHROMIUM_CANDIDATES: '/nonexistent/chromium no-such-chromium',
};

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Only PATH and HOME from the parent: the services make test found for this run must not leak in. */
function runScript(args: readonly string[], env: Record<string, string>): Promise<Run> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME']) if (process.env[name] !== undefined) base[name] = process.env[name];
  return new Promise((resolve) => {
    execFile(SCRIPT, args, { env: { ...base, ...env }, timeout: 110_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('scripts/test-services.sh --check, when something is missing', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer(); // a private one: "Redis answers" without using the machine's
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const cases: { name: string; env: () => Record<string, string>; line: string }[] = [
    {
      name: 'nothing answers and no binary is here',
      env: () => NO_BINARIES,
      line:
        'missing: PostgreSQL (no server at 127.0.0.1:1 and no initdb found) — install it (make test-deps) or set TEST_DATABASE_URL; ' +
        'Redis (no server at 127.0.0.1:1 and no redis-server found) — install it (make test-deps) or set TEST_REDIS_URL; ' +
        'Chromium (none of: /nonexistent/chromium no-such-chromium) — install it (make test-deps) or set CHROMIUM_PATH',
    },
    {
      name: 'each variable points where nothing answers (its password never printed)',
      env: () => ({
        ...NO_BINARIES,
        TEST_DATABASE_URL: `postgres://app:${SECRET}@127.0.0.1:1/x`,
        TEST_REDIS_URL: `redis://:${SECRET}@127.0.0.1:1`,
        CHROMIUM_PATH: '/nonexistent/chrome',
      }),
      line:
        'missing: PostgreSQL (TEST_DATABASE_URL=postgres://app:***@127.0.0.1:1/x does not answer: connect ECONNREFUSED 127.0.0.1:1) — start it or fix TEST_DATABASE_URL; ' +
        'Redis (TEST_REDIS_URL=redis://:***@127.0.0.1:1 does not answer: connect ECONNREFUSED 127.0.0.1:1) — start it or fix TEST_REDIS_URL; ' +
        'Chromium (CHROMIUM_PATH=/nonexistent/chrome is not an executable file) — fix CHROMIUM_PATH',
    },
    {
      name: 'Redis answers but the redis-server the tests start themselves is not here',
      env: () => ({ ...NO_BINARIES, TEST_REDIS_URL: redis.url, CHROMIUM_PATH: process.execPath }),
      line:
        'missing: PostgreSQL (no server at 127.0.0.1:1 and no initdb found) — install it (make test-deps) or set TEST_DATABASE_URL; ' +
        'redis-server (REDIS_SERVER_PATH=/nonexistent/redis-server is not executable) — fix REDIS_SERVER_PATH',
    },
    {
      name: 'CHROMIUM_PATH is a folder',
      env: () => ({ ...NO_BINARIES, TEST_REDIS_URL: redis.url, REDIS_SERVER_PATH: '', CHROMIUM_PATH: tmpdir() }),
      line:
        'missing: PostgreSQL (no server at 127.0.0.1:1 and no initdb found) — install it (make test-deps) or set TEST_DATABASE_URL; ' +
        `Chromium (CHROMIUM_PATH=${tmpdir()} is not an executable file) — fix CHROMIUM_PATH`,
    },
  ];

  it.each(cases)('$name: exit 1 and one line naming what is missing and the variable', async ({ env, line }) => {
    const run = await runScript(['--check'], env());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([line]);
    expect(run.stderr).not.toContain(SECRET);
  });
});

/** The private path needs initdb and redis-server here; CI installs them, so there it never skips. */
const canStartPrivate =
  (await runScript(['--check'], { ...NOWHERE, CHROMIUM_PATH: process.execPath })).code === 0 ||
  process.env.CI === 'true';

describe.runIf(canStartPrivate)('scripts/test-services.sh with nothing answering at the defaults', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'dpg-test-services-'));
  chmodSync(tmp, 0o755); // run as root, the private PostgreSQL belongs to the postgres user, which must reach it
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--check says it would start private instances', async () => {
    const run = await runScript(['--check'], { ...NOWHERE, CHROMIUM_PATH: process.execPath });
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual([
      expect.stringMatching(/^TEST_DATABASE_URL: a private PostgreSQL \(\/.+\/initdb\)$/),
      expect.stringMatching(/^TEST_REDIS_URL: a private Redis \(\/.+redis-server\)$/),
      `CHROMIUM_PATH=${process.execPath}`,
      expect.stringMatching(/^REDIS_SERVER_PATH=\/.+redis-server$/),
    ]);
  });

  it(
    'starts a private PostgreSQL (database test) and Redis, hands them to the command, keeps its exit code, then stops and removes them',
    { timeout: 120_000 },
    async () => {
      // The command reports what it was given and what it could do with it, then exits 3.
      const probe = `
        const pg = require('pg'); const { Redis } = require('ioredis');
        (async () => {
          const c = new pg.Client(process.env.TEST_DATABASE_URL); await c.connect();
          const db = (await c.query('select current_database() as db')).rows[0].db; await c.end();
          const r = new Redis(process.env.TEST_REDIS_URL); const pong = await r.ping(); r.disconnect();
          console.log(JSON.stringify({ db, pong, pgUrl: process.env.TEST_DATABASE_URL, redisUrl: process.env.TEST_REDIS_URL,
            chromium: process.env.CHROMIUM_PATH, folders: require('fs').readdirSync(${JSON.stringify(tmp)}).length }));
          process.exit(3);
        })();`;
      const run = await runScript(['--exec', process.execPath, '-e', probe], {
        ...NOWHERE,
        CHROMIUM_PATH: process.execPath,
        TMPDIR: tmp,
      });
      expect(run.code, run.stderr).toBe(3);
      const seen = JSON.parse(run.stdout) as Record<string, string | number>;
      expect(seen).toMatchObject({ db: 'test', pong: 'PONG', chromium: process.execPath, folders: 1 });
      const pgPort = Number(new URL(String(seen.pgUrl)).port);
      const redisPort = Number(new URL(String(seen.redisUrl)).port);
      expect([pgPort, redisPort]).not.toContain(5432);
      expect([pgPort, redisPort]).not.toContain(6379);
      // Afterwards: nothing left in the temporary folder, and nothing answers on either port.
      expect(readdirSync(tmp)).toEqual([]);
      const after = await runScript(['--check'], {
        ...NO_BINARIES,
        TEST_DATABASE_URL: String(seen.pgUrl),
        TEST_REDIS_URL: String(seen.redisUrl),
        CHROMIUM_PATH: process.execPath,
      });
      expect(after.stderr).toContain(`TEST_DATABASE_URL=${String(seen.pgUrl)} does not answer`);
      expect(after.stderr).toContain(`TEST_REDIS_URL=${String(seen.redisUrl)} does not answer`);
    },
  );
});
