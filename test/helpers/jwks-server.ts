// A real JWKS endpoint on 127.0.0.1 for JWT tests: signs tokens, counts fetches, rotates keys, can go down, hang or serve garbage.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export type TestAlg = 'ES256' | 'RS256';

export interface TestKey {
  readonly kid: string;
  readonly alg: TestAlg;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface SignOptions {
  /** Defaults to the first key served. */
  readonly key?: TestKey;
  /** Header fields to add or override (kid, alg, typ). */
  readonly header?: Readonly<Record<string, unknown>>;
}

/**
 * `down` answers 503 as a provider in maintenance does; `hang` accepts the request and never answers;
 * `garbage` answers 200 with JSON that is not a key set (a misrouted proxy, an error page as JSON).
 */
export type JwksState = 'up' | 'down' | 'hang' | 'garbage';

export interface JwksServer {
  readonly url: string;
  /** JWKS requests received so far, whatever the state. */
  requests(): number;
  /** The keys currently published, oldest first. */
  keys(): readonly TestKey[];
  /** Creates a key; published at once unless `publish: false` (a key the provider has not announced yet). */
  addKey(alg: TestAlg, options?: { publish?: boolean }): Promise<TestKey>;
  publish(key: TestKey): void;
  setState(state: JwksState): void;
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** Stops listening: connections are refused from then on. */
  close(): Promise<void>;
}

export async function startJwksServer(algs: readonly TestAlg[] = ['ES256', 'RS256']): Promise<JwksServer> {
  const published: TestKey[] = [];
  let served = 0;
  let state: JwksState = 'up';
  let counter = 0;

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    served += 1;
    if (state === 'hang') return;
    if (state === 'down') {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('maintenance');
      return;
    }
    if (state === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"error":"upstream proxy"}');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'application/jwk-set+json' })
      .end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const addKey: JwksServer['addKey'] = async (alg, options = {}) => {
    counter += 1;
    const kid = `test-${alg.toLowerCase()}-${counter}`;
    const { privateKey, publicKey } = await generateKeyPair(alg);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const key = { kid, alg, privateKey, publicJwk };
    if (options.publish !== false) published.push(key);
    return key;
  };
  for (const alg of algs) await addKey(alg);

  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => served,
    keys: () => [...published],
    addKey,
    publish: (key) => {
      published.push(key);
    },
    setState: (value) => {
      state = value;
    },
    async sign(claims, options = {}) {
      const key = options.key ?? published[0];
      if (!key) throw new Error('no key to sign with');
      return new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header })
        .sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive and `hang` holds some open; drop them so close() does not wait.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
