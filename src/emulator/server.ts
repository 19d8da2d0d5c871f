// createEmulator: wires the state, the router, faults and recording into a plain node:http server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import { listen } from '../lib/listen.js';
import { createAuthenticator } from './auth.js';
import { createBodyValidator } from './body-validator.js';
import type { Clock } from './clock.js';
import type { EmulatorState, RequestContext } from './context.js';
import { handleControl } from './control.js';
import { deliver, preHandlerOutcome, resetSocket, send } from './deliver.js';
import { dispatch } from './dispatch.js';
import { createFaultBook, type FaultBook } from './fault-book.js';
import { parseBody, readBody } from './http-body.js';
import { createJobStore, type JobStore } from './job-store.js';
import { type EmulatorOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { ordsError } from './ords-errors.js';
import { ordsRelease } from './ords-release.js';
import { createRecorder, type Recorder } from './recorder.js';
import { faultRouteOf, matchOrdsRoute } from './router.js';
import { createTokenStore } from './tokens.js';
import { apiUrls, originFor } from './urls.js';

export interface Emulator {
  readonly options: ResolvedOptions;
  readonly server: Server;
  readonly clock: Clock;
  readonly faults: FaultBook;
  readonly recorder: Recorder;
  readonly jobs: JobStore;
  /** `http://host:port` (valid once listening). */
  readonly origin: string;
  readonly port: number;
  /** `…/ords/{database}/{schema}/` (valid once listening). */
  readonly ordsUrl: string;
  /** `…/ords/{database}/{schema}/_/db-api/stable/` (valid once listening). */
  readonly apiUrl: string;
  /** Binds `port`/`host` (default: the options'); resolves once listening. */
  listen(port?: number, host?: string): Promise<Emulator>;
  /** Stops listening and destroys every open connection, hanging ones included. */
  close(): Promise<void>;
  /** The request listener, to mount the emulator in another server. */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export function createEmulator(input: EmulatorOptions = {}): Emulator {
  const options = resolveOptions(input);
  const { clock, ids } = options;
  const tokens = createTokenStore(clock, ids, options.tokenTtlSeconds);
  const release = ordsRelease(options.ordsVersion);
  const state: EmulatorState = {
    options,
    jobs: createJobStore(options),
    tokens,
    auth: createAuthenticator(options.users, options.clients, options.schema, tokens),
    validator: createBodyValidator(options.validate, release),
    release,
  };
  const faults = createFaultBook(options.faultSeed, options.faults);
  const recorder = createRecorder(options.recordRequests);
  const controlUrls = apiUrls({ origin: '', database: options.database, schema: options.schema, version: 'stable' });
  const control = {
    faults,
    recorder,
    clock,
    jobs: state.jobs,
    bodyLimitBytes: options.bodyLimitBytes,
    jobPath: controlUrls.job,
  };
  // Aborted on close, so pending latency faults do not keep the process alive.
  const closing = new AbortController();
  const scheme = options.tls ? 'https' : 'http';
  let origin = `${scheme}://${options.host}:${options.port}`;

  async function handleOrds(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const read = hasBody ? await readBody(req, options.bodyLimitBytes) : { ok: true as const, bytes: Buffer.alloc(0) };
    if (!hasBody) req.resume();
    if (!read.ok) {
      if (read.reason === 'too-large')
        send(res, ordsError(400, ids, `The request body exceeds ${options.bodyLimitBytes} bytes`));
      return;
    }
    const body = parseBody(read.bytes, req.headers['content-type']);
    const query = new URLSearchParams(search);
    recorder.add({
      method,
      path,
      query: Object.fromEntries(query),
      headers: req.headers,
      ...(body.value === undefined ? {} : { body: body.value }),
      receivedAt: new Date(clock.now()).toISOString(),
    });
    const route = matchOrdsRoute(path, options.database, options.schema);
    if (!route) return send(res, ordsError(404, ids));
    const decision = faults.decide(faultRouteOf(route.resource, method));
    if (decision.delayMs > 0) await sleep(decision.delayMs, undefined, { signal: closing.signal });
    const pre = preHandlerOutcome(decision.outcome, ids);
    if (pre === 'reset') return resetSocket(req.socket);
    if (pre === 'hang') return; // closeAllConnections() ends it on close
    if (pre) return send(res, pre);
    const urls = apiUrls({
      origin: originFor(options.publicUrl, req.headers.host, origin, scheme),
      database: options.database,
      schema: options.schema,
      version: route.version || 'stable',
    });
    const ctx: RequestContext = { req, route, query, body, search, urls, now: clock.now() };
    deliver(res, dispatch(state, ctx), decision.outcome);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q);
    const work =
      path === '/__emulator' || path.startsWith('/__emulator/')
        ? handleControl(control, req, res, path)
        : handleOrds(req, res, path, search);
    work.catch((error: unknown) => {
      if (closing.signal.aborted) return;
      // A bug must still produce an ORDS-shaped answer, not a dropped connection.
      if (!res.headersSent) send(res, ordsError(500, ids, (error as Error).message));
      else res.destroy();
    });
  }

  // With a CA, a client without a certificate it issued is refused in the handshake, before any request is read.
  const tls = options.tls;
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handle,
      )
    : createServer(handle);
  const emulator: Emulator = {
    options,
    server,
    clock,
    faults,
    recorder,
    jobs: state.jobs,
    handle,
    get origin() {
      return origin;
    },
    get port() {
      return Number(new URL(origin).port);
    },
    get ordsUrl() {
      return `${origin}/ords/${options.database}/${options.schema}/`;
    },
    get apiUrl() {
      return `${origin}/ords/${options.database}/${options.schema}/_/db-api/stable/`;
    },
    async listen(port = options.port, host = options.host) {
      origin = (await listen(server, port, host)).replace(/^http:/, `${scheme}:`);
      return emulator;
    },
    close() {
      closing.abort();
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // Hanging faults and keep-alive sockets would otherwise hold close() open forever.
        server.closeAllConnections();
      });
    },
  };
  return emulator;
}

/** createEmulator + listen, for tests and the CLI. */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator(options).listen();
}
