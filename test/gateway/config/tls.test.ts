// databases.<name>.tls: what the loader accepts, and every way to get it wrong, each named by setting and file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/gateway/config/load.js';
import { makeTlsFiles, type TlsFiles } from '../../helpers/tls-files.js';
import { ENV, minimalConfig, problemsLoading, setAt, toYaml, type Tree } from './fixtures.js';

const HTTPS_URL = 'https://ords.example.com/ords/orcl/pdbadmin/';
let files: TlsFiles;
let notPem: string;
let brokenCert: string;

beforeAll(() => {
  files = makeTlsFiles();
  notPem = join(files.dir, 'not.pem');
  writeFileSync(notPem, 'hello\n');
  brokenCert = join(files.dir, 'broken.pem');
  writeFileSync(brokenCert, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
});
afterAll(() => files?.remove());

function configWith(tls: unknown, url = HTTPS_URL): Tree {
  const config = minimalConfig();
  setAt(config, 'databases.orcl.url', url);
  setAt(config, 'databases.orcl.tls', tls);
  return config;
}

const problemsOf = problemsLoading;

describe('config: databases.<name>.tls accepted', () => {
  it('reads the CA bundle at load: its contents, not only its path', () => {
    const tls = parseConfig(toYaml(configWith({ ca_file: files.caFile })), ENV).databases.orcl!.tls;
    expect(tls).toEqual({
      ca: readFileSync(files.caFile, 'utf8'),
      caFile: files.caFile,
      client: null,
      serverName: null,
    });
  });

  it('reads a client certificate and key, an encrypted key with its passphrase, and server_name', () => {
    const config = configWith({
      cert_file: files.clientCertFile,
      key_file: files.clientEncryptedKeyFile,
      key_passphrase: '${KEY_PASSPHRASE}',
      server_name: 'ords.internal.example.com',
    });
    const tls = parseConfig(toYaml(config), { ...ENV, KEY_PASSPHRASE: files.passphrase }).databases.orcl!.tls;
    expect(tls).toMatchObject({
      ca: null,
      serverName: 'ords.internal.example.com',
      client: {
        certFile: files.clientCertFile,
        keyFile: files.clientEncryptedKeyFile,
        cert: readFileSync(files.clientCertFile, 'utf8'),
        passphrase: files.passphrase,
      },
    });
  });

  it('is null without a tls section (Node’s roots, no client certificate)', () => {
    expect(parseConfig(toYaml(minimalConfig()), ENV).databases.orcl!.tls).toBeNull();
  });
});

interface Bad {
  readonly name: string;
  readonly tls: () => unknown;
  readonly url?: string;
  readonly env?: Record<string, string>;
  readonly problems: () => string[];
}

const BAD: Bad[] = [
  {
    name: 'tls over an http:// url',
    tls: () => ({ ca_file: files.caFile }),
    url: 'http://ords.example.com/ords/orcl/pdbadmin/',
    problems: () => [
      'databases.orcl.tls: needs an https:// url: databases.orcl.url is not one (TLS settings over plain HTTP do nothing)',
    ],
  },
  { name: 'an empty section', tls: () => ({}), problems: () => ['databases.orcl.tls: must not be empty'] },
  {
    name: 'a switch to turn verification off (there is none)',
    tls: () => ({ ca_file: files.caFile, reject_unauthorized: false }),
    problems: () => ['databases.orcl.tls.reject_unauthorized: is not a known setting'],
  },
  {
    name: 'cert_file without key_file',
    tls: () => ({ cert_file: files.clientCertFile }),
    problems: () => ['databases.orcl.tls: must have property key_file when property cert_file is present'],
  },
  {
    name: 'key_file without cert_file',
    tls: () => ({ key_file: files.clientKeyFile }),
    problems: () => ['databases.orcl.tls: must have property cert_file when property key_file is present'],
  },
  {
    name: 'a literal key_passphrase',
    tls: () => ({ cert_file: files.clientCertFile, key_file: files.clientKeyFile, key_passphrase: 'hunter2' }),
    problems: () => [
      'databases.orcl.tls.key_passphrase: must be a reference to an environment variable, like ${ORDS_TLS_KEY_PASSPHRASE}',
    ],
  },
  {
    name: 'a server_name that is no host name',
    tls: () => ({ server_name: 'ords example' }),
    problems: () => ['databases.orcl.tls.server_name: must be a DNS host name, such as ords.example.com'],
  },
  {
    name: 'a CA file that does not exist',
    tls: () => ({ ca_file: join(files.dir, 'missing.pem') }),
    problems: () => [`databases.orcl.tls.ca_file: ${join(files.dir, 'missing.pem')}: cannot read the file (ENOENT)`],
  },
  {
    name: 'a CA file without a certificate',
    tls: () => ({ ca_file: notPem }),
    problems: () => [`databases.orcl.tls.ca_file: ${notPem}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`],
  },
  {
    name: 'a CA file whose certificate does not parse',
    tls: () => ({ ca_file: brokenCert }),
    problems: () => [`databases.orcl.tls.ca_file: ${brokenCert}: certificate 1 of 1 is not a valid PEM certificate`],
  },
  {
    name: 'a key file that holds a certificate',
    tls: () => ({ cert_file: files.clientCertFile, key_file: files.clientCertFile }),
    problems: () => [
      `databases.orcl.tls.key_file: ${files.clientCertFile}: holds no PEM private key (-----BEGIN PRIVATE KEY-----)`,
    ],
  },
  {
    name: 'an encrypted key without key_passphrase',
    tls: () => ({ cert_file: files.clientCertFile, key_file: files.clientEncryptedKeyFile }),
    problems: () => [
      `databases.orcl.tls.key_file: ${files.clientEncryptedKeyFile}: the key is encrypted: set key_passphrase`,
    ],
  },
  {
    name: 'an encrypted key with the wrong passphrase',
    tls: () => ({
      cert_file: files.clientCertFile,
      key_file: files.clientEncryptedKeyFile,
      key_passphrase: '${KEY_PASSPHRASE}',
    }),
    env: { ...ENV, KEY_PASSPHRASE: 'wrong-passphrase-Q9' },
    problems: () => [
      `databases.orcl.tls.key_file: ${files.clientEncryptedKeyFile}: the key cannot be decrypted with key_passphrase (wrong passphrase?)`,
    ],
  },
  {
    name: 'a key that is not the certificate’s',
    tls: () => ({ cert_file: files.clientCertFile, key_file: files.otherClientKeyFile }),
    problems: () => [
      `databases.orcl.tls.key_file: ${files.otherClientKeyFile}: the key does not belong to the certificate of ${files.clientCertFile}`,
    ],
  },
  {
    name: 'every file fault at once',
    tls: () => ({ ca_file: notPem, cert_file: join(files.dir, 'nope.pem'), key_file: notPem }),
    problems: () => [
      `databases.orcl.tls.ca_file: ${notPem}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      `databases.orcl.tls.cert_file: ${join(files.dir, 'nope.pem')}: cannot read the file (ENOENT)`,
      `databases.orcl.tls.key_file: ${notPem}: holds no PEM private key (-----BEGIN PRIVATE KEY-----)`,
    ],
  },
];

describe('config: databases.<name>.tls refused at load, naming the setting and the file', () => {
  it.each(BAD)('$name', (c) => {
    const problems = problemsOf(configWith(c.tls(), c.url), c.env);
    expect(problems).toEqual(c.problems());
    // Neither a passphrase nor a file's contents ever appear in a message.
    const text = problems.join('\n');
    expect(text).not.toContain('wrong-passphrase-Q9');
    expect(text).not.toContain(files.passphrase);
    expect(text).not.toContain('BEGIN EC PRIVATE KEY');
  });
});
