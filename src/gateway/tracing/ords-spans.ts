/**
 * @module One CLIENT span per ORDS attempt (a retried GET shows each attempt, with `http.request.resend_count`),
 * named by the ORDS route template — the job's owner and name and the file name replaced by placeholders, no
 * query — and the span's own `traceparent` sent to ORDS in place of the caller's.
 */
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';

import type { DatabaseConfig } from '../config/types.js';
import type { OrdsCall } from '../upstream/ords-client.js';
import type { Tracing } from './tracing.js';

// `url.template` is still incubating in semantic conventions: copied, as their README advises, not imported.
const ATTR_URL_TEMPLATE = 'url.template';

const JOB_PATH = /(\/database\/datapump\/jobs\/)[^/]+\/([^/]*)$/;

/** `…/jobs/HR,EXP_1/EXPDAT.LOG` → `…/jobs/{owner_name},{job_name}/{filename}`; other ORDS paths are kept. */
export function ordsRouteTemplate(path: string): string {
  return path.replace(JOB_PATH, (_all, jobs: string, file: string) =>
    file === '' ? `${jobs}{owner_name},{job_name}/` : `${jobs}{owner_name},{job_name}/{filename}`,
  );
}

/** Runs one attempt of `call` in its client span; `send` gets the call with the span's trace headers on it. */
export async function tracedAttempt<T extends { readonly status: number }>(
  tracing: Pick<Tracing, 'span'>,
  database: DatabaseConfig,
  call: OrdsCall,
  attempt: number,
  send: (call: OrdsCall) => Promise<T>,
): Promise<T> {
  if (!call.trace) return send(call); // background work (the job watcher, reconciliation) is not traced
  const url = new URL(database.url);
  const template = ordsRouteTemplate(call.path);
  return tracing.span(
    call.trace,
    {
      name: `${call.method} ${template}`,
      kind: 'client',
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: call.method,
        [ATTR_SERVER_ADDRESS]: url.hostname,
        [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
        [ATTR_URL_TEMPLATE]: template,
        'datapump.database': database.name,
        'datapump.ords.call': call.kind,
        ...(attempt > 0 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: attempt } : {}),
      },
    },
    async (span) => {
      const answer = await send({ ...call, ...span.headers });
      span.set({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: answer.status });
      return answer;
    },
  );
}
