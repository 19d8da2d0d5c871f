/** @module Resolves the `{database}` of the path; a database the tenant is not granted looks like none at all. */
import type { RequestHandler } from 'express';

import type { ConfigSource, DatabaseConfig } from '../config/types.js';
import { GatewayError } from '../problems/gateway-error.js';

declare module 'express-serve-static-core' {
  interface Request {
    database?: DatabaseConfig;
  }
}

export function databaseScope({ config }: { config: ConfigSource }): RequestHandler {
  return function databaseScopeMiddleware(req, _res, next) {
    const name = typeof req.params.database === 'string' ? req.params.database : undefined;
    const tenant = req.caller?.tenant;
    const database = name === undefined ? undefined : config.current().databases[name];
    // 404, not 403: a tenant learns nothing about databases it may not use.
    if (!tenant || !database || !tenant.databases.includes(database.name)) {
      throw new GatewayError('database-not-found', { detail: 'No such database.' });
    }
    req.database = database;
    next();
  };
}
