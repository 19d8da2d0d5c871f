// A scripted gateway for the client's and the command line's unit tests: no ORDS, no emulator, no gateway code.
// Each job is a list of answers (state and outcome) served one per read, the last one repeating, or moved on by
// the test (`manual`); `fetch` is it as an injected fetch, `serve()` as a real HTTP server for `datapump` child
// processes. `Prefer: wait=N` is ignored (an older gateway, ORDS) unless `longPoll` says otherwise.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

import type { FetchLike, Job, JobOutcome } from '../../src/client/index.js';

export const FAKE_URL = 'http://gateway.test';
const JOBS = '/databases/orcl/datapump/jobs/';
const PROBLEMS = 'https://datapump-gateway.dev/problems/';

export const RUNNING: JobOutcome = { result: 'running', source: 'ords' };

export interface Step {
  readonly state: string;
  /** What the gateway says of the outcome; ignored for a `legacy` script. Default `running`. */
  readonly outcome?: JobOutcome;
  /** No log link (nor a log): a job ORDS forgot, as the gateway shows it. */
  readonly noLog?: boolean;
}

export interface Script {
  /** The job's name; its owner is PDBADMIN. */
  readonly name: string;
  /** What each read of the job answers, in turn; the last one repeats. */
  readonly steps: readonly Step[];
  /** The log as it is at each step (`logs[i]` while the job shows `steps[i]`); the last one repeats. */
  readonly logs?: readonly string[];
  /** A create whose `file_name` is this starts this job (`datapump export --file …`). */
  readonly file?: string;
  /** An older gateway: its answers have no `outcome`. */
  readonly legacy?: boolean;
  /** Reads do not move the job on: `advance(name)` does (a long-poll's job changes when the test says). */
  readonly manual?: boolean;
}

/**
 * What the fake does with `Prefer: wait=N` on a read with `If-None-Match`: `ignore` it (an older gateway, or ORDS:
 * no `Preference-Applied`); `honour` it as the gateway does (a `304` is held until `advance()` changes the job or N
 * seconds pass, N at most 60, with `Preference-Applied: wait=N`); `hurry`: say `Preference-Applied` but answer at
 * once (a gateway shutting down).
 */
export type LongPoll = 'ignore' | 'honour' | 'hurry';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly ifNoneMatch: string | null;
  readonly prefer: string | null;
  readonly status: number;
  readonly preferenceApplied: string | null;
  /** `Date.now()` when the request arrived, and when it was answered (a long-poll's differ). */
  readonly at: number;
  readonly answeredAt: number;
}

/** A job body as the gateway shows it (without `outcome` for a legacy script). */
export function fakeJob(name: string, step: Step, legacy = false): Job {
  const self = `${FAKE_URL}${JOBS}PDBADMIN,${name}/`;
  const job: Record<string, unknown> = {
    job_name: name,
    owner_name: 'PDBADMIN',
    operation: name.includes('IMPORT') ? 'IMPORT' : 'EXPORT',
    job_mode: 'SCHEMA',
    state: step.state,
    degree: 1,
    links: [
      { rel: 'collection', href: `${FAKE_URL}${JOBS}` },
      ...(step.noLog ? [] : [{ rel: 'related', mediaType: 'text/plain', href: `${self}${name}.LOG` }]),
      { rel: 'self', href: self },
    ],
  };
  if (!legacy) job.outcome = step.outcome ?? RUNNING;
  return job as unknown as Job;
}

interface Entry {
  readonly script: Script;
  reads: number;
  /** The step a `manual` job shows. */
  step: number;
  current: Job;
  /** Long-polls held on this job, woken by `advance`. */
  readonly held: Set<() => void>;
}

