/**
 * @module Upstream resilience, per database: a circuit breaker, GET retries with jittered backoff, and two
 * bulkheads — one for JSON calls, one for file downloads (cockatiel). The registry wraps every ORDS call in it;
 * the routes never see it.
 *
 * Composition of a client call: gate → bulkhead (the call's kind chooses which) → (GET only) retry → gate →
 * breaker → one ORDS attempt.
 * Each attempt counts for the breaker, so `failureThreshold` is in ORDS failures, not client requests,
 * and a GET whose retries open the breaker stops retrying at once.
 *
 * Decisions (each with its reason):
 * - **What trips the breaker**: transport failures (refused, reset, closed, DNS, connect/headers/body
 *   timeout) and ORDS 5xx answers. 4xx and 304 are ORDS working as designed and reset the count; a call the
 *   client abandoned (abort) is nobody's failure and leaves the count alone.
 * - **Open**: every call is answered at once with 503 `upstream-unavailable` and `Retry-After` (whole
 *   seconds until the half-open time, at least 1), without calling ORDS.
 * - **Half-open**: exactly one call goes through as the probe; calls arriving while it is in flight are
 *   answered 503 with `Retry-After: 1` at once (cockatiel would queue them behind the probe, which could
 *   hang for a whole read timeout; a gateway should not pile requests up on a sick ORDS). The probe's
 *   success closes the breaker, its failure re-opens it for another `halfOpenAfterMs`. (Known limit, from
 *   cockatiel: a probe that ends in an error the breaker does not count — its client went away — closes it;
 *   the next `failureThreshold` failures open it again.)
 * - **Readiness** (`UpstreamRegistry.probe`, behind /readyz) goes through the breaker, not the bulkhead nor
 *   the retries: while the breaker is open /readyz does not call ORDS and reports `circuit-open`; once
 *   `halfOpenAfterMs` has passed, the readiness probe may itself be the half-open probe, so recovery is
 *   noticed (and the breaker closed) even with no client traffic. It is never blocked longer than
 *   `halfOpenAfterMs`. It bypasses the bulkhead because one metadata GET per probe period is no load, and a
 *   busy-but-healthy gateway must not be pulled from the load balancer; it is not retried because
 *   readiness must report what ORDS does now, fast.
 * - **GET retries** (`getRetries`, first delay in [0, `retryBaseMs`), doubling, full jitter, capped at
 *   5 s): on connection errors (refused, connect timeout, DNS, reset, closed), ORDS 503 and 571 only. Never on
 *   other statuses (they are answers, and repeating them repeats them), never on a headers/body timeout:
 *   a GET is idempotent so it would be safe, but each attempt already waited the full `readMs`, so retrying
 *   multiplies the client's wait past its own patience and adds load to an ORDS that is already slow; the
 *   breaker counts the timeout instead. Not after the client went away (the abort signal stops retries).
 * - **POST is never retried**, not even when the connection was refused (nothing sent). The config
 *   contract says so (`get_retries`: "never of a POST"), the client holds an Idempotency-Key and gets a
 *   503 with Retry-After at once, and "a create reaches ORDS at most once per client request" is a
 *   simpler guarantee to audit than "…unless the connect failed", which rests on telling error codes apart.
 * - **File streams** are retried only before the first byte of the answer: `stream()` resolves at the
 *   answer's headers, and only what happens before that (or a 503 status, whose body is discarded) is
 *   retried; once the body flows the route owns it and a failure cuts the client's connection.
 * - **Bulkheads**: `maxConcurrent` JSON calls (creates, polls, lists) in flight per database, **no queue**:
 *   beyond it 503 `gateway-overloaded` with `Retry-After: 1` at once. A queue would add hidden latency on top of
 *   ORDS's and mask overload; clients already retry on Retry-After. A slot is held through retries and backoff.
 *   (The connection pool below can still queue a call when `connections` < `maxConcurrent`; the call's deadline
 *   covers that wait, and a call that waited past it without being sent is `overloaded` too: ords-client.ts.
 *   Like a full bulkhead, it says nothing of ORDS's health and is not counted by the breaker.)
 * - **File downloads have a bulkhead of their own**, sized `fileConnections` (the size of their own connection
 *   pool, ords-client.ts), no queue, the same 503 when full. A streamed file holds its slot until its body ends
 *   or is destroyed (it occupies an ORDS connection that long), so a download a client stalls could once keep
 *   the JSON calls' slots and connections taken; now it can only take a download's. Downloads share the
 *   database's breaker (one ORDS, one health) and its GET retries. The per-tenant download cap and the cut of a
 *   stalled download are the route's (limits/downloads.ts).
 * - **Clock**: cockatiel reads `Date.now()` and offers no clock injection, so this module reads the same
 *   clock for `Retry-After`; tests control it with fake `Date` (vitest `toFake: ['Date']`). Backoff delays use
 *   real timers and are kept small in tests.
 * - **Config reload**: policies are keyed by the `DatabaseConfig` object, like the clients; a changed
 *   database gets fresh policies (closed breaker, empty bulkheads), and the gauge follows the newest one.
 */
