/**
 * @module The undici `connect` options of one database: its connect timeout and its TLS settings, the one
 * definition the ORDS client's pools (and so its OAuth2 token calls) and `verify-upstream` all connect with.
 */
import type { buildConnector } from 'undici';

import type { DatabaseConfig } from '../config/types.js';

/**
 * Never `rejectUnauthorized: false`: Node's verification of the chain and of the host name stays on, and no
 * setting turns it off. A CA bundle replaces Node's roots for this database only.
 */
export function connectOptions(database: DatabaseConfig): buildConnector.BuildOptions {
  const tls = database.tls;
  const client = tls?.client;
  return {
    timeout: database.timeouts.connectMs,
    ...(tls?.ca ? { ca: tls.ca } : {}),
    ...(client
      ? { cert: client.cert, key: client.key, ...(client.passphrase ? { passphrase: client.passphrase } : {}) }
      : {}),
    ...(tls?.serverName ? { servername: tls.serverName } : {}),
  };
}
