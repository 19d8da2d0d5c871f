// Checks an emulator answer (status, media type, body, headers) against the upstream contract generated/openapi/ords.json.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { loadContract } from '../../../src/contract/documents.js';

type Json = Record<string, unknown>;

export interface ContractCheck {
  method: string;
  /** The request path actually used (no query), e.g. `/ords/orcl/pdbadmin/_/db-api/stable/database/datapump/jobs/`. */
  path: string;
  status: number;
  /** The Content-Type header (parameters are ignored). */
  contentType?: string | undefined;
  /** Parsed JSON, or the text of a non-JSON body; undefined/'' when there is none. */
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

const doc = loadContract('ords');
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(doc as object, 'ords.json');
const compiled = new Map<string, ValidateFunction>();

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const GENERIC: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'ServerError',
  503: 'Unavailable',
};

// Path templates as regexes; `{owner_name},{job_name}` shares a segment, so parameters stop at `/` and `,`.
const templates = Object.keys(doc.paths).map((template) => ({
  template,
  regex: new RegExp(
    `^${template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/,]+')}$`,
  ),
}));

function validator(pointer: string): ValidateFunction {
  let v = compiled.get(pointer);
  if (!v) {
    v = ajv.compile({ $ref: `ords.json#${pointer}` });
    compiled.set(pointer, v);
  }
  return v;
}

function resolveResponse(pointer: string, response: Json): { pointer: string; response: Json } {
  const ref = response.$ref;
  if (typeof ref !== 'string') return { pointer, response };
  const name = ref.replace('#/components/responses/', '');
  return {
    pointer: `/components/responses/${escapePointer(name)}`,
    response: (doc.components.responses as Json)[name] as Json,
  };
}

/** The operation a request hits: its path template and operationId, or null when the contract has none. */
export function findOperation(method: string, path: string): { template: string; operationId: string } | null {
  const match = templates.find((t) => t.regex.test(path));
  const operation = match ? (doc.paths[match.template]?.[method.toLowerCase()] as Json | undefined) : undefined;
  return match && operation ? { template: match.template, operationId: String(operation.operationId) } : null;
}

/** Every way the answer departs from the contract; empty when it conforms. */
export function contractErrors(check: ContractCheck): string[] {
  const found = findOperation(check.method, check.path);
  let located: { pointer: string; response: Json };
  if (found) {
    const opPointer = `/paths/${escapePointer(found.template)}/${check.method.toLowerCase()}`;
    const responses = (doc.paths[found.template]![check.method.toLowerCase()] as Json).responses as Json;
    const response = responses[String(check.status)] as Json | undefined;
    if (!response) return [`status ${check.status} is not declared for ${found.operationId}`];
    located = resolveResponse(`${opPointer}/responses/${check.status}`, response);
  } else {
    // No operation (unknown path or method): ORDS's generic error answers apply.
    const name = GENERIC[check.status];
    if (!name) return [`status ${check.status} is not declared for ${check.method} ${check.path} (no operation)`];
    located = resolveResponse('', { $ref: `#/components/responses/${name}` });
  }
  const errors: string[] = [];
  const content = located.response.content as Json | undefined;
  const type = (check.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const empty = check.body === undefined || check.body === '';
  if (!content) {
    if (!empty) errors.push(`status ${check.status} declares no body, but one was sent`);
  } else if (!(type in content)) {
    errors.push(
      `media type '${type}' is not declared for status ${check.status} (declared: ${Object.keys(content).join(', ')})`,
    );
  } else if ((content[type] as Json).schema) {
    const v = validator(`${located.pointer}/content/${escapePointer(type)}/schema`);
    if (!v(check.body)) errors.push(...(v.errors ?? []).map((e) => `body${e.instancePath} ${e.message ?? ''}`));
  }
  const headers = (located.response.headers ?? {}) as Json;
  for (const [name, declared] of Object.entries(headers)) {
    const ref = (declared as Json).$ref;
    const pointer = typeof ref === 'string' ? ref.slice(1) : `${located.pointer}/headers/${escapePointer(name)}`;
    const header = (
      typeof ref === 'string' ? (doc.components.headers as Json)[ref.split('/').pop()!] : declared
    ) as Json;
    const value = check.headers?.[name.toLowerCase()];
    if (value === undefined) {
      if (header.required === true) errors.push(`header ${name} is required`);
      continue;
    }
    const v = validator(`${pointer}/schema`);
    if (!v(value)) errors.push(`header ${name}: ${ajv.errorsText(v.errors)}`);
  }
  return errors;
}

/** Throws, listing every departure, when the answer does not conform. */
export function assertOrdsContract(check: ContractCheck): void {
  const errors = contractErrors(check);
  if (errors.length > 0) {
    throw new Error(
      `${check.method} ${check.path} → ${check.status} breaks the ORDS contract:\n  ${errors.join('\n  ')}\nbody: ${JSON.stringify(check.body)?.slice(0, 500)}`,
    );
  }
}
