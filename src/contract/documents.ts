/** @module Loads the bundled OpenAPI documents that `make generate` writes into generated/openapi/. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** An OpenAPI 3.1 document as plain JSON; the callers only walk it, never trust its shape blindly. */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
};

export type ContractName = 'public' | 'ords';

/** Absolute path of a bundled contract; works from src/ (tsx) and from dist/src/ (compiled). */
export function contractPath(name: ContractName): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // src/contract/ → ../../generated ; dist/src/contract/ → ../../../generated
  const candidates = [`${here}../../generated/openapi/${name}.json`, `${here}../../../generated/openapi/${name}.json`];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new Error(`bundled contract generated/openapi/${name}.json not found: run 'make generate'`);
}

/** A fresh, mutable copy of a bundled contract (each caller gets its own, so nothing is shared). */
export function loadContract(name: ContractName): OpenApiDocument {
  return JSON.parse(readFileSync(contractPath(name), 'utf8')) as OpenApiDocument;
}
