/** @module Secrets may only be written as `${VAR}`: a literal in the file would end up in Git and in backups. */
import { formatPath, isRecord, type PathSegment } from './paths.js';

/** Where secrets live in the YAML (`*` matches any key), with the variable name a message suggests. */
const SECRET_FIELDS: ReadonlyArray<{ readonly pattern: readonly string[]; readonly example: string }> = [
  { pattern: ['databases', '*', 'auth', 'basic', 'password'], example: 'ORDS_PASSWORD' },
  { pattern: ['databases', '*', 'auth', 'oauth2', 'client_secret'], example: 'ORDS_CLIENT_SECRET' },
  { pattern: ['databases', '*', 'tls', 'key_passphrase'], example: 'ORDS_TLS_KEY_PASSPHRASE' },
  { pattern: ['metrics', 'token'], example: 'METRICS_TOKEN' },
  // Connection URLs may carry a password: the same rule.
  { pattern: ['store', 'postgres', 'url'], example: 'DATABASE_URL' },
  { pattern: ['limits', 'redis'], example: 'REDIS_URL' },
];

const EXACT_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const REFERENCE_WITH_DEFAULT = /^\$\{[A-Za-z_][A-Za-z0-9_]*:-[^}]*\}$/;

/** Checks the raw (not yet interpolated) tree; returns one problem per secret written any other way. */
export function checkSecretReferences(raw: unknown): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const { pattern, example } of SECRET_FIELDS) {
    for (const { path, value } of matches(raw, pattern, [])) {
      if (typeof value === 'string' && EXACT_REFERENCE.test(value)) continue;
      const message =
        typeof value === 'string' && REFERENCE_WITH_DEFAULT.test(value)
          ? `must be a reference to an environment variable without a default, like \${${example}}`
          : `must be a reference to an environment variable, like \${${example}}`;
      problems.push({ path: formatPath(path), message });
    }
  }
  return problems;
}

/**
 * The variable each secret field written as one `${NAME}` reference names, with the field's path segments
 * (the admin commands that open only the store fill in the others, which they never use).
 */
export function secretVariables(raw: unknown): Array<{ path: readonly PathSegment[]; name: string }> {
  const found: Array<{ path: readonly PathSegment[]; name: string }> = [];
  for (const { pattern } of SECRET_FIELDS) {
    for (const { path, value } of matches(raw, pattern, [])) {
      if (typeof value === 'string' && EXACT_REFERENCE.test(value)) found.push({ path, name: value.slice(2, -1) });
    }
  }
  return found;
}

function* matches(
  node: unknown,
  pattern: readonly string[],
  path: PathSegment[],
): Generator<{ path: PathSegment[]; value: unknown }> {
  const [head, ...rest] = pattern;
  if (head === undefined) {
    yield { path, value: node };
    return;
  }
  if (!isRecord(node)) return;
  const keys = head === '*' ? Object.keys(node) : Object.hasOwn(node, head) ? [head] : [];
  for (const key of keys) yield* matches(node[key], rest, [...path, key]);
}
