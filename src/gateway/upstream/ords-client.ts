/**
 * @module One ORDS database as the gateway calls it: two keep-alive undici Pools (JSON calls, and file downloads
 * apart, so that downloads cannot take the connections creates and polls need), its credentials, its deadlines.
 *
 * A JSON call's deadline (`createMs` for a create, `readMs` otherwise) covers the whole call: waiting for the
 * token and for a free connection of the pool, ORDS's answer and its body. undici's `headersTimeout` only starts
 * once the request is written to a connection, and an aborted signal does not take a request out of a pool's
 * queue (undici aborts it only once a connection picks it up), so the deadline is a timer of its own, raced
 * against the call, whose signal (also following the caller's) is handed to undici. Whether the request had been
 * handed to a connection when the deadline passed decides what the failure is: `overloaded` (nothing was sent:
 * every connection stayed busy) or `timeout` (sent, no answer in time). A file call's deadline covers the same
 * up to the answer's headers; its body then has `fileIdleMs` between chunks (undici's body timeout, which does
 * not run while the gateway's own client holds the body back: the route's pace check sees to that).
 */
import type { Readable } from 'node:stream';

import { type Dispatcher, Pool } from 'undici';

import type { DatabaseConfig } from '../config/types.js';
import type { TraceContext } from '../tracing/tracing.js';
import { connectOptions } from './connect-options.js';
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
  /** W3C trace context sent on: the caller's `traceparent` (tracing off), or the client span's (registry.ts). */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The span the call's client span starts under (tracing on); not sent. */
  readonly trace?: TraceContext;
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
  const poolOf = (connections: number) =>
    new Pool(paths.origin, {
      connections,
      // The database's TLS settings too: the OAuth2 token calls go through this pool as well.
      connect: connectOptions(database),
      keepAliveTimeout: 4_000,
    });
  const pool = dispatcher ?? poolOf(database.connections);
  // Downloads have connections of their own: a stalled one never keeps a create or a poll waiting for a connection.
  const filePool = dispatcher ?? poolOf(database.fileConnections);
  const credentials: CredentialProvider = createCredentialProvider({
    auth: database.auth,
    dispatcher: pool,
    now,
    timeoutMs: database.timeouts.readMs,
  });

  const deadlineOf = (kind: CallKind) => (kind === 'create' ? database.timeouts.createMs : database.timeouts.readMs);

  async function send(
    call: OrdsCall,
    deadline: CallDeadline,
    retryOnUnauthorized = true,
  ): Promise<Dispatcher.ResponseData> {
    const context = { path: call.path, kind: call.kind };
    const headers: Record<string, string> = {
      accept: call.kind === 'file' ? '*/*' : 'application/json',
      authorization: await deadline.race(credentials.authorization(), context),
      'x-request-id': call.requestId,
    };
    if (call.traceparent) headers.traceparent = call.traceparent;
    if (call.traceparent && call.tracestate) headers.tracestate = call.tracestate;
    if (call.ifNoneMatch) headers['if-none-match'] = call.ifNoneMatch;
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    // Composed per call: the interceptor tells this call's deadline when a connection has picked the request up.
    const via = (call.kind === 'file' ? filePool : pool).compose(noticeDispatch(deadline));
    const res = await deadline.race(
      via.request({
        origin: paths.origin,
        method: call.method,
        path: call.path + queryString(call.query),
        headers,
        body,
        signal: deadline.signal,
        headersTimeout: deadline.ms,
        bodyTimeout: call.kind === 'file' ? database.timeouts.fileIdleMs : deadline.ms,
      }),
      context,
      // An answer that came after the deadline was given up on: nobody reads it.
      (late) => late.body.destroy(),
    );
    // A 401 with an OAuth2 token most likely means it expired early: fetch a new one and try once more.
    if (res.statusCode === 401 && retryOnUnauthorized && database.auth.kind === 'oauth2') {
      await res.body.dump();
      credentials.invalidate();
      return send(call, deadline, false);
    }
    return res;
  }

  return {
    database,
    paths,
    async json(call) {
      const deadline = callDeadline(deadlineOf(call.kind), call.signal);
      try {
        const res = await send(call, deadline);
        const text = await deadline.race(readCapped(res.body, database.maxResponseBytes, call), {
          path: call.path,
          kind: call.kind,
        });
        return { status: res.statusCode, headers: res.headers, body: parseJson(text) };
      } finally {
        deadline.end();
      }
    },
    async stream(call) {
      const deadline = callDeadline(deadlineOf(call.kind), call.signal);
      let res: Dispatcher.ResponseData;
      try {
        res = await send(call, deadline);
      } catch (err) {
        deadline.end();
        throw err;
      }
      // The deadline covered the wait for the answer; the body has its idle timeout and the route's pace check.
      // The caller's abort still reaches the body (through the signal undici holds) until the body closes.
      deadline.stopTimer();
      const body = res.body as unknown as Readable;
      body.once('close', () => deadline.end());
      // Handled where the stream is made: a body that fails while nobody reads it (a discarded retry, a client
      // gone, ORDS resetting mid-file) must not become an 'error' event without a listener, which ends the
      // process. Whoever reads the body still sees the failure through its own listener (pipeline).
      body.on('error', () => {});
      return { status: res.statusCode, headers: res.headers, body };
    },
    async close() {
      if (!dispatcher) await Promise.all([pool.close(), filePool.close()]);
    },
  };
}

