// The emulator-only `/__emulator/*` endpoints (no auth): faults, recorded requests, the manual clock, jobs.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { createAjv, describeErrors } from './ajv.js';
import { type Clock, isManualClock } from './clock.js';
import type { FaultBook } from './fault-book.js';
import { parseBody, readBody } from './http-body.js';
import type { AddedJobSpec, JobStore } from './job-store.js';
import type { Recorder } from './recorder.js';

export interface ControlState {
  readonly faults: FaultBook;
  readonly recorder: Recorder;
  readonly clock: Clock;
  readonly jobs: JobStore;
  readonly bodyLimitBytes: number;
  /** The path of a job's URL (`/ords/{db}/{schema}/_/db-api/stable/database/datapump/jobs/OWNER,NAME/`). */
  readonly jobPath: (owner: string, name: string) => string;
}

const text = { type: 'string', minLength: 1, maxLength: 4000 } as const;
const count = { type: 'integer', minimum: 0, maximum: 100000 } as const;

/** A job other tools started: any owner, name (spaces allowed), operation, mode and state. See AddedJobSpec. */
const addedJobSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['owner_name', 'job_name'],
  properties: {
    owner_name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^,/]+$' },
    job_name: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^,/]+$' },
    operation: text,
    job_mode: text,
    state: text,
    job_state: text,
    degree: count,
    attached_sessions: count,
    datapump_sessions: count,
    pad: { type: 'boolean' },
    log_file: { anyOf: [{ type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/]+$' }, { type: 'null' }] },
    log: { type: 'string' },
    ending: { enum: ['successful', 'errors', 'fatal', 'stopped', 'none'] },
    files: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/]+$' } },
  },
} as const;

const checkAddedJobs = createAjv().compile<AddedJobSpec[]>({
  type: 'array',
  maxItems: 100000,
  items: addedJobSchema,
});

type Answer = [status: number, body: unknown];

function reply(res: ServerResponse, [status, body]: Answer, allow?: string): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
  if (allow) headers.Allow = allow;
  res.writeHead(status, headers).end(text);
}

const clockBody = (clock: Clock) => ({
  now: new Date(clock.now()).toISOString(),
  epochMs: clock.now(),
  manual: isManualClock(clock),
});

async function jsonBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  const read = await readBody(req, limit);
  if (!read.ok) return { ok: false, error: `request body ${read.reason}` };
  const parsed = parseBody(read.bytes, 'application/json');
  if (parsed.jsonError !== undefined || typeof parsed.value === 'string')
    return { ok: false, error: `body is not JSON: ${parsed.jsonError ?? ''}` };
  return { ok: true, value: parsed.value };
}

async function answer(
  state: ControlState,
  req: IncomingMessage,
  resource: string,
  method: string,
): Promise<Answer | null> {
  switch (`${method} ${resource}`) {
    case 'GET faults':
      return [200, state.faults.list()];
    case 'DELETE faults':
      state.faults.clear();
      return [204, undefined];
    case 'PUT faults': {
      const body = await jsonBody(req, state.bodyLimitBytes);
      if (!body.ok) return [400, { error: body.error }];
      try {
        state.faults.set(body.value);
      } catch (error) {
        return [400, { error: (error as Error).message }];
      }
      return [200, state.faults.list()];
    }
    case 'GET requests':
      return [200, state.recorder.list()];
    case 'DELETE requests':
      state.recorder.clear();
      return [204, undefined];
    case 'GET clock':
      return [200, clockBody(state.clock)];
    case 'POST clock': {
      if (!isManualClock(state.clock))
        return [409, { error: 'the clock is real; start the emulator with --clock manual' }];
      const body = await jsonBody(req, state.bodyLimitBytes);
      const advanceMs = body.ok ? (body.value as { advanceMs?: unknown } | null)?.advanceMs : undefined;
      if (typeof advanceMs !== 'number' || !Number.isSafeInteger(advanceMs) || advanceMs < 0) {
        return [400, { error: 'expected {"advanceMs": <non-negative integer>}' }];
      }
      state.clock.advance(advanceMs);
      return [200, clockBody(state.clock)];
    }
    case 'POST jobs': {
      const body = await jsonBody(req, state.bodyLimitBytes);
      if (!body.ok) return [400, { error: body.error }];
      // One job or a list of them.
      const specs = Array.isArray(body.value) ? body.value : [body.value];
      if (!checkAddedJobs(specs)) return [400, { error: describeErrors(checkAddedJobs.errors, 'jobs').join('; ') }];
      try {
        const added = state.jobs.add(specs);
        return [
          201,
          added.map((job) => ({ owner_name: job.owner, job_name: job.name, path: state.jobPath(job.owner, job.name) })),
        ];
      } catch (error) {
        return [409, { error: (error as Error).message }];
      }
    }
    case 'DELETE jobs':
      state.jobs.clear();
      return [204, undefined];
    default:
      return null;
  }
}

const ALLOW: Record<string, string> = {
  faults: 'GET, PUT, DELETE',
  requests: 'GET, DELETE',
  clock: 'GET, POST',
  jobs: 'POST, DELETE',
};

export async function handleControl(
  state: ControlState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const resource = path.replace(/^\/__emulator\/?/, '').replace(/\/$/, '');
  const method = req.method ?? 'GET';
  const result = await answer(state, req, resource, method);
  if (result) return reply(res, result);
  if (ALLOW[resource])
    return reply(res, [405, { error: `${method} is not supported on /__emulator/${resource}` }], ALLOW[resource]);
  reply(res, [
    404,
    { error: 'unknown emulator endpoint', endpoints: Object.keys(ALLOW).map((r) => `/__emulator/${r}`) },
  ]);
}
