/** @module The differences between two OpenAPI documents' Data Pump operations, request bodies and enums (pure). */

// Compared: paths and methods under `database/datapump`, and each JSON request body's fields (nested too), required
// members and enums. `verify-upstream` diffs an instance's own openapi.json against ours.

type Schema = Record<string, unknown>;

export interface OpenApiDifference {
  /** `POST /database/datapump/export`, or the path alone for a path-level difference. */
  readonly where: string;
  readonly detail: string;
}

export type OpenApiDiff =
  | { readonly ok: true; readonly operations: number; readonly differences: readonly OpenApiDifference[] }
  | { readonly ok: false; readonly why: string };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** One operation, by the path as its document writes it (after the db-api prefix) and its method. */
interface Operation {
  readonly path: string;
  readonly method: string;
  readonly body: Schema | undefined;
}

/**
 * ours: our upstream contract (its paths start `/ords/{database}/{schema}/_/db-api/{version}`); theirs: any document,
 * whose paths may start there, or at the db-api root (`/database/datapump/…`, its `servers` holding the rest).
 */
export function diffOpenApi(ours: unknown, theirs: unknown): OpenApiDiff {
  if (!isObject(theirs) || !isObject(theirs.paths)) return { ok: false, why: 'not an OpenAPI document (no paths)' };
  if (!isObject(ours) || !isObject(ours.paths)) return { ok: false, why: 'our contract has no paths' };
  const a = operationsOf(ours);
  const b = operationsOf(theirs);
  const differences: OpenApiDifference[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const mine = a.get(key);
    const other = b.get(key);
    if (!other) differences.push({ where: display(mine!), detail: "in ours, not in the instance's document" });
    else if (!mine) differences.push({ where: display(other), detail: "in the instance's document, not in ours" });
    else {
      if (mine.path !== other.path) {
        differences.push({ where: display(mine), detail: `the instance writes the path ${other.path}` });
      }
      differences.push(...bodyDifferences(display(mine), ours, mine.body, theirs, other.body));
    }
  }
  if (a.size > 0 && b.size === 0) {
    return { ok: false, why: 'the document describes no operation under /database/datapump/' };
  }
  return { ok: true, operations: b.size, differences };
}

const display = (op: Operation) => `${op.method.toUpperCase()} ${op.path}`;

/** Operations under `/database/datapump/`, keyed on method and path with parameter names and trailing `/` ignored. */
function operationsOf(doc: Schema): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [rawPath, item] of Object.entries(doc.paths as Schema)) {
    const path = rawPath.replace(/^.*?\/_\/db-api\/[^/]+(?=\/)/, '');
    if (!path.startsWith('/database/datapump/') || !isObject(item)) continue;
    const shape = path.replace(/\{[^}]*\}/g, '{}').replace(/\/$/, '');
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      out.set(`${method} ${shape}`, { path, method, body: jsonRequestSchema(doc, op) });
    }
  }
  return out;
}

function jsonRequestSchema(doc: Schema, op: Schema): Schema | undefined {
  const body = resolve(doc, op.requestBody);
  const content = isObject(body?.content) ? body.content : undefined;
  if (!content) return undefined;
  const type = Object.keys(content).find((t) => /^application\/(?:[\w.+-]*\+)?json\b/i.test(t));
  const media = type ? content[type] : undefined;
  return isObject(media) ? resolve(doc, media.schema) : undefined;
}

/** What a request body holds, flattened: `remap_schemas[].source` → its enum (sorted), `required` per object path. */
interface Fields {
  readonly fields: Map<string, { readonly enum: readonly string[] | undefined }>;
  readonly required: Map<string, readonly string[]>;
}

const MAX_DEPTH = 4;

