// The request context: each value set once by the middleware that learns it; misuse is a pipeline bug (500), never silent.
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';

import { gatewayUrls } from '../../../src/gateway/jobs/public-job.js';
import {
  beginRequestContext,
  maybeRequestContext,
  requestContext,
  setCaller,
  setDatabase,
} from '../../../src/gateway/middleware/request-context.js';
import { testConfig } from '../../helpers/gateway-config.js';

const config = testConfig();
const tenant = config.tenants['hr-team']!;
const database = config.databases.orcl!;
const urls = gatewayUrls(config.publicUrl, database.name);
const caller = { tenant, principal: 'hr-team', method: 'api-key' } as const;
const fresh = () => ({ headers: {} }) as unknown as Request;

describe('request context', () => {
  it('holds what each stage learnt, and hands a job route a scope with nothing missing', () => {
    const req = fresh();
    beginRequestContext(req, { requestId: 'r-1', traceparent: undefined });
    expect(requestContext(req)).toEqual({
      requestId: 'r-1',
      traceparent: undefined,
      caller: undefined,
      database: undefined,
    });
    setCaller(req, caller);
    const scope = setDatabase(req, database, urls);
    expect(scope).toMatchObject({ requestId: 'r-1', caller, database, tenant, urls });
    expect(requestContext(req)).toBe(scope);
    // Nothing of it is written into the headers the client sent.
    expect(req.headers).toEqual({});
  });

  it.each([
    ['read before it was begun', (req: Request) => requestContext(req)],
    ['begun twice', (req: Request) => beginRequestContext(req, { requestId: 'again', traceparent: undefined })],
    ['a caller set twice', (req: Request) => (setCaller(req, caller), setCaller(req, caller))],
    ['a database scope before authentication', (req: Request) => setDatabase(req, database, urls)],
    [
      'a database set twice',
      (req: Request) => (setCaller(req, caller), setDatabase(req, database, urls), setDatabase(req, database, urls)),
    ],
  ])('refuses %s as an internal error', (what, misuse) => {
    const req = fresh();
    if (what !== 'read before it was begun') beginRequestContext(req, { requestId: 'r-2', traceparent: undefined });
    expect(() => misuse(req)).toThrow(expect.objectContaining({ slug: 'internal-error', status: 500 }));
  });

  it('lets the error handler ask without failing when there is none', () => {
    expect(maybeRequestContext(fresh())).toBeUndefined();
  });
});
