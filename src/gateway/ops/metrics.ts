/** @module The gateway's Prometheus metrics: one registry per app, never the global one. */
import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { keysExpiringSoon } from '../auth/key-expiry.js';
import type { ConfigSource } from '../config/types.js';
import { requestContext } from '../middleware/request-context.js';
import { contractRoute } from '../validation/contract-validator.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'method' | 'status' | 'tenant'>;
  readonly duration: Histogram<'route' | 'method'>;
  readonly upstream: Histogram<'database' | 'call' | 'outcome'>;
  readonly rejections: Counter<'reason'>;
  readonly limitStoreFailures: Counter<'class' | 'outcome'>;
  /** Upstream resilience (src/gateway/upstream/resilience.ts), all by database. */
  readonly breakerState: Gauge<'database' | 'state'>;
  readonly circuitOpens: Counter<'database'>;
  readonly circuitRejections: Counter<'database'>;
  readonly retries: Counter<'database' | 'reason'>;
  readonly bulkheadRejections: Counter<'database'>;
  readonly inFlight: Gauge<'database'>;
  /** How creates ended, by the intent journal's outcome (create/journal.ts). */
  readonly createOutcomes: Counter<'outcome'>;
  /** What reconciliation did with the creates it settled (create/reconcile.ts). */
  readonly reconcile: Counter<'outcome'>;
  /** Errors nobody handled, caught by the last-resort guard (process-guard.ts). */
  readonly unhandledErrors: Counter<'kind'>;
  /** What the last readiness probe found of each dependency: `ords:<database>`, `store`, `rate_limits` (1 up, 0 down). */
  readonly dependencyUp: Gauge<'dependency'>;
  /** Rows of ORDS's job list the gateway cannot represent, skipped (and logged) rather than failing the list (ords-port.ts). */
  readonly ordsRowsSkipped: Counter<'database'>;
  /** Jobs the job watcher saw end, by outcome (watch/job-watcher.ts). */
  readonly jobsFinished: Counter<'result' | 'source'>;
  /** Request body bytes read and response body bytes written, by contract route and method (measureRequests). */
  readonly requestBytes: Counter<'route' | 'method'>;
  readonly responseBytes: Counter<'route' | 'method'>;
}

