// TLS to ORDS against real emulator processes serving HTTPS (a private CA made by openssl): trust, mutual TLS,
// OAuth2 token calls, verify-upstream's reader, and a reload that brings a new CA file.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { composeGateway } from '../../src/gateway/compose.js';
import { loadConfig } from '../../src/gateway/config/load.js';
import { createConfigSource } from '../../src/gateway/config/source.js';
import { reloadConfig } from '../../src/gateway/reload.js';
import { createMemoryStore } from '../../src/gateway/store/memory.js';
import { transportKindOf } from '../../src/gateway/upstream/transport.js';
import { createUpstreamReader } from '../../src/gateway/verify/reader.js';
import { type EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process.js';
import { makeTlsFiles, type TlsFiles } from '../helpers/tls-files.js';
import { minimalConfig, toYaml, type Tree } from './config/fixtures.js';

const HR = { 'x-api-key': 'hr-key' }; // the fixtures' hr-team
const EXPORT_HR = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] };
const ENV = { ORDS_PASSWORD: 'oracle', ORDS_CLIENT_SECRET: 'emulator-secret' } as const;
const JOBS = '/databases/orcl/datapump/jobs/';

let files: TlsFiles;
let https: EmulatorProcess; // HTTPS, no client certificate asked
let mutual: EmulatorProcess; // HTTPS, a client certificate from the CA required
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  files = makeTlsFiles();
  const server = { certFile: files.serverCertFile, keyFile: files.serverKeyFile, controlCa: files.caFile };
  [https, mutual] = await Promise.all([
    startEmulatorProcess({ tls: server }),
    startEmulatorProcess({
      tls: {
        ...server,
        clientCaFile: files.caFile,
        controlCert: files.clientCertFile,
        controlKey: files.clientKeyFile,
      },
    }),
  ]);
}, 30_000);

afterAll(async () => {
  for (const close of closers) await close();
  await Promise.all([https?.stop(), mutual?.stop()]);
  files?.remove();
});

let configCount = 0;

/** A gateway loaded from a real YAML file (its TLS files really read), on a swappable source, logging to `logs`. */
function gateway(emulator: EmulatorProcess, database: Tree = {}, env: Record<string, string> = ENV) {
  const tree = minimalConfig();
  const orcl = (tree.databases as Record<string, Tree>).orcl!;
  Object.assign(orcl, { url: emulator.ordsUrl, resilience: { get_retries: 0 } }, database);
  const path = join(files.dir, `gateway-${(configCount += 1)}.yaml`);
  writeFileSync(path, toYaml(tree));
  const source = createConfigSource(loadConfig({ path, env }));
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(line) });
  const composed = composeGateway({
    config: source,
    logger,
    store: createMemoryStore(),
    defaultMetrics: false,
    holder: 'test',
  });
  closers.push(() => composed.parts.upstreams.close());
  const reload = () => reloadConfig({ path, env, source, logger });
  return { app: composed.app, logs, reload, source };
}

const create = (app: ReturnType<typeof gateway>['app']) =>
  request(app).post(JOBS).set(HR).set('content-type', 'application/json').send(EXPORT_HR);

/** The problem an unreachable ORDS gives (503 upstream-unavailable), and a log line naming the TLS failure. */
function expectTlsRefusal(res: request.Response, logs: string[], code: RegExp): void {
  expect(res.status, res.text).toBe(503);
  expect(res.body.type).toBe('https://datapump-gateway.dev/problems/upstream-unavailable');
  expect(res.body.detail).toBe('ORDS is not reachable.');
  expect(logs.join('\n')).toMatch(code);
}

