/**
 * @module `databases.<name>.tls`: its rules across fields (an https url) and its files, read and checked as PEM each
 * time the configuration is loaded (start-up and every reload), every fault naming the setting and the file.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';

import type { Problem } from './messages.js';
import { formatPath, isRecord } from './paths.js';
import type { UpstreamTls } from './types.js';

/** The section as the schema guarantees it (cert_file and key_file together, key_passphrase only with them). */
export interface RawTls {
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  key_passphrase?: string;
  server_name?: string;
}

export type ReadTextFile = (path: string) => string;

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Reads every database's TLS files; returns the settings by database name, or the problems found (never a
 * file's contents, nor the passphrase, in a message). Runs on a tree the schema accepted.
 */
export function readTlsSettings(
  data: unknown,
  readFile: ReadTextFile,
): { readonly problems: Problem[]; readonly tls: ReadonlyMap<string, UpstreamTls> } {
  const problems: Problem[] = [];
  const tls = new Map<string, UpstreamTls>();
  const databases = isRecord(data) && isRecord(data.databases) ? data.databases : {};
  for (const [name, db] of Object.entries(databases)) {
    if (!isRecord(db) || !isRecord(db.tls)) continue;
    const raw = db.tls as RawTls;
    const at = (field: string) => formatPath(['databases', name, 'tls', ...(field ? [field] : [])]);
    const fault = (field: string, message: string) => problems.push({ path: at(field), message });
    const before = problems.length;
    // Over plain HTTP the settings would do nothing, and a reader would believe the traffic protected.
    if (typeof db.url === 'string' && !db.url.startsWith('https://'))
      fault('', `needs an https:// url: databases.${name}.url is not one (TLS settings over plain HTTP do nothing)`);

    const ca = raw.ca_file === undefined ? null : readCertificates(raw.ca_file, readFile, (m) => fault('ca_file', m));
    let client: UpstreamTls['client'] = null;
    if (raw.cert_file !== undefined && raw.key_file !== undefined) {
      const cert = readCertificates(raw.cert_file, readFile, (m) => fault('cert_file', m));
      const key = readKey(raw.key_file, raw.key_passphrase, readFile, (m) => fault('key_file', m));
      if (cert !== null && key !== null) {
        const leaf = new X509Certificate(cert.match(CERTIFICATE)![0]);
        if (!leaf.checkPrivateKey(key.object))
          fault('key_file', `${raw.key_file}: the key does not belong to the certificate of ${raw.cert_file}`);
        else
          client = {
            certFile: raw.cert_file,
            keyFile: raw.key_file,
            cert,
            key: key.pem,
            passphrase: raw.key_passphrase ?? null,
          };
      }
    }
    if (problems.length > before) continue;
    tls.set(name, { ca, caFile: raw.ca_file ?? null, client, serverName: raw.server_name ?? null });
  }
  return { problems, tls };
}

function read(path: string, readFile: ReadTextFile, fault: (message: string) => void): string | null {
  try {
    return readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fault(`${path}: cannot read the file${code ? ` (${code})` : ''}`);
    return null;
  }
}

/** The file's text when it holds at least one certificate and every one parses. */
function readCertificates(path: string, readFile: ReadTextFile, fault: (message: string) => void): string | null {
  const text = read(path, readFile, fault);
  if (text === null) return null;
  const blocks = text.match(CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    fault(`${path}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return null;
  }
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      fault(`${path}: certificate ${index + 1} of ${blocks.length} is not a valid PEM certificate`);
      return null;
    }
  }
  return text;
}

function readKey(
  path: string,
  passphrase: string | undefined,
  readFile: ReadTextFile,
  fault: (message: string) => void,
): { pem: string; object: KeyObject } | null {
  const pem = read(path, readFile, fault);
  if (pem === null) return null;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    fault(`${path}: holds no PEM private key (-----BEGIN PRIVATE KEY-----)`);
    return null;
  }
  // PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`) and OpenSSL's legacy form (`Proc-Type: 4,ENCRYPTED`) both say so.
  const encrypted = /ENCRYPTED/.test(pem);
  if (encrypted && !passphrase) {
    fault(`${path}: the key is encrypted: set key_passphrase`);
    return null;
  }
  try {
    return { pem, object: createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) }) };
  } catch {
    // OpenSSL's own words for a wrong passphrase vary by version: the case a reader can act on is named.
    fault(
      encrypted
        ? `${path}: the key cannot be decrypted with key_passphrase (wrong passphrase?)`
        : `${path}: is not a valid PEM private key`,
    );
    return null;
  }
}
