/** @module `${VAR}` and `${VAR:-default}` references in string values, resolved from an injected environment. */
import { formatPath, isRecord, type PathSegment } from './paths.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** `$${` (a literal `${`), a complete `${…}`, or a `${` that never closes. */
const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
/** A value that is nothing but one reference: the only text that may turn into a number or boolean. */
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

export type StringResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * Resolves the references in one string. `${VAR:-default}` follows the shell: the default is used
 * when VAR is unset or empty. Defaults are literal text (no nested references), so a value can
 * never pull in more than the one variable it names.
 */
export function interpolateString(text: string, env: Env): StringResult {
  let failure: string | undefined;
  const value = text.replace(TOKEN, (token, inner: string | undefined) => {
    if (failure !== undefined) return token;
    if (token === '$${') return '${';
    if (inner === undefined) {
      failure = 'has "${" without a closing "}" (write $${ for a literal "${")';
      return token;
    }
    if (inner.includes('${')) {
      failure = `"${token}}": nested references are not supported`;
      return token;
    }
    const match = REFERENCE.exec(inner);
    if (!match) {
      failure = `"${token}" is not a valid reference: write \${NAME} or \${NAME:-default}`;
      return token;
    }
    const name = match[1]!;
    const fallback = match[2];
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set === undefined) {
      failure = `environment variable ${name} is not set`;
      return token;
    }
    return set;
  });
  return failure === undefined ? { ok: true, value } : { ok: false, message: failure };
}

export interface Interpolated {
  /**
   * The tree with every string resolved (strings that failed are left as written), copied where a string changed
   * and shared with the input below that: a caller that then changes it (validation fills in defaults) owns both.
   * A list or mapping the input holds in two places (a YAML alias) stays one: the loader copies those apart first.
   */
  readonly value: unknown;
  readonly problems: Array<{ path: string; message: string }>;
  /** Raw text of each value that was exactly one reference, by dotted path (for coercion and messages). */
  readonly wholeReferences: ReadonlyMap<string, string>;
}

export function interpolateTree(tree: unknown, env: Env): Interpolated {
  const problems: Array<{ path: string; message: string }> = [];
  const wholeReferences = new Map<string, string>();

  // One path, pushed and popped on the way down: it is spelled out only for a reference (a config of 10,000
  // tenants has some 300,000 values, nearly none of them references).
  const path: PathSegment[] = [];
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('$')) return node;
      const result = interpolateString(node, env);
      if (!result.ok) {
        problems.push({ path: formatPath(path), message: result.message });
        return node;
      }
      if (WHOLE_REFERENCE.test(node)) wholeReferences.set(formatPath(path), node);
      return result.value;
    }
    // A list or mapping is copied only when something in it changed: the input stays as it was, and the 10,000
    // tenants that have no reference are not copied.
    if (Array.isArray(node)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < node.length; index++) {
        path.push(index);
        const item = node[index] as unknown;
        const value = walk(item);
        path.pop();
        if (value !== item) (copy ??= [...node])[index] = value;
      }
      return copy ?? node;
    }
    if (isRecord(node)) {
      let copy: Record<string, unknown> | undefined;
      for (const key of Object.keys(node)) {
        path.push(key);
        const value = walk(node[key]);
        path.pop();
        if (value === node[key]) continue;
        // Spread and defined, not assigned: a YAML key "__proto__" stays a plain key (refused as unknown).
        copy ??= { ...node };
        Object.defineProperty(copy, key, { value, writable: true, enumerable: true, configurable: true });
      }
      return copy ?? node;
    }
    return node;
  };

  return { value: walk(tree), problems, wholeReferences };
}
