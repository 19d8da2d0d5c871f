/** @module /openapi.json (the bundled public contract) and /docs (Swagger UI, assets served locally). */
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

import type { OpenApiDocument } from '../../contract/documents.js';

/** The contract as served: a relative server, so "try it out" calls the gateway the page came from. */
export function servedContract(publicContract: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(publicContract);
  copy.servers = [{ url: '/', description: 'This gateway' }];
  return copy;
}

export function docsRoutes({ publicContract }: { publicContract: OpenApiDocument }): Router {
  const served = servedContract(publicContract);
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(served);
  });
  // The page fetches the contract from /openapi.json rather than embedding it in swagger-ui-init.js:
  // swagger-ui-express embeds with String.prototype.replace, which reads "$`" in a description (the
  // contract documents `$` in Oracle names) as a replacement pattern and breaks the script.
  const ui = {
    customSiteTitle: 'datapump-gateway API',
    swaggerUrl: '/openapi.json',
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false, displayRequestDuration: true },
  };
  router.use('/docs', swaggerUi.serveFiles(undefined, ui), swaggerUi.setup(undefined, ui));
  return router;
}
