/**
 * @module Resolves the database of the path — `{database}` on the gateway's own shape, the `{ords_database}/
 * {ords_schema}` alias on ORDS's — and runs a job route with the request's scope; a database the tenant is not
 * granted looks like none at all.
 */
import type { Request, RequestHandler, Response } from 'express';

import { sameButForCase } from '../config/suggest.js';
import type { ConfigSource, DatabaseConfig, GatewayConfig, TenantConfig } from '../config/types.js';
import { type GatewayUrls, gatewayUrls, ordsShapedUrls } from '../jobs/public-job.js';
import { GatewayError } from '../problems/gateway-error.js';
import { type JobScope, requestContext, setDatabase } from './request-context.js';

/** A job route: handed the scope (caller, tenant, database, request id, URLs) it needs, never left to find it. */
export type JobRoute = (scope: JobScope, req: Request, res: Response) => Promise<void>;

const param = (req: Request, name: string) => (typeof req.params[name] === 'string' ? req.params[name] : undefined);

/** The database the path names, and the URLs of the path's shape; undefined for a name or alias no database has. */
function resolve(req: Request, config: GatewayConfig): { database: DatabaseConfig; urls: GatewayUrls } | undefined {
  const { databases, publicUrl } = config;
  const name = param(req, 'database');
  if (name !== undefined) {
    // Own properties only: a path segment of "constructor" must not find Object.prototype's members.
    const database = Object.hasOwn(databases, name) ? databases[name] : undefined;
    return database && { database, urls: gatewayUrls(publicUrl, database.name) };
  }
  const [db, schema, version] = [param(req, 'ords_database'), param(req, 'ords_schema'), param(req, 'api_version')];
  if (db === undefined || schema === undefined || version === undefined) return undefined;
  const alias = `${db}/${schema}`;
  // Exact, as every path of the gateway is matched; aliases equal but for case are refused at load.
  const database = Object.values(databases).find((d) => d.ordsPath === alias);
  return database && { database, urls: ordsShapedUrls(publicUrl, alias, version) };
}

/**
 * The tenant's own database the path names but for case (`/databases/ORCL/…` for `orcl`), as a hint for the 404.
 * Chosen among the databases this tenant is granted only, and whatever the path names: the hint is the same
 * whether or not another tenant's database has that name, so it tells nobody of databases they may not use.
 */
function caseHint(req: Request, config: GatewayConfig, tenant: TenantConfig): string | undefined {
  const granted = tenant.databases.filter((name) => Object.hasOwn(config.databases, name));
  const name = param(req, 'database');
  if (name !== undefined) return sameButForCase(name, granted);
  const [db, schema] = [param(req, 'ords_database'), param(req, 'ords_schema')];
  if (db === undefined || schema === undefined) return undefined;
  const aliases = granted.flatMap((n) => config.databases[n]?.ordsPath ?? []);
  return sameButForCase(`${db}/${schema}`, aliases);
}

/** Wraps a job route: the database is resolved and checked before the route runs. */
export function databaseScope({ config }: { config: ConfigSource }): (route: JobRoute) => RequestHandler {
  return (route) =>
    async function databaseScopeMiddleware(req, res) {
      const tenant = requestContext(req).caller?.tenant;
      const current = config.current();
      const found = resolve(req, current);
      // 404, not 403: a tenant learns nothing about databases it may not use.
      if (!tenant || !found || !tenant.databases.includes(found.database.name)) {
        const hint = tenant && caseHint(req, current, tenant);
        throw new GatewayError('database-not-found', {
          detail:
            hint === undefined
              ? 'No such database.'
              : `No such database. Database names are case-sensitive: did you mean "${hint}"?`,
        });
      }
      await route(setDatabase(req, found.database, found.urls), req, res);
    };
}
