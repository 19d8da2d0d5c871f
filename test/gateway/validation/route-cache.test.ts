// The contract validator's route cache (withRouteCache) against the validator's own lookup: over every contract path
// on both path shapes, every method, odd encodings, trailing and doubled slashes, case, queries and bodies, the same
// route, path parameters, schema, validation result and error (status, message, faults, Allow) come out, on the
// first request of a route (which teaches the cache) and on every one after it; and the validator's own lookup
// runs once per route and method, not once per request.
import { createServer, type Server } from 'node:http';

import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadContract } from '../../../src/contract/documents.js';
import { JOB_ROUTES } from '../../../src/gateway/app.js';
import {
  contractRoute,
  createContractValidator,
  withRouteCache,
} from '../../../src/gateway/validation/contract-validator.js';

const contract = loadContract('public');

// The gateway's routes (src/gateway/app.ts), so that Express's own params and the validator's app.param handlers
// meet as they do in the gateway.
const { JOBS, JOB, FILE, EXPORT, IMPORT } = JOB_ROUTES;

type Openapi = { expressRoute: string; openApiRoute: string; pathParams: unknown; schema?: { operationId?: string } };

function seen(req: Request, where: string) {
  const openapi = (req as { openapi?: Openapi }).openapi;
  return {
    where,
    route: contractRoute(req) ?? null,
    expressRoute: openapi?.expressRoute ?? null,
    pathParams: openapi?.pathParams ?? null,
    operationId: openapi?.schema?.operationId ?? null,
    params: { ...req.params },
    query: req.query as unknown,
    body: (req.body as unknown) ?? null,
  };
}

function appWith(validator: RequestHandler[], { sensitive }: { sensitive: boolean }): Express {
  const app = express();
  app.set('case sensitive routing', sensitive);
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));
  app.use(validator);
  const echo =
    (where: string): RequestHandler =>
    (req, res) => {
      res.status(299).json(seen(req, where));
    };
  for (const [paths, where] of [
    [JOBS, 'jobs'],
    [JOB, 'job'],
    [FILE, 'file'],
    [EXPORT, 'export'],
    [IMPORT, 'import'],
  ] as const) {
    app.all(paths, echo(where));
  }
  app.use(echo('no route'));
  const onError: ErrorRequestHandler = (err: Record<string, unknown>, _req, res, _next) => {
    res.status(typeof err.status === 'number' ? err.status : 500).json({
      error: (err as object).constructor.name,
      message: err.message,
      errors: err.errors ?? null,
      headers: err.headers ?? null,
    });
  };
  app.use(onError);
  return app;
}

const validator = (cacheRoutes: boolean) =>
  createContractValidator({ document: contract, validateResponses: false, cacheRoutes });

const VALID_EXPORT = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ('HR')" }] };
const VALID_IMPORT = { operation: 'IMPORT', file_name: 'HR_%U.DMP' };

interface Case {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'DELETE' | 'OPTIONS';
  readonly path: string;
  readonly body?: unknown;
}

/** Every path of the contract on both shapes (and ORDS's stable and latest), in the forms a client may send. */
function cases(): Case[] {
  const bases = [
    '/databases/orcl/datapump',
    '/ords/orcl/pdbadmin/_/db-api/stable/database/datapump',
    '/ords/orcl/pdbadmin/_/db-api/latest/database/datapump',
    '/ords/ORCL/PdbAdmin/_/db-api/v1.2/database/datapump',
  ];
  const tails = [
    // the contract's own forms
    '/jobs/',
    '/jobs',
    '/jobs/HR,EXPORT_1/',
    '/jobs/HR,EXPORT_1',
    '/jobs/HR,EXPORT_1/export.log',
    '/jobs/HR,EXPORT_1/export.log/',
    '/export',
    '/export/',
    '/import',
    // odd encodings: an escaped comma, slash, letters, UTF-8, space, plus, malformed escapes
    '/jobs/HR%2CEXPORT_1/',
    '/jobs/HR,EXPORT%2F1/',
    '/jobs/%48R,EXPORT_1/',
    '/jobs/H%C3%89,J%C3%96B/',
    '/jobs/HR,EXPORT%201/',
    '/jobs/HR,EXPORT+1/',
    '/jobs/HR,EXPORT_1/exp%20ort.dmp',
    '/jobs/HR,EXP%E0%A4%A/',
    '/jobs/HR,EXPORT%ZZ/',
    '/jobs/HR,EXPORT_1/bad%',
    '/jobs/%2F,%2F/',
    // parameter values the contract refuses, empty ones, a name without its owner, one segment too many
    '/jobs/hr,export_1/',
    `/jobs/HR,${'J'.repeat(200)}/`,
    '/jobs/,EXPORT_1/',
    '/jobs/HR,/',
    '/jobs/HR/',
    '/jobs/HR,EXPORT_1/export.log/extra',
    '/jobs/HR,EXPORT_1/..',
    // slashes and dots
    '//jobs/',
    '/jobs//',
    '/jobs/HR,EXPORT_1//',
    '/./jobs/',
    // case
    '/JOBS/',
    '/Jobs/HR,EXPORT_1/',
    '/EXPORT',
    // queries
    '/jobs/?limit=5',
    '/jobs/?limit=abc',
    '/jobs/?limit=1e2',
    '/jobs/?limit=5&limit=6',
    '/jobs/?unknown=1',
    '/jobs/HR,EXPORT_1/?x=1',
    '/jobs?limit=5',
  ];
  const paths = [
    ...bases.flatMap((base) => tails.map((tail) => `${base}${tail}`)),
    // outside the contract, and shapes it nearly has
    '/',
    '/databases/',
    '/databases/orcl/',
    '/databases/orcl/datapump/',
    '/Databases/orcl/datapump/jobs/',
    '/ords/orcl/pdbadmin/_/db-api/stable/datapump/jobs/',
    '/ords/orcl/_/db-api/stable/database/datapump/jobs/',
    '/nothing/here',
    '/databases/or%2Fcl/datapump/jobs/',
    '/databases/%E0%A4%A/datapump/jobs/',
  ];
  const methods: Case['method'][] = ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'];
  return paths.flatMap((path) =>
    methods.flatMap((method): Case[] =>
      method === 'POST'
        ? [
            { method, path, body: VALID_EXPORT },
            { method, path, body: VALID_IMPORT },
            { method, path, body: { operation: 'DELETE', job_mode: 4 } },
          ]
        : [{ method, path }],
    ),
  );
}