import { finished } from 'node:stream/promises';

import {
  bulkhead,
  type BulkheadPolicy,
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  type FailureReason,
  fullJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
} from 'cockatiel';

import type { DatabaseConfig } from '../config/types.js';
import { type GatewayMetrics, showBreakerState } from '../ops/metrics.js';
import { ORDS_DATABASE_CONNECTION_ERROR } from './ords-answers.js';
import type { OrdsCall, OrdsStreamAnswer } from './ords-client.js';
import { OrdsTransportError, transportOf } from './transport.js';

export type CircuitStateName = 'closed' | 'open' | 'half-open';

export type RetryReason = 'connect-failed' | 'connection-lost' | 'ords-503' | 'ords-571';

/** The 503 of an open (or probing) breaker; /readyz shows `detail` as `circuit-open` / `circuit-half-open`. */
export class CircuitOpenError extends OrdsTransportError {
  readonly circuit: 'open' | 'half-open';
  constructor(database: string, circuit: 'open' | 'half-open', retryAfterSeconds: number) {
    super('circuit-open', {
      detail:
        circuit === 'open'
          ? 'ORDS has been failing; the gateway is not calling it for a short while.'
          : 'ORDS has been failing; the gateway is checking whether it recovered.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
      logContext: { database, circuit },
    });
    this.circuit = circuit;
  }

  get reason(): `circuit-${'open' | 'half-open'}` {
    return `circuit-${this.circuit}`;
  }
}

/** Failures that say nothing about ORDS's health: the gateway refused itself, its client left, or ORDS did answer. */
const NOT_ORDS_FAILURES = new Set(['circuit-open', 'overloaded', 'aborted', 'too-large', 'malformed']);

/** Whether an ORDS attempt counts as a failure for the breaker (5xx answers count too: the result filter). */
function isOrdsFailure(err: unknown): boolean {
  const transport = transportOf(err);
  return transport !== undefined && !NOT_ORDS_FAILURES.has(transport.kind);
}

/** Why a GET attempt may be retried, or `undefined` when it may not. */
function retryReason(outcome: { error: unknown } | { status: number }): RetryReason | undefined {
  if ('status' in outcome) {
    if (outcome.status === 503) return 'ords-503';
    // ORDS could not connect to the database (its pool's connection failed): as passing as a 503, and answered
    // before any database work, so a GET may be sent again.
    if (outcome.status === ORDS_DATABASE_CONNECTION_ERROR) return 'ords-571';
    return undefined;
  }
  const kind = transportOf(outcome.error)?.kind;
  if (kind === 'refused') return 'connect-failed';
  if (kind === 'reset') return 'connection-lost';
  return undefined;
}

interface Answer {
  readonly status: number;
}

/** For answers whose body is still flowing when the call resolves (file streams). */
export interface StreamHooks<T> {
  /** Settles when the answer no longer occupies ORDS (its body ended or was destroyed). */
  held(answer: T): Promise<void>;
  /** Throws away an answer that is about to be retried. */
  discard(answer: T): void;
}

