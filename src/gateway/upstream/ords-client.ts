/** @module One ORDS database as the gateway calls it: a keep-alive undici Pool, its credentials, its deadlines. */
import type { Readable } from 'node:stream';

import { type Dispatcher, Pool } from 'undici';

import type { DatabaseConfig } from '../config/types.js';
import { createCredentialProvider, type CredentialProvider } from './credentials.js';
import { type OrdsPaths, ordsPaths } from './ords-paths.js';
import { OrdsTransportError, transportError } from './transport.js';

export type CallKind = 'create' | 'read' | 'file' | 'probe';

export interface OrdsCall {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly kind: CallKind;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly requestId: string;
  readonly traceparent?: string;
  readonly ifNoneMatch?: string;
  /** Aborts the call when the client goes away. */
  readonly signal?: AbortSignal;
}

export interface OrdsJsonAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed JSON, `undefined` for an empty body, or the `InvalidJson` marker. */
  readonly body: unknown;
}

export interface OrdsStreamAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

export const InvalidJson = Symbol('invalid JSON');

export interface OrdsClient {
  readonly database: DatabaseConfig;
  readonly paths: OrdsPaths;
  json(call: OrdsCall): Promise<OrdsJsonAnswer>;
  stream(call: OrdsCall): Promise<OrdsStreamAnswer>;
  close(): Promise<void>;
}

export interface OrdsClientOptions {
  readonly database: DatabaseConfig;
  readonly now?: () => number;
  /** For tests: route the pool through another dispatcher. */
  readonly dispatcher?: Dispatcher;
}

export function createOrdsClient({ database, now = Date.now, dispatcher }: OrdsClientOptions): OrdsClient {
  const paths = ordsPaths(database);
  const pool =
    dispatcher ??
    new Pool(paths.origin, {
      connections: database.connections,
      connect: { timeout: database.timeouts.connectMs },
      keepAliveTimeout: 4_000,
    });
  const credentials: CredentialProvider = createCredentialProvider({
    auth: database.auth,
    dispatcher: pool,
    now,
    timeoutMs: database.timeouts.readMs,
  });

  const deadline = (kind: CallKind) => (kind === 'create' ? database.timeouts.createMs : database.timeouts.readMs);

  async function send(call: OrdsCall, retryOnUnauthorized = true): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      accept: call.kind === 'file' ? '*/*' : 'application/json',
      authorization: await credentials.authorization(),
      'x-request-id': call.requestId,
    };
    if (call.traceparent) headers.traceparent = call.traceparent;
    if (call.ifNoneMatch) headers['if-none-match'] = call.ifNoneMatch;
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await pool.request({
        origin: paths.origin,
        method: call.method,
        path: call.path + queryString(call.query),
        headers,
        body,
        signal: call.signal,
        headersTimeout: deadline(call.kind),
        bodyTimeout: call.kind === 'file' ? database.timeouts.fileIdleMs : deadline(call.kind),
      });
    } catch (cause) {
      throw transportError(cause, { path: call.path, kind: call.kind });
    }
    // A 401 with an OAuth2 token most likely means it expired early: fetch a new one and try once more.
    if (res.statusCode === 401 && retryOnUnauthorized && database.auth.kind === 'oauth2') {
      await res.body.dump();
      credentials.invalidate();
      return send(call, false);
    }
    return res;
  }

  return {
    database,
    paths,
    async json(call) {
      const res = await send(call);
      const text = await readCapped(res.body, database.maxResponseBytes, call);
      return { status: res.statusCode, headers: res.headers, body: parseJson(text) };
    },
    async stream(call) {
      const res = await send(call);
      const body = res.body as unknown as Readable;
      // Handled where the stream is made: a body that fails while nobody reads it (a discarded retry, a client
      // gone, ORDS resetting mid-file) must not become an 'error' event without a listener, which ends the
      // process. Whoever reads the body still sees the failure through its own listener (pipeline).
      body.on('error', () => {});
      return { status: res.statusCode, headers: res.headers, body };
    },
    async close() {
      if (!dispatcher) await pool.close();
    },
  };
}

function queryString(query: OrdsCall['query']): string {
  if (!query) return '';
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return InvalidJson;
  }
}

async function readCapped(body: Dispatcher.ResponseData['body'], cap: number, call: OrdsCall): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > cap) {
        body.destroy();
        throw new OrdsTransportError('too-large', {
          detail: 'ORDS answered with a body larger than the gateway accepts.',
          logContext: { cap, path: call.path },
        });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (cause) {
    throw transportError(cause, { path: call.path, kind: call.kind });
  }
  return Buffer.concat(chunks).toString('utf8');
}