/** One listening server per app for the whole table (supertest would start one per request otherwise). */
const servers: Server[] = [];
async function listening(app: Express): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return server;
}
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

async function answer(app: Server, { method, path, body }: Case) {
  let call = request(app)[method.toLowerCase() as 'get'](path);
  if (body !== undefined) call = call.set('content-type', 'application/json').send(JSON.stringify(body));
  const res = await call;
  return {
    status: res.status,
    allow: res.headers.allow ?? null,
    body: method === 'HEAD' ? null : (res.body as unknown),
  };
}

describe.each([
  { sensitive: true, what: 'case sensitive routing (as the gateway sets it)' },
  { sensitive: false, what: 'case insensitive routing' },
])('the route cache, $what', ({ sensitive }) => {
  const table = cases();
  let reference: Array<Awaited<ReturnType<typeof answer>>>;
  let cached: Server;

  beforeAll(async () => {
    cached = await listening(appWith(validator(true), { sensitive }));
    const uncached = await listening(appWith(validator(false), { sensitive }));
    reference = [];
    for (const c of table) reference.push(await answer(uncached, c));
  }, 60_000);

  it('covers every outcome: matched and validated, refused, 404, 405, malformed', () => {
    const statuses = new Set(reference.map((r) => r.status));
    for (const status of [299, 400, 404, 405]) expect(statuses).toContain(status);
    const routes = new Set(reference.map((r) => (r.body as { route?: string } | null)?.route).filter(Boolean));
    // every path of the contract was matched by some case
    expect([...routes].sort()).toEqual(Object.keys(contract.paths).sort());
  });

  it.each([
    ['first pass (teaches the cache)', 1],
    ['second pass (served from it)', 2],
  ])(
    'answers every case as the validator alone does: %s',
    async () => {
      const differences: unknown[] = [];
      for (const [i, c] of table.entries()) {
        const got = await answer(cached, c);
        if (JSON.stringify(got) !== JSON.stringify(reference[i]))
          differences.push({ case: c, got, want: reference[i] });
      }
      expect(differences).toEqual([]);
    },
    60_000,
  );
});

