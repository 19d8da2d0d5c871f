// Private CAs and certificates made by the openssl binary, for TLS tests: real PEM files in a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  readonly dir: string;
  /** The private CA that issued server.pem and client.pem. */
  readonly caFile: string;
  /** Another private CA, which issued nothing the others use. */
  readonly otherCaFile: string;
  /** The server certificate for 127.0.0.1 and localhost (subjectAltName), and its key. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** A client certificate (extendedKeyUsage clientAuth) issued by caFile, and its key. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** The same client key, encrypted with `passphrase` (PKCS#8, AES-256). */
  readonly clientEncryptedKeyFile: string;
  readonly passphrase: string;
  /** A client certificate issued by otherCaFile, and its key. */
  readonly otherClientCertFile: string;
  readonly otherClientKeyFile: string;
  remove(): void;
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
// P-256 keys: made in milliseconds, where RSA keys take a noticeable while on a busy machine.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function ca(dir: string, name: string): void {
  openssl(dir, [
    'req', '-x509', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=${name} test CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
}

function leaf(dir: string, name: string, issuer: string, extensions: string[]): void {
  openssl(dir, [
    'req', '-x509', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=${name}`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    ...extensions.flatMap((e) => ['-addext', e]),
  ]); // prettier-ignore
}

/** Makes every file (about a tenth of a second); `remove()` deletes the folder. */
export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'dpg-tls-'));
  const passphrase = 'correct horse battery staple';
  ca(dir, 'ca');
  ca(dir, 'other-ca');
  leaf(dir, 'server', 'ca', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth']);
  leaf(dir, 'client', 'ca', ['extendedKeyUsage=clientAuth']);
  leaf(dir, 'other-client', 'other-ca', ['extendedKeyUsage=clientAuth']);
  openssl(dir, [
    'pkcs8', '-topk8', '-in', 'client.key', '-out', 'client-encrypted.key', '-v2', 'aes-256-cbc',
    '-passout', `pass:${passphrase}`,
  ]); // prettier-ignore
  const at = (file: string) => join(dir, file);
  return {
    dir,
    caFile: at('ca.pem'),
    otherCaFile: at('other-ca.pem'),
    serverCertFile: at('server.pem'),
    serverKeyFile: at('server.key'),
    clientCertFile: at('client.pem'),
    clientKeyFile: at('client.key'),
    clientEncryptedKeyFile: at('client-encrypted.key'),
    passphrase,
    otherClientCertFile: at('other-client.pem'),
    otherClientKeyFile: at('other-client.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