export function createMetrics({ defaultMetrics = true }: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  // No prefix: the standard names (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, …) that stock Node
  // dashboards query. prom-client 15 reads them on scrape (no interval); each call leaves one GC observer and one
  // event-loop-delay monitor for the process's life, so a process builds one registry with them (tests pass false).
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  return {
    registry,
    requests: new Counter({
      name: 'datapump_gateway_requests_total',
      help: 'Requests answered, by contract route, method, status and tenant.',
      labelNames: ['route', 'method', 'status', 'tenant'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'datapump_gateway_request_duration_seconds',
      help: 'Time to answer, by contract route and method.',
      labelNames: ['route', 'method'],
      buckets,
      registers: [registry],
    }),
    upstream: new Histogram({
      name: 'datapump_gateway_ords_request_duration_seconds',
      help: 'Time ORDS took to answer (to the first byte), by database, call and outcome.',
      labelNames: ['database', 'call', 'outcome'],
      buckets,
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'datapump_gateway_rejections_total',
      help: 'Problem answers, by problem type slug.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    limitStoreFailures: new Counter({
      name: 'datapump_gateway_rate_limit_store_failures_total',
      help: 'Rate-limit store (Redis) failures, by limit class and what the gateway did (fallback: counted locally; refused: 503).',
      labelNames: ['class', 'outcome'],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'datapump_gateway_ords_breaker_state',
      help: 'Circuit breaker in front of each ORDS, one series per state (closed, open, half_open): 1 for the current state, 0 for the others.',
      labelNames: ['database', 'state'],
      registers: [registry],
    }),
    circuitOpens: new Counter({
      name: 'datapump_gateway_ords_circuit_opens_total',
      help: 'Times the circuit breaker opened (including re-opening after a failed half-open probe), by database.',
      labelNames: ['database'],
      registers: [registry],
    }),
    circuitRejections: new Counter({
      name: 'datapump_gateway_ords_circuit_rejections_total',
      help: 'Calls answered 503 upstream-unavailable by an open (or probing) circuit breaker without calling ORDS, by database.',
      labelNames: ['database'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'datapump_gateway_ords_retries_total',
      help: 'GET calls to ORDS sent again, by database and reason (connect-failed, connection-lost, ords-503, ords-571).',
      labelNames: ['database', 'reason'],
      registers: [registry],
    }),
    bulkheadRejections: new Counter({
      name: 'datapump_gateway_ords_bulkhead_rejections_total',
      help: 'Calls answered 503 gateway-overloaded because max_concurrent calls to that ORDS were already in flight, by database.',
      labelNames: ['database'],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'datapump_gateway_ords_in_flight',
      help: 'Calls to ORDS holding a bulkhead slot (a streamed file holds one until its last byte), by database.',
      labelNames: ['database'],
      registers: [registry],
    }),
    createOutcomes: new Counter({
      name: 'datapump_gateway_create_outcomes_total',
      help: 'Creates by how they ended in the intent journal: created, recovered (by reconciliation), in-doubt, released (key freed: ORDS cannot have started the job), quarantined (left for an operator).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    reconcile: new Counter({
      name: 'datapump_gateway_reconcile_total',
      help: 'Creates settled by reconciliation: recovered (the job found by evidence unique to its intent and given to its tenant), quarantined (no unique evidence: left for an operator).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    unhandledErrors: new Counter({
      name: 'datapump_gateway_unhandled_errors_total',
      help: 'Errors nobody handled, by kind: rejection (logged; the process keeps serving) or exception (logged; the process shuts down gracefully and exits 1).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'datapump_gateway_dependency_up',
      help: 'What the last readiness probe found of each dependency (ords:<database>, store, rate_limits): 1 up, 0 down.',
      labelNames: ['dependency'],
      registers: [registry],
    }),
    ordsRowsSkipped: new Counter({
      name: 'datapump_gateway_ords_rows_skipped_total',
      help: "Rows of ORDS's job list skipped because the gateway cannot represent them (no owner or name, a name outside the public contract's rule, not an object, …), by database; the rest of the list is still used.",
      labelNames: ['database'],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'datapump_gateway_jobs_finished_total',
      help: 'Jobs the job watcher saw end, by outcome result and what it rests on (source: log, ords, inferred).',
      labelNames: ['result', 'source'],
      registers: [registry],
    }),
    requestBytes: new Counter({
      name: 'datapump_gateway_request_bytes_total',
      help: 'Request body bytes the gateway read (not headers), by contract route and method.',
      labelNames: ['route', 'method'],
      registers: [registry],
    }),
    responseBytes: new Counter({
      name: 'datapump_gateway_response_bytes_total',
      help: 'Response body bytes written to the client connection (not headers nor chunk framing; downloads included), by contract route and method.',
      labelNames: ['route', 'method'],
      registers: [registry],
    }),
  };
}

const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

/** Shows `current` as the breaker's state for `database`: its series 1, the other two 0 (a StateSet). */
export function showBreakerState(
  metrics: Pick<GatewayMetrics, 'breakerState'>,
  database: string,
  current: 'closed' | 'open' | 'half-open',
): void {
  const label = current.replace('-', '_');
  for (const state of BREAKER_STATES) metrics.breakerState.set({ database, state }, state === label ? 1 : 0);
}

/** The contract route a request matched (bounded cardinality), or `unmatched`: the label every per-route metric uses. */
export function routeLabel(req: Request): string {
  return contractRoute(req) ?? 'unmatched';
}

/**
 * Records every request, labelled by the contract route it matched (bounded cardinality), from one `close` listener:
 * - **answered** (`requests_total`, `request_duration_seconds`): only a request whose answer was completely written
 *   (a cut one never finishes). The tenant label is opt-in (`metrics.tenant_label`): otherwise it is always `none`,
 *   and /metrics names no tenant.
 * - **body bytes** (`request_bytes_total`, `response_bytes_total`): every request, cut ones included, as countBodyBytes
 *   counts them.
 * `close` rather than `finish`: it comes for a cut answer too, and one tick after `finish` for a completed one.
 */
export function measureRequests(metrics: GatewayMetrics, { tenantLabel }: { tenantLabel: boolean }): RequestHandler {
  return function measureRequestsMiddleware(req, res, next) {
    const end = metrics.duration.startTimer();
    const bytes = countBodyBytes(req, res);
    res.once('close', () => {
      const labels = { route: routeLabel(req), method: req.method };
      const finished = res.writableFinished;
      if (finished) {
        end(labels);
        metrics.requests.inc({
          ...labels,
          status: String(res.statusCode),
          tenant: (tenantLabel ? requestContext(req).caller?.tenant.id : undefined) ?? 'none',
        });
      }
      const bodiless = req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      metrics.requestBytes.inc(labels, bytes.in);
      metrics.responseBytes.inc(labels, bodiless ? 0 : bytes.out + (finished ? bytes.atEnd : 0));
    });
    next();
  };
}

// ------------------------------------------------------------------------------------------- body bytes

type WriteCallback = (error?: Error | null) => void;

/** Bytes of a chunk as Node will write it (a string in its encoding, utf8 by default). */
function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string')
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

/**
 * Counts one request's body bytes in and its response's body bytes out, as they go.
 *
 * Why not the socket's own counters: a keep-alive (or pipelined) connection carries several requests, and
 * `socket.bytesWritten` also counts headers and bytes still queued when a connection is cut. So:
 * - **in**: the body chunks the gateway read (every chunk a Readable hands out passes through its `emit('data')`),
 *   while the response is not yet finished; Node draining an unread body after the answer is not the gateway
 *   reading it. A request refused before its body was read counts 0. A request with neither Content-Length nor
 *   Transfer-Encoding has no body (RFC 9112 §6.3), so its `emit` is left alone: a job poll pays nothing for this.
 * - **out**: each `write`/`end` chunk counts once Node reports it written to the connection (the write callback
 *   without an error; `end`'s chunk, `atEnd`, only once the response finished: the caller adds it then). A download
 *   cut half-way counts what left, not what was offered. HEAD, 204 and 304 answers carry no body: Node drops what is
 *   written, so the caller counts them 0.
 */
function countBodyBytes(req: Request, res: Response): { in: number; out: number; atEnd: number } {
  const counts = { in: 0, out: 0, atEnd: 0 };
  const length = req.headers['content-length'];
  if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
    const emit = req.emit;
    req.emit = function countingEmit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'data' && !res.writableFinished) counts.in += byteLength(args[0], undefined);
      return emit.call(req, event, ...args);
    } as typeof req.emit;
  }

  const write = res.write as (...args: unknown[]) => boolean;
  res.write = function countingWrite(chunk: unknown, ...rest: unknown[]): boolean {
    const callback = rest.find((a): a is WriteCallback => typeof a === 'function');
    const encoding = rest.find((a) => typeof a === 'string');
    const size = byteLength(chunk, encoding);
    const counted: WriteCallback = (error) => {
      if (!error) counts.out += size;
      callback?.(error);
    };
    return write.call(res, chunk, ...(typeof encoding === 'string' ? [encoding] : []), counted);
  } as typeof res.write;

  const end = res.end as (...args: unknown[]) => Response;
  res.end = function countingEnd(...args: unknown[]) {
    // end(cb), end(chunk, cb), end(chunk, encoding, cb): the chunk is written with the last bytes, so it counts
    // when the response finishes (everything flushed), not when end is called.
    const chunk = typeof args[0] === 'function' ? undefined : args[0];
    if (chunk !== undefined && chunk !== null && !res.writableEnded) {
      counts.atEnd = byteLength(chunk, typeof args[1] === 'string' ? args[1] : undefined);
    }
    return end.apply(res, args);
  } as typeof res.end;
  return counts;
}

/**
 * API keys expiring within 14 days (auth/key-expiry.ts), computed at each scrape from the current config
 * snapshot and the clock, so a reload or the passing of time shows at the next scrape. The count is always
 * there (0 when none); the per-key series name tenants, so only with `metrics.tenant_label`, like requests.
 */
export function registerApiKeyExpiry(
  registry: Registry,
  { config, now, tenantLabel }: { config: ConfigSource; now: () => Date; tenantLabel: boolean },
): void {
  const soon = () => keysExpiringSoon(config.current(), now().getTime());
  new Gauge({
    name: 'datapump_gateway_api_keys_expiring_soon',
    help: 'API keys (of all tenants) that expire within 14 days and have not expired yet.',
    registers: [registry],
    collect() {
      this.set(soon().length);
    },
  });
  if (!tenantLabel) return;
  new Gauge({
    name: 'datapump_gateway_api_key_expiry_timestamp_seconds',
    help: 'When each API key expiring within 14 days expires (Unix seconds), by tenant and key id.',
    labelNames: ['tenant', 'key_id'],
    registers: [registry],
    collect() {
      this.reset();
      for (const key of soon()) this.set({ tenant: key.tenant, key_id: key.keyId }, key.expiresAtMs / 1000);
    },
  });
}