/** One call's deadline: a timer of its own, and a signal that follows both it and the caller's. */
interface CallDeadline {
  readonly ms: number;
  /** Aborts when the deadline passes or the caller goes away (handed to undici). */
  readonly signal: AbortSignal;
  /** Set once a connection picked the request up (from then on, it may have been sent). */
  dispatched: boolean;
  /**
   * Settles as `work` does, or rejects as soon as the deadline passes or the caller goes away (then `work`'s
   * late value goes to `discard`). Failures arrive classified (transport.ts), with `context` logged.
   */
  race<T>(work: Promise<T>, context: Readonly<Record<string, unknown>>, discard?: (late: T) => void): Promise<T>;
  /** The deadline no longer applies (the answer's headers came); the caller's abort still does. */
  stopTimer(): void;
  /** The call is over: the timer and the listener on the caller's signal are removed. */
  end(): void;
}

function callDeadline(ms: number, caller: AbortSignal | undefined): CallDeadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DeadlineExpired(ms));
  }, ms);
  timer.unref();
  const follow = () => controller.abort(caller?.reason);
  if (caller?.aborted) follow();
  else caller?.addEventListener('abort', follow, { once: true });

  const deadline: CallDeadline = {
    ms,
    signal: controller.signal,
    dispatched: false,
    race<T>(work: Promise<T>, context: Readonly<Record<string, unknown>>, discard?: (late: T) => void): Promise<T> {
      const failure = (cause: unknown) => {
        if (!expired) return transportError(cause, context);
        // The deadline passed: before a connection took the request nothing left the gateway.
        return deadline.dispatched
          ? new OrdsTransportError('timeout', {
              detail: 'ORDS did not answer in time.',
              logContext: { upstreamError: 'deadline', deadlineMs: ms, ...context },
              cause,
            })
          : new OrdsTransportError('overloaded', {
              detail:
                'No connection to this database became free before the deadline; nothing was sent. Try again shortly.',
              logContext: { upstreamError: 'deadline-waiting-for-connection', deadlineMs: ms, ...context },
              cause,
            });
      };
      if (controller.signal.aborted) {
        work.then(discard, () => {});
        return Promise.reject(failure(controller.signal.reason));
      }
      return new Promise<T>((resolve, reject) => {
        let settled = false;
        const onAbort = () => {
          if (settled) return;
          settled = true;
          reject(failure(controller.signal.reason));
        };
        controller.signal.addEventListener('abort', onAbort, { once: true });
        work.then(
          (value) => {
            controller.signal.removeEventListener('abort', onAbort);
            if (settled) discard?.(value);
            else {
              settled = true;
              resolve(value);
            }
          },
          (cause: unknown) => {
            controller.signal.removeEventListener('abort', onAbort);
            if (settled) return;
            settled = true;
            reject(failure(cause));
          },
        );
      });
    },
    stopTimer() {
      clearTimeout(timer);
    },
    end() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', follow);
    },
  };
  return deadline;
}

class DeadlineExpired extends Error {
  constructor(ms: number) {
    super(`the call's deadline of ${ms} ms passed`);
    this.name = 'DeadlineExpired';
  }
}

/** An interceptor that marks the deadline once a connection picks the request up (undici's `onRequestStart`). */
function noticeDispatch(deadline: CallDeadline): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) =>
    dispatch(opts, {
      onRequestStart(controller, context) {
        deadline.dispatched = true;
        handler.onRequestStart?.(controller, context);
      },
      onRequestUpgrade: (controller, statusCode, headers, socket) =>
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) =>
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    });
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