describe('TLS to ORDS (databases.<name>.tls)', () => {
  it('creates and reads a job over HTTPS with tls.ca_file', async () => {
    const { app } = gateway(https, { tls: { ca_file: files.caFile } });
    const created = await create(app);
    expect(created.status, created.text).toBe(201);
    const job = await request(app).get(new URL(created.headers.location!).pathname).set(HR);
    expect(job.status, job.text).toBe(200);
    expect(job.body.job_name).toMatch(/^DATAPUMP_REST_EXPORT_/);
    // The emulator serves HTTPS only, and says so on its listening line.
    expect(https.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/ords\//);
  });

  it('fetches the OAuth2 token over the same TLS settings', async () => {
    const { app } = gateway(https, {
      tls: { ca_file: files.caFile },
      auth: { oauth2: { client_id: 'emulator-client', client_secret: '${ORDS_CLIENT_SECRET}' } },
    });
    const created = await create(app);
    expect(created.status, created.text).toBe(201);
  });

  it.each([
    { name: 'without tls (Node’s roots do not hold the private CA)', otherCa: false },
    { name: 'with another CA in ca_file', otherCa: true },
  ])('refuses a server certificate it cannot verify: $name', async ({ otherCa }) => {
    const database = otherCa ? { tls: { ca_file: files.otherCaFile } } : {};
    const { app, logs } = gateway(https, database);
    expectTlsRefusal(await create(app), logs, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
  });

  it('checks the host name: server_name that the certificate does not name is refused', async () => {
    const { app, logs } = gateway(https, { tls: { ca_file: files.caFile, server_name: 'ords.example.com' } });
    expectTlsRefusal(await create(app), logs, /ERR_TLS_CERT_ALTNAME_INVALID|altnames/);
  });

  it('server_name that the certificate names is accepted', async () => {
    const { app } = gateway(https, { tls: { ca_file: files.caFile, server_name: 'localhost' } });
    expect((await create(app)).status).toBe(201);
  });
});

describe('mutual TLS (tls.cert_file, tls.key_file)', () => {
  it('is refused by an ORDS that requires a client certificate when the gateway has none', async () => {
    const { app, logs } = gateway(mutual, { tls: { ca_file: files.caFile } });
    // TLS 1.3 finishes the client's side of the handshake before the server checks the client's certificate: the
    // gateway sees ORDS close the connection (or its alert), as an unreachable ORDS.
    expectTlsRefusal(await create(app), logs, /UND_ERR_SOCKET|ECONNRESET|ALERT_CERTIFICATE_REQUIRED/);
  });

  it('is refused with a client certificate from another CA', async () => {
    const { app, logs } = gateway(mutual, {
      tls: { ca_file: files.caFile, cert_file: files.otherClientCertFile, key_file: files.otherClientKeyFile },
    });
    expectTlsRefusal(await create(app), logs, /UND_ERR_SOCKET|ECONNRESET|ALERT_UNKNOWN_CA/);
  });

  it('creates and reads a job with the client certificate', async () => {
    const { app } = gateway(mutual, {
      tls: { ca_file: files.caFile, cert_file: files.clientCertFile, key_file: files.clientKeyFile },
    });
    const created = await create(app);
    expect(created.status, created.text).toBe(201);
    expect((await request(app).get(new URL(created.headers.location!).pathname).set(HR)).status).toBe(200);
  });

  it('decrypts an encrypted key with key_passphrase', async () => {
    const tls = {
      ca_file: files.caFile,
      cert_file: files.clientCertFile,
      key_file: files.clientEncryptedKeyFile,
      key_passphrase: '${KEY_PASSPHRASE}',
    };
    const { app } = gateway(mutual, { tls }, { ...ENV, KEY_PASSPHRASE: files.passphrase });
    expect((await create(app)).status).toBe(201);
  });
});

describe('verify-upstream connects with the same TLS settings', () => {
  it('reads the metadata catalogue with the CA and the client certificate, fails without them', async () => {
    const { source } = gateway(mutual, {
      tls: { ca_file: files.caFile, cert_file: files.clientCertFile, key_file: files.clientKeyFile },
    });
    const database = source.current().databases.orcl!;
    const path = new URL(`${database.url}_/db-api/stable/metadata-catalog/`).pathname;
    const reader = createUpstreamReader(database);
    const bare = createUpstreamReader({ ...database, tls: null });
    try {
      await reader.authenticate();
      expect((await reader.get(path, { maxBytes: 4096 })).status).toBe(200);
      const refused = await bare.get(path, { maxBytes: 4096 });
      expect(refused.status).toBeUndefined();
      expect(refused.failure).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    } finally {
      await Promise.all([reader.close(), bare.close()]);
    }
  });
});

describe('reload (SIGHUP) reads the TLS files again', () => {
  it('a new CA file takes effect for new connections; an invalid one keeps the running configuration', async () => {
    const trust = join(files.dir, 'trust.pem');
    copyFileSync(files.otherCaFile, trust);
    const { app, reload, logs } = gateway(https, { tls: { ca_file: trust } });
    expectTlsRefusal(await create(app), logs, /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);

    copyFileSync(files.caFile, trust);
    expect(reload()).toEqual({ outcome: 'applied', changed: ['databases.orcl'], needsRestart: [] });
    expect((await create(app)).status).toBe(201);

    writeFileSync(trust, 'not a certificate\n');
    const rejected = reload();
    expect(rejected).toEqual({
      outcome: 'rejected',
      problems: [`databases.orcl.tls.ca_file: ${trust}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`],
    });
    expect(logs.join('\n')).toContain('configuration reload failed');
    expect((await create(app)).status).toBe(201);
  });
});

describe('a certificate the gateway cannot verify is a refused connection (nothing was sent)', () => {
  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('%s', (code) => {
    expect(transportKindOf(Object.assign(new Error(code), { code }))).toBe('refused');
  });
});

describe('the emulator’s TLS options', () => {
  it.each([
    { args: () => ['--tls-cert', files.serverCertFile], message: /tlsKeyFile/ },
    {
      args: () => ['--tls-cert', files.serverCertFile, '--tls-key', join(files.dir, 'nope.key')],
      message: /nope\.key/,
    },
  ])('refuses $args with exit code 1 and one line', async ({ args, message }) => {
    const started = startEmulatorProcess({ args: args() });
    await expect(started).rejects.toThrow(/exited \(code 1/);
    await expect(started).rejects.toThrow(message);
  });
});
