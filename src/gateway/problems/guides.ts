/**
 * @module What each problem type's page at /problems/{slug} shows beyond the contract's description: an example
 * body (the fields that vary; type, title and status come from the catalogue) and how to fix it, in Markdown.
 * Typed by slug, so a new problem type is a compile error until it has both; a test validates every example
 * against the public contract's Problem schema.
 */
import type { ProblemBody, ProblemSlug } from './catalogue.js';

export interface ProblemGuide {
  /** The members of a realistic answer beyond `type`, `title` and `status`. */
  readonly example: Omit<ProblemBody, 'type' | 'title' | 'status'>;
  /** How the caller (or, for the gateway's own failures, the operator) fixes it: Markdown, our own text. */
  readonly fix: string;
}

const RID = '0f8d3c1e-6b2a-4e57-9a0c-4d1f2b7e8a93';
const RETRY =
  'Retry later, with backoff; honour `Retry-After` when the answer has one. A create retried with the **same** ' +
  '`Idempotency-Key` never makes a second job.';

export const PROBLEM_GUIDES: Readonly<Record<ProblemSlug, ProblemGuide>> = {
  'request-invalid': {
    example: {
      detail: 'The request does not match the contract (2 faults); each is listed in errors.',
      request_id: RID,
      errors: [
        { pointer: '/threads', detail: 'must be <= 1024' },
        { pointer: '/file_name', detail: "must have required property 'file_name' (IMPORT needs file_name)" },
      ],
    },
    fix:
      'Correct every fault `errors` lists: each `pointer` is a JSON Pointer into your body, each `parameter` a ' +
      'path or query parameter. The request rules are in the contract (`/openapi.json`, browsable at `/docs`); ' +
      'the TypeScript client makes most of them compile errors.',
  },
  'malformed-json': {
    example: { detail: 'The body is not parseable JSON.', request_id: RID },
    fix:
      'Send one JSON object, UTF-8, with `Content-Type: application/json`. With `curl`, quote the body for your ' +
      'shell (`-d \'{"operation":"EXPORT"}\'`) or read it from a file (`-d @request_body.json`).',
  },
  'idempotency-key-required': {
    example: { detail: 'This tenant must send an Idempotency-Key with every create.', request_id: RID },
    fix:
      'Send `Idempotency-Key: <a fresh UUID>` with each create, and the same key when you retry that create. ' +
      'The TypeScript client and `datapump` do this for you.',
  },
  unauthenticated: {
    example: {
      detail: 'This API needs a credential: an API key, a Bearer token or Basic tenant-id:api-key.',
      request_id: RID,
    },
    fix:
      'Send your API key as `X-API-Key: <key>`, as `Authorization: Bearer <key>`, or with HTTP Basic as ' +
      '`tenant-id:key` (`curl -u hr-team:<key>`); a JWT from your identity provider as `Authorization: Bearer` ' +
      'where the gateway is configured for one. Send one credential, not two. `WWW-Authenticate` says which ' +
      'schemes this gateway accepts. `/docs` explains it at the top.',
  },
  'not-granted': {
    example: {
      detail: 'The request asks for 2 things the tenant is not granted; each is listed in errors.',
      request_id: RID,
      errors: [
        { pointer: '/schema_expressions/0/expression', detail: 'schema SALES is not granted to tenant hr-team' },
        { pointer: '/threads', detail: 'at most 4 threads are granted to tenant hr-team' },
      ],
    },
    fix:
      'Ask only for what your tenant is granted: `errors` names each member and the grant it exceeds. If you need ' +
      'more (another schema, a job mode, more threads), ask the gateway operators to change your grants.',
  },
  'not-found': {
    example: { detail: 'No such path on this gateway.', request_id: RID },
    fix:
      'Check the path against `/docs`: jobs live under `/databases/{database}/datapump/jobs/` (or ORDS’s own ' +
      '`/ords/{database}/{schema}/_/db-api/stable/database/datapump/jobs/`).',
  },
  'database-not-found': {
    example: { detail: 'No such database.', request_id: RID },
    fix:
      'Use the name of a database your tenant is granted (`orcl` in `/databases/orcl/…`). A database that exists ' +
      'but is not granted to you answers the same, so that names do not leak; ask the operators which are yours.',
  },
  'job-not-found': {
    example: { detail: 'No such job.', request_id: RID },
    fix:
      'Use the `Location` the create answered, or a job from your own list (`GET …/datapump/jobs/`). Another ' +
      "tenant's job answers the same. A finished job stays listed, with its `outcome`, until the gateway's " +
      'retention ends.',
  },
  'file-not-found': {
    example: { detail: 'The job has no such file.', request_id: RID },
    fix: "Use one of the job's `related` links: the log is the one whose `mediaType` is `text/plain`.",
  },
  'method-not-allowed': {
    example: { detail: 'This path accepts GET, HEAD.', request_id: RID },
    fix:
      'Use a method the `Allow` header lists. ORDS documents no way to stop, cancel or delete a Data Pump job, so ' +
      'there is no `DELETE`.',
  },
  'idempotency-conflict': {
    example: {
      detail: 'A request with this Idempotency-Key is still in flight; retry after Retry-After.',
      request_id: RID,
    },
    fix:
      'Wait `Retry-After` seconds and send the same request with the same key: you will get the job the first ' +
      'request created (`Idempotent-Replayed: true`). Do not switch to a new key: that may create a second job.',
  },
  'payload-too-large': {
    example: { detail: 'The body is larger than the gateway accepts.', request_id: RID },
    fix:
      'Send a smaller body. An `IN` list of 1,000 names fits in one expression; for more, use a `LIKE` pattern or ' +
      'several jobs.',
  },
  'unsupported-media-type': {
    example: { detail: 'The body must be application/json.', request_id: RID },
    fix: 'Send `Content-Type: application/json` (curl’s `-d` sends `application/x-www-form-urlencoded` otherwise).',
  },
  'request-unsafe': {
    example: {
      detail: 'The request has 1 unsafe value; each is listed in errors.',
      request_id: RID,
      errors: [
        {
          pointer: '/schema_expressions/0/expression',
          detail: 'a subquery is not accepted: write IN ( ... ), = ..., or LIKE ... with literal names',
        },
      ],
    },
    fix:
      "Write filters as the gateway accepts them: `IN ( 'HR', 'SALES' )`, `= 'HR'` or `LIKE 'HR%'`, with " +
      'literal names; file names without paths. `errors` says what was refused in each value.',
  },
  'idempotency-key-reused': {
    example: {
      detail: 'This Idempotency-Key was used with another request; use a new key for a new job.',
      request_id: RID,
    },
    fix: 'Use a new `Idempotency-Key` for a new job; reuse a key only to retry the very same request.',
  },
  'upstream-rejected': {
    example: {
      detail: 'ORDS refused a request the gateway accepted; the operators have been told.',
      request_id: RID,
      ords_code: 'BadRequest',
    },
    fix:
      'Read `detail` and `ords_code`: ORDS or Data Pump refused the job (a directory that does not exist, a dump ' +
      'file already there). Change the request; if it should have worked, quote `request_id` to the operators.',
  },
  'ords-version-unsupported': {
    example: {
      detail:
        "This database's ORDS release (19.4) cannot take 1 member of the request on any of its create endpoints; each is listed in errors.",
      request_id: RID,
      errors: [{ pointer: '/keep_master', detail: 'keep_master needs ORDS 25.4 or later (this database runs 19.4)' }],
    },
    fix:
      'Leave out each member `errors` names: the database’s ORDS release cannot do it, whatever the gateway ' +
      'accepts. ORDS was not called.',
  },
  'headers-too-large': {
    example: { detail: 'The request line and headers together are larger than the gateway accepts.' },
    fix: 'Send fewer or shorter headers (cookies meant for another service, an oversized token).',
  },
  'rate-limited': {
    example: { detail: "The tenant's create limit of 10 per hour is used up.", request_id: RID },
    fix:
      'Wait `Retry-After` seconds. `RateLimit` and `RateLimit-Policy` say how much is left; the limits are your ' +
      "tenant's, set by the operators.",
  },
  'quota-exceeded': {
    example: {
      detail: 'The tenant already runs 10 jobs at once, its limit.',
      request_id: RID,
      quota: 'concurrent_jobs',
      resets_at: '2026-12-01T09:40:00.000Z',
    },
    fix:
      '`quota` says which quota: `concurrent_jobs` (wait until one of your jobs ends), `daily_jobs` (wait until ' +
      '`resets_at`), `database_running_jobs` (the database is busy with every tenant’s jobs; retry later).',
  },
  'internal-error': {
    example: { detail: 'The gateway failed unexpectedly; quote the request_id to the operators.', request_id: RID },
    fix: 'Not your fault. Retry later; if it persists, quote `request_id` to the operators: their log has the cause.',
  },
  'upstream-error': {
    example: { detail: 'ORDS failed (HTTP 500).', request_id: RID },
    fix: `ORDS failed on its side. ${RETRY}`,
  },
  'upstream-auth-failed': {
    example: {
      detail: "ORDS refused the gateway's own credentials; this is not the caller's fault.",
      request_id: RID,
    },
    fix:
      "Not your fault: ORDS refused the **gateway's** database user or OAuth2 client. Operators: check " +
      '`databases.<name>.auth` and the account in the database (locked, expired password); ' +
      '`datapump-gateway verify-upstream` names the failing check.',
  },
  'upstream-invalid-response': {
    example: { detail: 'ORDS answered with a body that breaks its contract.', request_id: RID },
    fix:
      'Not your fault. Operators: `datapump-gateway verify-upstream` compares the ORDS behind the database with ' +
      'its documented contract; a proxy between the gateway and ORDS may be answering instead.',
  },
  'upstream-unavailable': {
    example: { detail: 'ORDS is not reachable.', request_id: RID },
    fix:
      `${RETRY} Operators: the log line of this \`request_id\` names the cause (connection refused, DNS, a TLS ` +
      'certificate the gateway cannot verify against `databases.<name>.tls.ca_file`, the circuit breaker open).',
  },
  'gateway-overloaded': {
    example: { detail: 'The gateway is at its concurrency cap for this database.', request_id: RID },
    fix: `Too many requests to this database at once. ${RETRY}`,
  },
  'store-unavailable': {
    example: { detail: "The gateway's state store is unavailable; try again shortly.", request_id: RID },
    fix: `${RETRY} Operators: the gateway's store (SQLite, PostgreSQL) or its Redis does not answer; \`/readyz\` says which.`,
  },
  'identity-provider-unavailable': {
    example: {
      detail: "The identity provider's keys cannot be had right now; retry after Retry-After.",
      request_id: RID,
    },
    fix: `Your JWT could not be checked: the identity provider's JWKS does not answer. ${RETRY}`,
  },
  'upstream-timeout': {
    example: { detail: 'ORDS did not answer in time.', request_id: RID },
    fix:
      'ORDS was slow. For a create, retry with the same `Idempotency-Key`: if the job was made after all, you get ' +
      'it, not a second one. Otherwise retry later.',
  },
};
