/**
 * @module nginx as a reference: found on PATH (or installed with apt-get when the runner is root), then run as the
 * benchmark's own instance on a generated config in the run's temporary folder, never the system's service.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

import { request } from 'undici';

import { type Service, startService } from './children.js';

/** Where the nginx binary is, or why the nginx rows are skipped. */
export type NginxAvailability = { readonly binary: string } | { readonly skipped: string };

/** `name` on PATH (and in the sbin folders, which a non-login root shell may lack). */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The pid in a pid file, if that process is alive. */
function livePid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * nginx on PATH; else, when this process is root and apt-get exists, `apt-get install -y nginx` (the Debian
 * package), its output in `logFile`. Debian's postinst may start the system service (unless policy-rc.d forbids
 * it): a system nginx that was not running before the install is stopped again (SIGQUIT to its pid file's pid), so
 * the install leaves nothing running and port 80 free. `BENCH_NO_NGINX=1` skips nginx altogether.
 */
export function findOrInstallNginx(logFile: string, log: (line: string) => void): NginxAvailability {
  if (process.env.BENCH_NO_NGINX) return { skipped: 'BENCH_NO_NGINX is set' };
  const found = which('nginx');
  if (found) return { binary: found };
  if (process.getuid?.() !== 0) return { skipped: 'nginx is not on PATH (and the runner is not root to install it)' };
  if (!which('apt-get')) return { skipped: 'nginx is not on PATH and there is no apt-get to install it' };
  const systemPid = '/run/nginx.pid';
  const runningBefore = livePid(systemPid);
  log(`nginx is not on PATH: apt-get install -y nginx (output in ${logFile})`);
  const fd = openSync(logFile, 'a');
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'nginx'], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 240_000,
    });
  let result;
  try {
    result = install();
    if (result.status !== 0) {
      // A stale package index is the usual cause: refresh it once and try again.
      spawnSync('apt-get', ['update', '-q'], { stdio: ['ignore', fd, fd], timeout: 120_000 });
      result = install();
    }
  } finally {
    closeSync(fd);
  }
  const startedByInstall = runningBefore === undefined ? livePid(systemPid) : undefined;
  if (startedByInstall !== undefined) {
    log(`  the nginx package started the system service (pid ${startedByInstall}): stopping it`);
    try {
      process.kill(startedByInstall, 'SIGQUIT');
    } catch {
      // gone already
    }
  }
  const binary = which('nginx');
  if (result.status === 0 && binary) {
    log(`  nginx installed: ${binary}`);
    return { binary };
  }
  return { skipped: `apt-get install nginx failed (exit ${result.status ?? result.signal}; see ${logFile})` };
}

/** A free TCP port on 127.0.0.1 (nginx cannot listen on port 0 and tell which it got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NginxOptions {
  readonly binary: string;
  /** The prefix folder: nginx.conf, pid file, error log and temp folders go here. */
  readonly dir: string;
  /** The emulator's origin, http://127.0.0.1:PORT. */
  readonly upstreamOrigin: string;
  /** ORDS's job collection path on it (…/_/db-api/stable/database/datapump/jobs/). */
  readonly ordsJobsPath: string;
  /** The `Authorization` header value sent to ORDS. */
  readonly basicAuth: string;
  /** API keys let through (the static map); any other `X-API-Key` is answered 401. */
  readonly apiKeys: readonly string[];
  /** Keep-alive connections to the emulator (`keepalive` of the upstream). */
  readonly keepalive?: number;
}

const PUBLIC_PREFIX = '/databases/orcl/datapump/jobs/';
const READY_PATH = '/__bench/ready';

const quote = (text: string) => `"${text.replace(/["\\$]/g, (c) => `\\${c}`)}"`;

/**
 * The config: one worker, keep-alive to the emulator (HTTP/1.1, `Connection` cleared, `Host` the emulator's), a static API-key map
 * (401 unless allowed), ORDS's Basic credentials set, the bare proxy's path mapping (proxy_pass with a URI replaces
 * the matched prefix), access log off, error log and temp files in `dir`. Keep-alive request caps raised (default
 * 1,000 per connection) so neither side reconnects mid-run, as neither the bare proxy nor the gateway does.
 */
export function nginxConfig(o: NginxOptions & { port: number }): string {
  const temp = (name: string) => quote(join(o.dir, 'temp', name));
  const origin = new URL(o.upstreamOrigin);
  return `# Generated by bench/lib/nginx.ts
worker_processes 1;
${process.getuid?.() === 0 ? '# Root: workers as root too, so they can use the temp folders in the run folder (mode 0700).\nuser root;\n' : ''}error_log ${quote(join(o.dir, 'nginx-error.log'))} warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  server_tokens off;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};

  map $http_x_api_key $allowed {
    default 0;
${o.apiKeys.map((k) => `    ${quote(k)} 1;`).join('\n')}
  }

  upstream ords {
    server ${origin.hostname}:${origin.port};
    keepalive ${o.keepalive ?? 32};
    keepalive_requests 100000000;
  }

  server {
    listen 127.0.0.1:${o.port};
    keepalive_requests 100000000;

    location = ${READY_PATH} {
      return 200 "ready\\n";
    }

    location ${PUBLIC_PREFIX} {
      limit_except GET POST {
        deny all;
      }
      if ($allowed = 0) {
        return 401;
      }
      proxy_pass http://ords${o.ordsJobsPath};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # The emulator's own host, as the bare proxy sends it (undici): ORDS writes it into the body's links, so the
      # body and its ETag are the ones a direct call gets (not the upstream block's name).
      proxy_set_header Host ${origin.host};
      proxy_set_header Authorization ${quote(o.basicAuth)};
      proxy_set_header X-Api-Key "";
    }

    location / {
      return 404;
    }
  }
}
`;
}

/** Starts nginx in the foreground (`daemon off`) on a free port; its master and worker are the service's pids. */
export async function startNginx(o: NginxOptions): Promise<Service> {
  for (const name of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(o.dir, 'temp', name), { recursive: true });
  const conf = join(o.dir, 'nginx.conf');
  const port = await freePort();
  writeFileSync(conf, nginxConfig({ ...o, port }));
  const test = spawnSync(o.binary, ['-t', '-q', '-p', o.dir, '-c', conf, '-e', join(o.dir, 'nginx-error.log')], {
    encoding: 'utf8',
  });
  if (test.status !== 0) throw new Error(`nginx -t refused ${conf}: ${test.stderr || test.stdout}`);
  const url = `http://127.0.0.1:${port}`;
  return startService({
    name: 'nginx',
    command: o.binary,
    // -e: the error log before the config is read (Debian's default, /var/log/nginx/error.log, is not ours).
    args: [
      '-p',
      o.dir,
      '-c',
      conf,
      '-e',
      join(o.dir, 'nginx-error.log'),
      '-g',
      `daemon off; pid ${join(o.dir, 'nginx.pid')};`,
    ],
    logFile: join(o.dir, 'nginx.out'),
    ready: async () => {
      const res = await request(`${url}${READY_PATH}`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await res.body.dump();
      return res.statusCode === 200 ? url : undefined;
    },
    trackChildren: true,
  });
}