export const streamHooks: StreamHooks<OrdsStreamAnswer> = {
  held: (answer) =>
    finished(answer.body).then(
      () => undefined,
      () => undefined,
    ),
  // The client already listens for the body's errors (ords-client.ts), so destroying it cannot crash the process.
  discard: (answer) => {
    answer.body.destroy();
  },
};

export interface UpstreamResilience {
  /** A client call: bulkhead (the files' for a `file` call), retries for a GET, breaker. */
  call<T extends Answer>(
    database: DatabaseConfig,
    call: Pick<OrdsCall, 'method' | 'kind' | 'signal'>,
    attempt: () => Promise<T>,
    hooks?: StreamHooks<T>,
  ): Promise<T>;
  /** A readiness probe: the breaker only (see the module notes). */
  probe<T extends Answer>(database: DatabaseConfig, attempt: () => Promise<T>): Promise<T>;
  /** The breaker's state for this database (closed until its first call). */
  circuit(database: DatabaseConfig): CircuitStateName;
  clear(): void;
}

export interface ResilienceOptions {
  readonly metrics?: GatewayMetrics;
}

const STATE_NAME: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open', // never used: nothing isolates the breaker
};

/** Longest pause between two retries, whatever `retryBaseMs` and the attempt number. */
const MAX_RETRY_DELAY_MS = 5_000;

interface DatabasePolicy {
  readonly breaker: CircuitBreakerPolicy;
  /** JSON calls: creates, polls, lists (`maxConcurrent`). */
  readonly bulkhead: BulkheadPolicy;
  /** File downloads (`fileConnections`): apart, so that stalled downloads cannot take the JSON calls' slots. */
  readonly fileBulkhead: BulkheadPolicy;
  readonly backoff: ExponentialBackoff<number>;
  /** `Date.now()` when the breaker last opened (cockatiel keeps its own copy private). */
  openedAt: number;
}

