/** @module /openapi.json (the bundled public contract) and /docs (Swagger UI, assets served locally). */
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

import type { OpenApiDocument } from '../../contract/documents.js';

export interface DocsOptions {
  readonly publicContract: OpenApiDocument;
  /** Whether this gateway accepts JWTs (`jwt` configured): the authentication section says so, or not. */
  readonly jwt?: boolean;
  /** `docs.note`: the operators' own Markdown, shown after the authentication section (the demo keys of `make run`). */
  readonly note?: string | null;
}

/**
 * How to authenticate, as middleware/authenticate.ts accepts it: the first thing a reader of /docs needs, so it
 * opens the contract's description (Swagger UI shows that at the top of the page).
 */
export function authenticationSection({ jwt = false }: { jwt?: boolean } = {}): string {
  const rows = [
    '| API key | `X-API-Key: <key>` |',
    '| API key as a bearer token | `Authorization: Bearer <key>` |',
    "| HTTP Basic, as in ORDS's `curl -u` examples | `tenant-id:key`: `curl -u hr-team:<key> …` |",
    ...(jwt ? ['| JWT from your identity provider | `Authorization: Bearer <JWT>` (three dot-separated parts) |'] : []),
  ];
  return [
    '## Authentication',
    '',
    'Every call under `/databases/…` (and ORDS’s own `/ords/…` shape) needs your tenant’s credential, sent one of ' +
      'these ways, one per request (two at once are refused):',
    '',
    '| how | send |',
    '|---|---|',
    ...rows,
    '',
    jwt
      ? 'A JWT is verified against the identity provider’s keys; the tenant comes from its claims.'
      : 'This gateway accepts API keys only (no JWTs).',
    'The tenant comes only from the credential, never from the body or another header. Without a valid one the ' +
      'answer is `401` ([`unauthenticated`](/problems/unauthenticated)). Here, press **Authorize**, give your key ' +
      'under `apiKeyHeader` (or `basicAuth`), then **Try it out** on an operation.',
  ].join('\n');
}

/** The contract as served at /openapi.json: a relative server, so "try it out" calls the gateway the page came from. */
export function servedContract(publicContract: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(publicContract);
  copy.servers = [{ url: '/', description: 'This gateway' }];
  return copy;
}

/**
 * The contract as /docs shows it (at /docs/openapi.json): the served one, its description opened by how to
 * authenticate and the operators' note. /openapi.json stays the contract itself, for generators and diffs.
 */
export function documentedContract(
  publicContract: OpenApiDocument,
  options: { jwt?: boolean; note?: string | null } = {},
): OpenApiDocument {
  const copy = servedContract(publicContract);
  const info = copy.info as { description?: string };
  info.description = [authenticationSection(options), options.note ?? '', info.description ?? '']
    .filter((part) => part !== '')
    .join('\n\n');
  return copy;
}

export function docsRoutes({ publicContract, jwt = false, note = null }: DocsOptions): Router {
  const served = servedContract(publicContract);
  const documented = documentedContract(publicContract, { jwt, note });
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(served);
  });
  router.get('/docs/openapi.json', (_req, res) => {
    res.json(documented);
  });
  // The page fetches its contract rather than embedding it in swagger-ui-init.js: swagger-ui-express embeds with
  // String.prototype.replace, which reads "$`" in a description (the contract documents `$` in Oracle names) as a
  // replacement pattern and breaks the script.
  const ui = {
    customSiteTitle: 'datapump-gateway API',
    swaggerUrl: '/docs/openapi.json',
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false, displayRequestDuration: true },
  };
  router.use('/docs', swaggerUi.serveFiles(undefined, ui), swaggerUi.setup(undefined, ui));
  return router;
}
