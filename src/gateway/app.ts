/**
 * @module createApp: the gateway's whole request pipeline, composed top to bottom in this one place, from parts
 * the composition root (compose.ts) built. Nothing here builds a shared part; it only makes middleware of them.
 */
import cors from 'cors';
import express, { type Express } from 'express';

import type { GatewayParts } from './compose.js';
import { accessLog } from './middleware/access-log.js';
import { authenticate } from './middleware/authenticate.js';
import { databaseScope } from './middleware/database-scope.js';
import { normalizePath } from './middleware/normalize-path.js';
import { keepRequestScope, requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { docsRoutes } from './ops/docs.js';
import { healthRoutes } from './ops/health.js';
import { type GatewayMetrics, measureRequests } from './ops/metrics.js';
import { metricsEndpoint } from './ops/metrics-route.js';
import { problemPages } from './ops/problem-pages.js';
import { GatewayError } from './problems/gateway-error.js';
import { createProblemHandler } from './problems/handler.js';
import { createJobRoute } from './routes/create-job.js';
import { getJob } from './routes/get-job.js';
import { getJobFile, validateFileHeadAsGet } from './routes/get-job-file.js';
import { listJobs } from './routes/list-jobs.js';

// Every job route on two path shapes: the gateway's own, and ORDS's (a script written against ORDS changes only its
// host and credentials). The database scope resolves either to the database and the URLs of that shape.
const SHAPES = [
  '/databases/:database/datapump/',
  '/ords/:ords_database/:ords_schema/_/db-api/:api_version/database/datapump/',
];
const JOBS = SHAPES.map((base) => `${base}jobs/`);
const JOB = JOBS.map((jobs) => `${jobs}:owner_name,:job_name/`);
const FILE = JOB.map((job) => `${job}:filename`);
const EXPORT = SHAPES.map((base) => `${base}export`);
const IMPORT = SHAPES.map((base) => `${base}import`);
/** The job routes' Express paths, each on both shapes (tests mount the validator on the very same paths). */
export const JOB_ROUTES = { JOBS, JOB, FILE, EXPORT, IMPORT } as const;

/** Builds the Express application; it does not listen (the server entry or a test does). */
export function createApp(parts: GatewayParts): Express {
  const { config, logger, metrics, store, upstreams, counters, limits } = parts;
  // Settings read once: a reload that changes them is logged as needing a restart (tenants and keys are read per request).
  const settings = config.current();
  const routeDeps = {
    config,
    ords: parts.ords,
    registry: store.registry,
    provenance: store.provenance,
    settle: parts.watcher.settle,
    now: parts.now,
    views: parts.views,
    ended: parts.ended,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // the job ETag is ORDS's, passed through; Express must not invent its own
  app.set('trust proxy', settings.trustProxy);
  app.set('case sensitive routing', true); // the contract's paths are exact (the validator reads this too)

  // 1. The request context (correlation id, then the server span), security headers, access log, request metrics.
  app.use(
    requestId({
      scope: parts.requestScope,
      ...(parts.generateRequestId ? { generate: parts.generateRequestId } : {}),
    }),
  );
  app.use(parts.tracing.requests);
  // helmet's headers (CSP without upgrade-insecure-requests, HSTS only over https), worked out once at start-up.
  app.use(securityHeaders({ publicUrl: settings.publicUrl }));
  app.use(accessLog({ logger }));
  // Requests answered, their time and their body bytes in and out, from one listener per request.
  app.use(measureRequests(metrics, { tenantLabel: settings.metrics.tenantLabel }));
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
          'Preference-Applied',
        ],
        maxAge: 600,
      }),
    );
  }

  // 2. Operational endpoints and public documentation (/docs, /openapi.json, /problems/…): outside the contract, no
  //    tenant credential. Before authentication: an unknown /problems/ page is a 404 there, never a 401.
  app.use(healthRoutes({ config, upstreams, store: store.health, counters, lifecycle: parts.lifecycle, metrics }));
  if (!settings.metrics.listen) app.get('/metrics', metricsEndpoint({ metrics, token: settings.metrics.token }));
  app.use(
    docsRoutes({ publicContract: parts.contracts.public, jwt: parts.jwt !== undefined, note: settings.docs.note }),
  );
  app.use(problemPages({ publicContract: parts.contracts.public }));

  // 3. The governed API: path form → tenant → read budget (reads) → body → contract → database scope → route.
  //    A create is the use case create/use-case.ts: policy → create budget → claim (key + quotas) → ORDS →
  //    record (with the journal's state and the audit event, one transaction) → answer.
  app.use(normalizePath());
  app.use(authenticate({ config, now: parts.now, logger, ...(parts.jwt ? { jwt: parts.jwt } : {}) }));
  app.use(limits.reads);
  app.use(
    express.json({ limit: settings.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }),
  );
  app.use(keepRequestScope(parts.requestScope));
  app.use(validateFileHeadAsGet(parts.validator));
  const scoped = databaseScope({ config });
  const create = {
    createJob: parts.createJob,
    spendCreateBudget: limits.spendCreate,
    publicUrl: () => config.current().publicUrl,
  };
  app.post(JOBS, scoped(createJobRoute(create)));
  app.post(EXPORT, scoped(createJobRoute(create, 'EXPORT')));
  app.post(IMPORT, scoped(createJobRoute(create, 'IMPORT')));
  app.get(JOBS, scoped(listJobs(routeDeps)));
  app.get(JOB, scoped(getJob(routeDeps)));
  app.get(FILE, scoped(getJobFile(routeDeps, { downloads: parts.downloads, logger })));

  // 4. Anything else, and every error, leaves as application/problem+json.
  app.use((_req, _res, next) => {
    next(new GatewayError('not-found', { detail: 'No such path on this gateway.' }));
  });
  // A POST refused before its policy ran (bad JSON, 415, 400, 404) pays as a read.
  app.use(limits.earlyFailures);
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
