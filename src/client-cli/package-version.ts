/** @module The version `datapump --version` and `datapump-gateway --version` print: the nearest named package.json's. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Walks up from `from` (this file's folder by default) to the first package.json that has a `name`: the
 * repository's from src/ (tsx) or dist/, the installed package's from node_modules/<pkg>/dist/src/client-cli/.
 * A package.json without a name (a folder's `{"type":"module"}`) is passed over. It lives here, not in src/lib,
 * because the client CLI imports nothing outside the client package; the admin CLI (whose package also ships
 * src/client-cli) reuses it, and so finds its own package's version from node_modules/datapump-gateway/.
 */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = readPackage(join(dir, 'package.json'));
    if (pkg?.name) return typeof pkg.version === 'string' && pkg.version ? pkg.version : 'unknown';
    if (dirname(dir) === dir) return 'unknown';
  }
}

function readPackage(path: string): { name?: unknown; version?: unknown } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object'
      ? (parsed as { name?: unknown; version?: unknown })
      : undefined;
  } catch {
    return undefined; // none here (or not JSON): look further up
  }
}