describe('withRouteCache', () => {
  // The validator's own steps, its lookup (step 1) counted, the cache in front of it.
  function countedApp() {
    const chain = validator(false);
    let lookups = 0;
    const lookup: RequestHandler = (req, res, next) => {
      lookups += 1;
      chain[1]!(req, res, next);
    };
    const app = appWith([chain[0]!, withRouteCache(lookup, contract), ...chain.slice(2)], { sensitive: true });
    return { app, lookups: () => lookups };
  }

  it("asks the validator's lookup once per route and method, then never again", async () => {
    const { app, lookups } = countedApp();
    for (let i = 0; i < 20; i += 1) {
      const res = await request(app).get(`/databases/db${i}/datapump/jobs/HR,JOB_${i}/`);
      expect(res.status).toBe(299);
      expect(res.body).toMatchObject({
        where: 'job',
        route: '/databases/{database}/datapump/jobs/{owner_name},{job_name}/',
        pathParams: { database: `db${i}`, owner_name: 'HR', job_name: `JOB_${i}` },
        params: { database: `db${i}`, owner_name: 'HR', job_name: `JOB_${i}` },
        operationId: 'getJob',
      });
    }
    expect(lookups()).toBe(1);
    await request(app).head('/databases/orcl/datapump/jobs/HR,JOB/').expect(299);
    await request(app).head('/databases/orcl/datapump/jobs/HR,JOB2/').expect(299);
    expect(lookups()).toBe(2); // HEAD is a method of its own
    await request(app).get('/ords/orcl/hr/_/db-api/stable/database/datapump/jobs/HR,JOB/').expect(299);
    await request(app).get('/ords/orcl/hr/_/db-api/latest/database/datapump/jobs/HR,JOB/').expect(299);
    expect(lookups()).toBe(3);
  });

  it('leaves to the validator what it must answer itself: no route, a method not allowed, a malformed escape', async () => {
    const { app, lookups } = countedApp();
    await request(app).get('/databases/orcl/datapump/jobs/HR,JOB/').expect(299);
    expect(lookups()).toBe(1);
    for (let i = 0; i < 3; i += 1) {
      await request(app).get('/databases/orcl/datapump/nothing').expect(404);
      await request(app).delete('/databases/orcl/datapump/jobs/HR,JOB/').expect(405);
      const malformed = await request(app).get('/databases/orcl/datapump/jobs/HR,JOB%E0%A4%A/');
      expect(malformed.status).toBe(400);
    }
    expect(lookups()).toBe(1 + 3 * 3);
  });

  it("leaves a path of several routes to the validator's order (a fixed segment before a parameter)", async () => {
    const operation = (operationId: string) => ({ operationId, responses: { '200': { description: 'ok' } } });
    const overlapping = {
      openapi: '3.1.0',
      info: { title: 'overlap', version: '1' },
      // The parameter route first: the validator sorts the fixed one before it.
      paths: {
        '/things/{id}': {
          get: {
            ...operation('getThing'),
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          },
        },
        '/things/special': { get: operation('getSpecial') },
      },
      components: {},
    };
    const app = await listening(
      appWith(createContractValidator({ document: overlapping, validateResponses: false }), { sensitive: true }),
    );
    for (let i = 0; i < 3; i += 1) {
      const special = await request(app).get('/things/special').expect(299);
      expect(special.body).toMatchObject({ route: '/things/special', operationId: 'getSpecial' });
      const other = await request(app).get(`/things/other${i}`).expect(299);
      expect(other.body).toMatchObject({ route: '/things/{id}', pathParams: { id: `other${i}` } });
    }
  });

  it('carries what response validation needs: a bad answer is refused alike, on the first request and after', async () => {
    const answerBadly = (cacheRoutes: boolean) => {
      const app = express();
      app.set('case sensitive routing', true);
      app.use(createContractValidator({ document: contract, validateResponses: true, cacheRoutes }));
      app.get(JOB, (_req, res) => {
        res.status(200).json({ not: 'a job' });
      });
      const onError: ErrorRequestHandler = (err: Record<string, unknown>, _req, res, _next) => {
        res.status(599).json({ status: err.status ?? null, message: err.message, errors: err.errors ?? null });
      };
      app.use(onError);
      return listening(app);
    };
    const [cached, uncached] = await Promise.all([answerBadly(true), answerBadly(false)]);
    // The validator keeps its response validators by route, method and request content type: each new type
    // (served from the cache after the first request) builds one from the response schema the cache carried.
    for (const [i, type] of [undefined, 'application/json', 'text/plain', 'application/xml'].entries()) {
      const path = `/databases/orcl/datapump/jobs/HR,JOB_${i}/`;
      const get = (server: Server) =>
        type ? request(server).get(path).set('content-type', type) : request(server).get(path);
      const [got, want] = await Promise.all([get(cached), get(uncached)]);
      expect(want.status).toBe(599);
      expect(want.body).toMatchObject({ status: 500 });
      expect({ status: got.status, body: got.body as unknown }).toEqual({ status: want.status, body: want.body });
    }
  });

  it('caches nothing for a contract served under a base path (its routes are the validator’s to build)', async () => {
    const chain = validator(false);
    let lookups = 0;
    const lookup: RequestHandler = (req, res, next) => {
      lookups += 1;
      chain[1]!(req, res, next);
    };
    const based = { ...contract, servers: [{ url: 'https://gateway.example/api/' }] };
    const app = appWith([chain[0]!, withRouteCache(lookup, based), ...chain.slice(2)], { sensitive: true });
    for (let i = 0; i < 3; i += 1) await request(app).get('/databases/orcl/datapump/jobs/HR,JOB/').expect(299);
    expect(lookups).toBe(3);
  });
});
