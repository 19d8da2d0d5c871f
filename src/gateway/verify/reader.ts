/** @module The one way `verify-upstream` reaches ORDS: GETs (and the OAuth2 token POST), each body read up to a cap. */
import { Agent, type Dispatcher, request } from 'undici';

import type { DatabaseConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import { connectOptions } from '../upstream/connect-options.js';
import { createCredentialProvider } from '../upstream/credentials.js';
import type { Answer } from './answer.js';

// With the gateway's own credentials (credentials.ts); beyond a read's cap the connection is closed, so a large file
// is never downloaded.

/** How the reader authenticated: who (never the secret), and for OAuth2 what the token request got. */
export type AuthAttempt =
  | { readonly kind: 'basic'; readonly username: string }
  | {
      readonly kind: 'oauth2';
      readonly clientId: string;
      /** The token request, as an answer: 200 when a token was fetched. Its body is never kept. */
      readonly token: Answer;
      readonly ok: boolean;
    };

export interface ReadOptions {
  readonly query?: Readonly<Record<string, string>>;
  /** Bytes of the body read at most; beyond them the connection is closed, so nothing more is downloaded. */
  readonly maxBytes: number;
  readonly accept?: string;
}

/** What the checks' fetching is given: injected, so the observation sequence can be tested without HTTP. */
export interface UpstreamReader {
  /** Gets the credential once (for OAuth2, fetches a token); every later `get` carries it. */
  authenticate(): Promise<AuthAttempt>;
  /** A GET of an ORDS path (one of `ordsPaths`'): never throws for what ORDS or the network does. */
  get(path: string, options: ReadOptions): Promise<Answer>;
  close(): Promise<void>;
}

const USER_AGENT = 'datapump-gateway verify-upstream';

/** The reader over undici, as the gateway's own ORDS client calls ORDS: no redirect followed, deadlines per call. */
export function createUpstreamReader(
  database: DatabaseConfig,
  options: { dispatcher?: Dispatcher } = {},
): UpstreamReader {
  const origin = new URL(database.url).origin;
  // The gateway's own connect options (upstream/connect-options.ts): the same CA, client certificate, server name.
  const own = options.dispatcher ? undefined : new Agent({ connect: connectOptions(database) });
  const dispatcher = options.dispatcher ?? own!;
  const credentials = createCredentialProvider({
    auth: database.auth,
    dispatcher,
    now: Date.now,
    timeoutMs: database.timeouts.readMs,
  });
  let authorization: string | undefined;

  return {
    async authenticate() {
      const { auth } = database;
      if (auth.kind === 'basic') {
        authorization = await credentials.authorization();
        return { kind: 'basic', username: auth.username };
      }
      const tokenRequest = `POST ${new URL(auth.tokenUrl).pathname}`;
      try {
        authorization = await credentials.authorization();
        // The provider accepts only a 200 with a token in it.
        const token: Answer = { request: tokenRequest, status: 200, headers: {}, text: '', truncated: false };
        return { kind: 'oauth2', clientId: auth.clientId, token, ok: true };
      } catch (error) {
        const token = tokenFailure(tokenRequest, error);
        return { kind: 'oauth2', clientId: auth.clientId, token, ok: false };
      }
    },

    async get(path, { query, maxBytes, accept = 'application/json' }) {
      const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
      const described = `GET ${path}${search}`;
      const headers: Record<string, string> = { accept, 'user-agent': USER_AGENT };
      if (authorization) headers.authorization = authorization;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(`${origin}${path}${search}`, {
          dispatcher,
          method: 'GET',
          headers,
          headersTimeout: database.timeouts.readMs,
          bodyTimeout: database.timeouts.readMs,
        });
      } catch (error) {
        return {
          request: described,
          status: undefined,
          failure: codeOf(error),
          headers: {},
          text: '',
          truncated: false,
        };
      }
      const read = await readAtMost(res.body, maxBytes);
      return {
        request: described,
        status: res.statusCode,
        ...(read.failure ? { failure: read.failure } : {}),
        headers: firstValues(res.headers),
        text: read.text,
        truncated: read.truncated,
      };
    },

    async close() {
      await own?.close();
    },
  };
}

/** The token request's failure as an answer: the status ORDS gave (the provider logs it), or the transport's code. */
function tokenFailure(request: string, error: unknown): Answer {
  const status = error instanceof GatewayError ? error.logContext.tokenStatus : undefined;
  const failure =
    typeof status === 'number' ? undefined : codeOf(error instanceof Error ? (error.cause ?? error) : error);
  return {
    request,
    status: typeof status === 'number' ? status : undefined,
    ...(failure ? { failure } : {}),
    headers: {},
    text: '',
    truncated: false,
  };
}

/** The most specific code a transport failure carries: node's (`ECONNREFUSED`) before undici's, else its name. */
function codeOf(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown }; name?: unknown } | undefined;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'unknown';
}

function firstValues(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}

/** Reads up to `max` bytes, then destroys the body: a log of gigabytes costs 4 KiB, never the whole file. */
async function readAtMost(
  body: Dispatcher.ResponseData['body'],
  max: number,
): Promise<{ text: string; truncated: boolean; failure?: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > max) {
        chunks.push(buffer.subarray(0, max - size));
        body.destroy();
        return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
      }
      chunks.push(buffer);
      size += buffer.length;
    }
  } catch (error) {
    return { text: Buffer.concat(chunks).toString('utf8'), truncated: true, failure: codeOf(error) };
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}