export function createResilience({ metrics }: ResilienceOptions = {}): UpstreamResilience {
  const policies = new Map<DatabaseConfig, DatabasePolicy>();
  /** The newest policy per database name: only it drives the gauge. */
  const newest = new Map<string, DatabasePolicy>();

  function policyFor(database: DatabaseConfig): DatabasePolicy {
    const existing = policies.get(database);
    if (existing) return existing;
    const { name, resilience } = database;
    const breaker = circuitBreaker(
      handleWhen(isOrdsFailure).orWhenResult((r) => (r as Answer).status >= 500),
      {
        halfOpenAfter: resilience.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(resilience.failureThreshold),
      },
    );
    const policy: DatabasePolicy = {
      breaker,
      bulkhead: bulkhead(resilience.maxConcurrent, 0),
      fileBulkhead: bulkhead(database.fileConnections, 0),
      backoff: new ExponentialBackoff({
        generator: fullJitterGenerator,
        initialDelay: resilience.retryBaseMs,
        maxDelay: Math.max(resilience.retryBaseMs, MAX_RETRY_DELAY_MS),
      }),
      openedAt: 0,
    };
    breaker.onStateChange((state) => {
      if (state === CircuitState.Open) {
        policy.openedAt = Date.now();
        metrics?.circuitOpens.inc({ database: name });
      }
      if (metrics && newest.get(name) === policy) showBreakerState(metrics, name, STATE_NAME[state]);
    });
    policies.set(database, policy);
    newest.set(name, policy);
    if (metrics) showBreakerState(metrics, name, 'closed');
    return policy;
  }

  function rejected(database: DatabaseConfig, circuit: 'open' | 'half-open', policy: DatabasePolicy): CircuitOpenError {
    metrics?.circuitRejections.inc({ database: database.name });
    const untilHalfOpen = policy.openedAt + database.resilience.halfOpenAfterMs - Date.now();
    return new CircuitOpenError(
      database.name,
      circuit,
      circuit === 'open' ? Math.max(1, Math.ceil(untilHalfOpen / 1000)) : 1,
    );
  }

  /** Refuses at once while the breaker is open (and not yet due to half-open) or probing. */
  function gate(database: DatabaseConfig, policy: DatabasePolicy): void {
    const state = policy.breaker.state;
    if (state === CircuitState.HalfOpen) throw rejected(database, 'half-open', policy);
    if (state === CircuitState.Open && Date.now() - policy.openedAt < database.resilience.halfOpenAfterMs)
      throw rejected(database, 'open', policy);
  }

  /** One ORDS attempt through the breaker. */
  async function guarded<T extends Answer>(
    database: DatabaseConfig,
    policy: DatabasePolicy,
    attempt: () => Promise<T>,
  ): Promise<T> {
    gate(database, policy);
    try {
      return await policy.breaker.execute(attempt);
    } catch (err) {
      // Our gate and cockatiel's own check can disagree by a millisecond at the half-open boundary.
      if (isBrokenCircuitError(err)) throw rejected(database, 'open', policy);
      throw err;
    }
  }

  function withRetries<T extends Answer>(
    database: DatabaseConfig,
    policy: DatabasePolicy,
    call: Pick<OrdsCall, 'signal'>,
    once: () => Promise<T>,
    hooks?: StreamHooks<T>,
  ): Promise<T> {
    const retrying = retry(
      handleWhen((error) => retryReason({ error }) !== undefined).orWhenResult(
        (r) => retryReason({ status: (r as Answer).status }) !== undefined,
      ),
      { maxAttempts: database.resilience.getRetries, backoff: policy.backoff },
    );
    retrying.onRetry((event: FailureReason<unknown>) => {
      const reason = retryReason(
        'error' in event ? { error: event.error } : { status: (event.value as Answer).status },
      );
      if (reason) metrics?.retries.inc({ database: database.name, reason });
      if ('value' in event && hooks) hooks.discard(event.value as T);
    });
    return retrying.execute(once, call.signal);
  }

  /** Runs `fn` in a slot of the call's bulkhead, held until `hooks.held` settles for a streamed answer. */
  function inSlot<T extends Answer>(
    database: DatabaseConfig,
    policy: DatabasePolicy,
    file: boolean,
    fn: () => Promise<T>,
    hooks?: StreamHooks<T>,
  ): Promise<T> {
    const labels = { database: database.name };
    return new Promise<T>((resolve, reject) => {
      (file ? policy.fileBulkhead : policy.bulkhead)
        .execute(async () => {
          metrics?.inFlight.inc(labels);
          try {
            const answer = await fn();
            resolve(answer);
            if (hooks) await hooks.held(answer);
          } finally {
            metrics?.inFlight.dec(labels);
          }
        })
        .catch((err: unknown) => {
          if (isBulkheadRejectedError(err)) {
            metrics?.bulkheadRejections.inc(labels);
            reject(
              file
                ? new OrdsTransportError('overloaded', {
                    detail: 'Too many file downloads from this database are in progress; try again shortly.',
                    logContext: { database: database.name, fileConnections: database.fileConnections },
                  })
                : new OrdsTransportError('overloaded', {
                    detail: 'Too many requests to this database are in progress; try again shortly.',
                    logContext: { database: database.name, maxConcurrent: database.resilience.maxConcurrent },
                  }),
            );
            return;
          }
          reject(err);
        });
    });
  }

  return {
    call(database, call, attempt, hooks) {
      const policy = policyFor(database);
      try {
        gate(database, policy); // an open breaker answers before the bulkhead is even asked
      } catch (err) {
        return Promise.reject(err);
      }
      const once = () => guarded(database, policy, attempt);
      const run =
        call.method === 'GET' && database.resilience.getRetries > 0
          ? () => withRetries(database, policy, call, once, hooks)
          : once;
      return inSlot(database, policy, call.kind === 'file', run, hooks);
    },
    probe(database, attempt) {
      return guarded(database, policyFor(database), attempt);
    },
    circuit(database) {
      const policy = policies.get(database);
      return policy ? STATE_NAME[policy.breaker.state] : 'closed';
    },
    clear() {
      policies.clear();
      newest.clear();
    },
  };
}
