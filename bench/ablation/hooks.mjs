// Module resolution hooks for the ablation: $BENCH_STUB (comma-separated package names) resolves each named package to a
// pass-through in ./stubs/, so one part of the gateway's pipeline can be switched off without touching src/.
const stubs = new Set((process.env.BENCH_STUB ?? '').split(',').filter(Boolean));
const STUB_FILES = {
  helmet: 'helmet.mjs',
  'express-openapi-validator': 'express-openapi-validator.mjs',
  'pino-http': 'pino-http.mjs',
  'express-rate-limit': 'express-rate-limit.mjs',
};
const stubDir = new URL('./stubs/', import.meta.url);

export async function resolve(specifier, context, next) {
  const file = STUB_FILES[specifier];
  // A stub may import the real package itself.
  if (file && stubs.has(specifier) && !(context.parentURL ?? '').startsWith(stubDir.href)) {
    return { url: new URL(file, stubDir).href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}
