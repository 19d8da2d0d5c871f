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
  router.get('/openapi.json', (_req, res) => { res.json(served); });
  router.use('/docs', swaggerUi.serveFiles(served as never, {}), swaggerUi.setup(served as never, {
    customSiteTitle: 'datapump-gateway API',
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false, displayRequestDuration: true },
  }));
  return router;
}
