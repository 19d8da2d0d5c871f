/**
 * @module Resolves the `{database}` of the path and runs a job route with the request's scope; a database the
 * tenant is not granted looks like none at all.
 */
import type { Request, RequestHandler, Response } from 'express';

import type { ConfigSource } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';
import { type JobScope, requestContext, setDatabase } from './request-context.js';

/** A job route: handed the scope (caller, tenant, database, request id) it needs, never left to find it. */
export type JobRoute = (scope: JobScope, req: Request, res: Response) => Promise<void>;

/** Wraps a job route: the database is resolved and checked before the route runs. */
export function databaseScope({ config }: { config: ConfigSource }): (route: JobRoute) => RequestHandler {
  return (route) =>
    async function databaseScopeMiddleware(req, res) {
      const name = typeof req.params.database === 'string' ? req.params.database : undefined;
      const tenant = requestContext(req).caller?.tenant;
      const databases = config.current().databases;
      // Own properties only: a path segment of "constructor" must not find Object.prototype's members.
      const database = name !== undefined && Object.hasOwn(databases, name) ? databases[name] : undefined;
      // 404, not 403: a tenant learns nothing about databases it may not use.
      if (!tenant || !database || !tenant.databases.includes(database.name)) {
        throw new GatewayError('database-not-found', { detail: 'No such database.' });
      }
      await route(setDatabase(req, database), req, res);
    };
}
