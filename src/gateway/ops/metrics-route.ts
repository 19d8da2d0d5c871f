/** @module /metrics in Prometheus text format, optionally behind a bearer token. */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { RequestHandler } from 'express';

import type { GatewayMetrics } from './metrics.js';

export function metricsEndpoint({ metrics, token }: { metrics: GatewayMetrics; token: string | null }): RequestHandler {
  const expected = token === null ? undefined : createHash('sha256').update(`Bearer ${token}`).digest();
  return async function metricsEndpointHandler(req, res) {
    if (expected) {
      const given = createHash('sha256')
        .update(req.headers.authorization ?? '')
        .digest();
      if (!timingSafeEqual(given, expected)) {
        res
          .status(401)
          .setHeader('WWW-Authenticate', 'Bearer realm="metrics"')
          .type('text/plain')
          .send('metrics need a bearer token\n');
        return;
      }
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