export class FakeGateway {
  readonly requests: SeenRequest[] = [];
  /** Answers given instead of the next job read (a `503` with `Retry-After`, say), in turn. */
  readonly interruptions: (() => Response)[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly longPoll: LongPoll;

  constructor(scripts: readonly Script[] = [], options: { readonly longPoll?: LongPoll } = {}) {
    this.longPoll = options.longPoll ?? 'ignore';
    for (const s of scripts) this.add(s);
  }

  add(script: Script): this {
    this.entries.set(script.name, {
      script,
      reads: 0,
      step: 0,
      current: fakeJob(script.name, { state: 'EXECUTING', outcome: RUNNING }, script.legacy),
      held: new Set(),
    });
    return this;
  }

  /** How many times the job was read (its own URL, 200 or 304; a held long-poll counts once). */
  reads(name: string): number {
    return this.entries.get(name)?.reads ?? 0;
  }

  /** A `manual` job moves to its next step; its held long-polls look again. */
  advance(name: string): void {
    const entry = this.entries.get(name)!;
    entry.step = Math.min(entry.step + 1, entry.script.steps.length - 1);
    for (const wake of [...entry.held]) wake();
  }

  /** How many long-polls of the job are being held now. */
  holding(name: string): number {
    return this.entries.get(name)?.held.size ?? 0;
  }

  readonly fetch: FetchLike = async (request) => {
    const at = Date.now();
    // As a real fetch does: an abort (the client's timeout, say) rejects the call, however long the answer takes.
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(request.signal.reason);
      if (request.signal.aborted) fail();
      else request.signal.addEventListener('abort', fail, { once: true });
    });
    aborted.catch(() => undefined);
    const response = await Promise.race([this.answer(request), aborted]);
    this.requests.push({
      method: request.method,
      path: decodeURIComponent(new URL(request.url).pathname),
      ifNoneMatch: request.headers.get('if-none-match'),
      prefer: request.headers.get('prefer'),
      status: response.status,
      preferenceApplied: response.headers.get('preference-applied'),
      at,
      answeredAt: Date.now(),
    });
    return response;
  };

  private async answer(request: Request): Promise<Response> {
    const path = decodeURIComponent(new URL(request.url).pathname);
    if (!path.startsWith(JOBS)) return problem(404, 'not-found');
    const rest = path.slice(JOBS.length);
    if (rest === '' && request.method === 'POST') {
      const body = (await request.json()) as { file_name?: string };
      const entry = [...this.entries.values()].find((e) => e.script.file === body.file_name);
      if (!entry) return problem(422, 'request-unsafe');
      return json(201, entry.current, { location: selfOf(entry.current) });
    }
    if (rest === '' && request.method === 'GET') {
      // Every job as it ends, so a list does not depend on which reads came before.
      const items = [...this.entries.values()].map(({ script: { name, steps, legacy } }) =>
        fakeJob(name, steps[steps.length - 1]!, legacy),
      );
      return json(200, { items, hasMore: false, limit: 25, offset: 0, count: items.length, links: [] });
    }
    const match = /^PDBADMIN,([^/]+)\/(.*)$/.exec(rest);
    const entry = match ? this.entries.get(match[1]!) : undefined;
    if (!match || !entry || request.method !== 'GET') return problem(404, 'job-not-found');
    if (match[2] === '') {
      const interruption = this.interruptions.shift();
      if (interruption) return interruption();
      const { steps, legacy, manual } = entry.script;
      const show = () => {
        const step = manual ? entry.step : Math.min(entry.reads, steps.length - 1);
        entry.current = fakeJob(entry.script.name, steps[step]!, legacy);
        const text = JSON.stringify(entry.current);
        return { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"` };
      };
      let shown = show();
      entry.reads++;
      const ifNoneMatch = request.headers.get('if-none-match');
      const wait = ifNoneMatch === null ? undefined : preferredWait(request.headers.get('prefer'));
      const headers: Record<string, string> = {};
      if (wait !== undefined && this.longPoll !== 'ignore') {
        headers['preference-applied'] = `wait=${wait}`;
        if (this.longPoll === 'honour' && ifNoneMatch === shown.etag) {
          await hold(entry, wait * 1000, request.signal, () => show().etag !== ifNoneMatch);
          shown = show();
        }
      }
      headers.etag = shown.etag;
      if (ifNoneMatch === shown.etag) return new Response(null, { status: 304, headers });
      return new Response(shown.text, { status: 200, headers: { 'content-type': 'application/json', ...headers } });
    }
    const at = entry.script.manual ? entry.step : Math.max(0, entry.reads - 1);
    if (match[2] === `${entry.script.name}.LOG` && !entry.script.steps[at]?.noLog) {
      const logs = entry.script.logs ?? [''];
      const text = logs[Math.min(at, logs.length - 1)]!;
      return new Response(text, { status: 200, headers: { 'content-type': 'text/plain' } });
    }
    return problem(404, 'file-not-found');
  }
}

/** The fake's own reading of `Prefer` (not the gateway's code): the first `wait=N`, N whole seconds, at most 60. */
function preferredWait(header: string | null): number | undefined {
  const match = header === null ? null : /^\s*wait\s*=\s*"?(\d+)"?\s*$/i.exec(header.split(',')[0] ?? '');
  return match ? Math.min(Number(match[1]), 60) : undefined;
}

/** Until `changed()` holds when the job is advanced, `ms` pass (a timer: fake timers move it), or the client goes away. */
function hold(entry: Entry, ms: number, signal: AbortSignal, changed: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      entry.held.delete(wake);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const wake = () => {
      if (changed()) done();
    };
    const timer = setTimeout(done, ms);
    entry.held.add(wake);
    signal.addEventListener('abort', done, { once: true });
  });
}

function selfOf(job: Job): string {
  return job.links.find((l) => l.rel === 'self')!.href;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function problem(status: number, slug: string, retryAfter?: string): Response {
  return new Response(
    JSON.stringify({ type: `${PROBLEMS}${slug}`, title: slug, status, detail: `scripted ${status}` }),
    {
      status,
      headers: {
        'content-type': 'application/problem+json',
        ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}),
      },
    },
  );
}

/** The fake as a real HTTP server on a loopback port, for child processes. */
export async function serve(gateway: FakeGateway): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      void gateway
        .fetch(new Request(`${FAKE_URL}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, body }))
        .then(async (answer) => {
          const bytes = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(bytes);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
