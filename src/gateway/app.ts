/** @module createApp: the gateway's whole request pipeline, composed top to bottom in this one place. */
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';

import type { OpenApiDocument } from '../contract/documents.js';
import { createJwtVerifier, type JwtVerifier } from './auth/jwt-verifier.js';
import type { ConfigSource } from './config/types.js';
import { createAuditTrail } from './jobs/audit.js';
import { guardStore } from './jobs/guarded-store.js';
import type { JobStore } from './jobs/store.js';
import { type CounterStores, createCounterStores } from './limits/counter-stores.js';
import { tenantRateLimits } from './limits/rate-limit.js';
import { accessLog } from './middleware/access-log.js';
import { authenticate } from './middleware/authenticate.js';
import { databaseScope } from './middleware/database-scope.js';
import { normalizePath } from './middleware/normalize-path.js';
import { requestId } from './middleware/request-id.js';
import { docsRoutes } from './ops/docs.js';
import { healthRoutes } from './ops/health.js';
import { type GatewayMetrics, measureRequests } from './ops/metrics.js';
import { metricsEndpoint } from './ops/metrics-route.js';
import { problemPages } from './ops/problem-pages.js';
import { GatewayError } from './problems/gateway-error.js';
import { createProblemHandler } from './problems/handler.js';
import { replayOf } from './reliability/replay-check.js';
import { createJob } from './routes/create-job.js';
import { getJob } from './routes/get-job.js';
import { getJobFile } from './routes/get-job-file.js';
import { listJobs } from './routes/list-jobs.js';
import { createOrdsContract } from './upstream/ords-contract.js';
import type { UpstreamRegistry } from './upstream/registry.js';
import { createContractValidator } from './validation/contract-validator.js';

export interface AppDeps {
  readonly config: ConfigSource;
  readonly logger: Logger;
  readonly upstreams: UpstreamRegistry;
  readonly jobs: JobStore;
  readonly metrics: GatewayMetrics;
  /** Verifies tenants' JWTs; made from `config.jwt` when not given (tests inject one with a fixed clock). */
  readonly jwt?: JwtVerifier;
  /** Rate-limit counters; in this process unless given (the server passes Redis-backed ones when configured). */
  readonly counters?: CounterStores;
  /** The bundled contracts (generated/openapi/*.json), loaded once by the caller. */
  readonly contracts: { readonly public: OpenApiDocument; readonly ords: OpenApiDocument };
  readonly now?: () => Date;
  readonly generateRequestId?: () => string;
  /** Where audit events are logged; by default the logger, tagged `log: "audit"`. */
  readonly auditLog?: Logger;
}

const JOBS = '/databases/:database/datapump/jobs/';
const JOB = `${JOBS}:owner_name,:job_name/`;
const FILE = `${JOB}:filename`;

/** Builds the Express application; it does not listen (the server entry or a test does). */
export function createApp(deps: AppDeps): Express {
  const { config, logger, metrics } = deps;
  // Settings read once: a reload that changes them restarts the app (tenants and keys are read per request).
  const settings = config.current();
  const jobs = guardStore(deps.jobs);
  const jwt = deps.jwt ?? (settings.jwt ? createJwtVerifier(settings.jwt) : undefined);
  const counters =
    deps.counters ?? createCounterStores({ redisUrl: null, keyPrefix: settings.limits.keyPrefix, logger });
  const routeDeps = {
    config,
    upstreams: deps.upstreams,
    jobs,
    ordsContract: createOrdsContract(deps.contracts.ords),
    now: deps.now ?? (() => new Date()),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // the job ETag is ORDS's, passed through; Express must not invent its own
  app.set('trust proxy', settings.trustProxy);

  // 1. Correlation id, security headers, access log, request metrics.
  app.use(requestId(deps.generateRequestId ? { generate: deps.generateRequestId } : {}));
  app.use(
    helmet({
      // No upgrade-insecure-requests: /docs must work on plain-HTTP hosts inside the organisation too.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  app.use(accessLog({ logger }));
  app.use(measureRequests(metrics));
  if (settings.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: [...settings.corsOrigins],
        exposedHeaders: [
          'Location',
          'Content-Location',
          'ETag',
          'X-Request-Id',
          'RateLimit',
          'RateLimit-Policy',
          'Retry-After',
          'Idempotent-Replayed',
        ],
        maxAge: 600,
      }),
    );
  }

  // 2. Operational endpoints: outside the contract, no tenant credential.
  app.use(healthRoutes({ config, upstreams: deps.upstreams, jobs, counters }));
  if (!settings.metrics.listen) app.get('/metrics', metricsEndpoint({ metrics, token: settings.metrics.token }));
  app.use(docsRoutes({ publicContract: deps.contracts.public }));
  app.use(problemPages({ publicContract: deps.contracts.public }));

  // 3. The governed API: path form → tenant → rate limit → body → contract → database scope → route
  //    (→ quotas → ORDS → registry → answer).
  app.use(normalizePath());
  app.use(authenticate({ config, ...(jwt ? { jwt } : {}) }));
  app.use(tenantRateLimits({ stores: counters, skip: replayOf(jobs, routeDeps.now) }));
  app.use(
    express.json({ limit: settings.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }),
  );
  app.use(createContractValidator({ document: deps.contracts.public, validateResponses: settings.validateResponses }));
  const scoped = databaseScope({ config });
  const audit = createAuditTrail({ jobs, log: deps.auditLog ?? logger.child({ log: 'audit' }) });
  app.post(JOBS, scoped, createJob({ ...routeDeps, audit }));
  app.get(JOBS, scoped, listJobs(routeDeps));
  app.get(JOB, scoped, getJob(routeDeps));
  app.get(FILE, scoped, getJobFile(routeDeps));

  // 4. Anything else, and every error, leaves as application/problem+json.
  app.use((_req, _res, next) => {
    next(new GatewayError('not-found', { detail: 'No such path on this gateway.' }));
  });
  app.use(createProblemHandler({ logger, onProblem: (slug) => metrics.rejections.inc({ reason: slug }) }));
  return app;
}

/** For a separate metrics listener (`metrics.listen`): only /metrics. */
export function createMetricsApp({ metrics, token }: { metrics: GatewayMetrics; token: string | null }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsEndpoint({ metrics, token }));
  return app;
}
