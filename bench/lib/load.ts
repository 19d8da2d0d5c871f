/** @module One bounded autocannon run against 127.0.0.1, with every response's latency kept at full resolution. */
import autocannon from 'autocannon';

export interface LoadSpec {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A header set to a value unique to each request (e.g. `idempotency-key`). */
  readonly uniqueHeader?: string;
  /** Paths requested in turn, round-robin over all connections, instead of `url`'s (the poll storm's jobs). */
  readonly paths?: readonly string[];
  /** The status every answer should have; others count as errors. */
  readonly expectStatus: number;
  readonly connections: number;
  /** A fixed overall rate (autocannon `overallRate`); without it, as fast as the target answers. */
  readonly overallRate?: number;
}

export interface LoadResult {
  /** Answers with the expected status per second of the measured run. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
  /** Answers with another status, connection errors and timeouts. */
  readonly errors: number;
  readonly statuses: Record<string, number>;
  readonly seconds: number;
}

/** A run's result and its latencies in ms, kept to pool the rounds of one target. */
export interface MeasuredRun extends LoadResult {
  readonly latencies: Float64Array;
}

let uniqueCounter = 0;
const runTag = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

/** Hard caps on every run, whatever the caller asks: at most this many requests per second of duration. */
const MAX_REQUESTS_PER_SECOND = 200_000;

export function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1') throw new Error(`benchmarks only target 127.0.0.1, not ${host}`);
}

export async function runLoad(spec: LoadSpec, durationS: number): Promise<MeasuredRun> {
  assertLocal(spec.url);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.body !== undefined) headers['content-type'] ??= 'application/json';
  const unique = spec.uniqueHeader;
  const paths = spec.paths;
  if (unique && paths) throw new Error('runLoad: uniqueHeader and paths together are not supported');
  let next = -1;
  const options: autocannon.Options = {
    url: spec.url,
    method: spec.method ?? 'GET',
    headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    connections: spec.connections,
    duration: durationS,
    // autocannon only notices the end of `duration` at a sample tick: tick every 100 ms, not every second.
    sampleInt: 100,
    // Bounded in count as well as in time.
    maxOverallRequests: Math.ceil(durationS * MAX_REQUESTS_PER_SECOND),
    timeout: 10,
    // Latencies are recorded here from every response, so autocannon's own histogram correction is not wanted
    // (it assumes 1 ms between requests whatever the rate, and autocannon refuses the option without a rate).
    ...(spec.overallRate ? { overallRate: spec.overallRate, ignoreCoordinatedOmission: true } : {}),
    ...(unique
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...request.headers, [unique]: `bench-${runTag}-${(uniqueCounter += 1)}` },
              }),
            },
          ],
        }
      : {}),
    ...(paths
      ? {
          requests: [
            {
              // One round-robin over every request sent, not per connection: autocannon would start each connection
              // at the first path, and many connections would then poll one path at a time, in lockstep.
              setupRequest: (request: autocannon.Request) => ({ ...request, path: paths[(next += 1) % paths.length] }),
            },
          ],
        }
      : {}),
  };
  const began = performance.now();
  let settle: (error: Error | null) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  // The callback form returns the instance (the promise form does not), so its events can be heard.
  const instance = autocannon(options, (error) => settle(error ?? null));
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    const key = String(statusCode);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (statusCode === spec.expectStatus) {
      ok += 1;
      latencies.push(responseTime);
    } else {
      errors += 1;
    }
  });
  instance.on('reqError', () => {
    errors += 1;
  });
  // A run that does not end by itself is stopped: duration plus a margin for in-flight requests.
  const watchdog = setTimeout(() => instance.stop(), (durationS + 15) * 1000);
  try {
    await finished;
  } finally {
    clearTimeout(watchdog);
  }
  const seconds = (performance.now() - began) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: ok / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    count: ok,
    errors,
    statuses,
    seconds,
    latencies: sorted,
  };
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Latencies of several runs as one sorted array. */
export function pool(runs: readonly MeasuredRun[]): Float64Array {
  const total = runs.reduce((n, r) => n + r.latencies.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const r of runs) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  return all.sort();
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