function fieldsOf(doc: Schema, schema: Schema | undefined): Fields {
  const fields = new Map<string, { enum: readonly string[] | undefined }>();
  const required = new Map<string, readonly string[]>();
  // `within`: the schemas being visited above this one, so that a cycle of $refs ends (a shared one is visited
  // at each path that uses it: `name_expressions[].expression` and `schema_expressions[].expression`).
  const visit = (s: Schema | undefined, at: string, depth: number, within: ReadonlySet<Schema> = new Set()) => {
    if (!s || depth > MAX_DEPTH || within.has(s)) return;
    const inner = new Set(within).add(s);
    if (Array.isArray(s.required)) {
      const names = s.required.filter((n): n is string => typeof n === 'string');
      required.set(at, [...new Set([...(required.get(at) ?? []), ...names])].sort());
    }
    if (isObject(s.properties)) {
      for (const [name, raw] of Object.entries(s.properties)) {
        const prop = resolve(doc, raw);
        const path = at === '' ? name : `${at}.${name}`;
        fields.set(path, { enum: enumOf(doc, prop, new Set()) ?? fields.get(path)?.enum });
        visit(prop, path, depth + 1, inner);
      }
    }
    visit(resolve(doc, s.items), `${at}[]`, depth + 1, inner);
    // Every member of a combined schema counts as one of the body's.
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
      const parts = s[key];
      if (Array.isArray(parts)) for (const part of parts) visit(resolve(doc, part), at, depth, inner);
    }
  };
  visit(schema, '', 0);
  return { fields, required };
}

/** A property's allowed values (its `enum`, `const`, or those of the schemas it combines), as sorted strings. */
function enumOf(doc: Schema, s: Schema | undefined, seen: Set<Schema>): string[] | undefined {
  if (!s || seen.has(s)) return undefined;
  seen.add(s);
  if (Array.isArray(s.enum)) return s.enum.map(valueText).sort();
  if ('const' in s) return [valueText(s.const)];
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const list = s[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const found = enumOf(doc, resolve(doc, item), seen);
      if (found) return found;
    }
  }
  return undefined;
}

const valueText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function bodyDifferences(
  where: string,
  ours: Schema,
  mine: Schema | undefined,
  theirs: Schema,
  other: Schema | undefined,
): OpenApiDifference[] {
  if (!mine && !other) return [];
  if (!other) return [{ where, detail: "ours takes a JSON body, the instance's document none" }];
  if (!mine) return [{ where, detail: "the instance's document takes a JSON body, ours none" }];
  const a = fieldsOf(ours, mine);
  const b = fieldsOf(theirs, other);
  const out: OpenApiDifference[] = [];
  for (const name of [...new Set([...a.fields.keys(), ...b.fields.keys()])].sort()) {
    const x = a.fields.get(name);
    const y = b.fields.get(name);
    if (!y) out.push({ where, detail: `field ${name}: in ours, not in the instance's document` });
    else if (!x) out.push({ where, detail: `field ${name}: in the instance's document, not in ours` });
    else if (x.enum?.join() !== y.enum?.join()) {
      out.push({ where, detail: `field ${name}: enum ${list(x.enum)} in ours, ${list(y.enum)} in the instance's` });
    }
  }
  for (const at of [...new Set([...a.required.keys(), ...b.required.keys()])].sort()) {
    const x = a.required.get(at) ?? [];
    const y = b.required.get(at) ?? [];
    if (x.join() !== y.join()) {
      out.push({ where, detail: `required${at ? ` in ${at}` : ''}: ${list(x)} in ours, ${list(y)} in the instance's` });
    }
  }
  return out;
}

const list = (values: readonly string[] | undefined) =>
  values === undefined ? '(any value)' : values.length === 0 ? '(none)' : `[${values.join(', ')}]`;

/** Follows local `$ref`s (`#/components/schemas/X`), a few deep; anything else (external refs) is unknown. */
function resolve(doc: Schema, value: unknown, hops = 0): Schema | undefined {
  if (!isObject(value)) return undefined;
  const ref = value.$ref;
  if (typeof ref !== 'string') return value;
  if (!ref.startsWith('#/') || hops > 16) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    at = isObject(at) ? at[key] : undefined;
  }
  return resolve(doc, at, hops + 1);
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
