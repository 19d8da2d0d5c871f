// The problem catalogue in the public contract: one base, one slug per problem, every one documented and used.
import { describe, expect, it } from 'vitest';

import { loadContract } from '../../src/contract/documents.js';

type Json = Record<string, unknown>;
const doc = loadContract('public');
const schemas = doc.components.schemas as Record<string, Json>;
const responses = doc.components.responses as Record<string, Json>;
const BASE = 'https://datapump-gateway.dev/problems/';
const DECLARED_ERROR_STATUSES = [
  '400',
  '401',
  '403',
  '404',
  '405',
  '409',
  '413',
  '415',
  '422',
  '429',
  '431',
  '500',
  '502',
  '503',
  '504',
];

interface Entry {
  const: string;
  title: string;
  'x-title': string;
  'x-status': number;
  description: string;
}
const catalogue = schemas.ProblemType!.oneOf as Entry[];

function operations() {
  const ops: Array<{ id: string; responses: Record<string, Json> }> = [];
  for (const item of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method !== 'parameters')
        ops.push({ id: (op as Json).operationId as string, responses: (op as Json).responses as Record<string, Json> });
    }
  }
  return ops;
}

function resolveResponse(r: Json): Json {
  const ref = r.$ref as string | undefined;
  return ref ? responses[ref.split('/').pop()!]! : r;
}

describe('problem type catalogue', () => {
  it('has one absolute URI per problem, all under one base, named by its slug', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(20);
    const uris = catalogue.map((e) => e.const);
    expect(new Set(uris).size).toBe(uris.length);
    for (const entry of catalogue) {
      expect(entry.const).toBe(`${BASE}${entry.title}`);
      expect(entry.title).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(() => new URL(entry.const)).not.toThrow();
    }
  });

  it('documents every problem: a title for people, a status, and when it happens', () => {
    for (const entry of catalogue) {
      expect(entry['x-title'], entry.title).toMatch(/\S/);
      expect(entry.description.length, entry.title).toBeGreaterThan(15);
      expect(entry['x-status'], entry.title).toBeGreaterThanOrEqual(400);
      expect(entry['x-status'], entry.title).toBeLessThan(600);
    }
  });

  it('names every problem in the description of the responses that can carry it', () => {
    for (const entry of catalogue) {
      const carriers = Object.values(responses).filter((r) => String(r.description).includes(`\`${entry.title}\``));
      expect(carriers.length, `${entry.title} is not named by any response`).toBeGreaterThan(0);
    }
  });

  it('covers every error status the gateway can answer, and declares each on some operation', () => {
    const statuses = new Set(catalogue.map((e) => String(e['x-status'])));
    const declared = new Set(operations().flatMap((op) => Object.keys(op.responses)));
    for (const status of DECLARED_ERROR_STATUSES) {
      expect(statuses, `no problem type for ${status}`).toContain(status);
      expect(declared, `no operation declares ${status}`).toContain(status);
    }
    for (const status of statuses) expect(DECLARED_ERROR_STATUSES).toContain(status);
  });
});

describe('error responses', () => {
  it('are all application/problem+json bodies of the Problem schema', () => {
    for (const op of operations()) {
      for (const [status, raw] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const content = resolveResponse(raw).content as Json;
        expect(Object.keys(content), `${op.id} ${status}`).toEqual(['application/problem+json']);
        expect((content['application/problem+json'] as Json).schema).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
  });

  it('carry Retry-After where the client is asked to come back', () => {
    for (const name of ['Conflict', 'TooManyRequests', 'ServiceUnavailable']) {
      expect(Object.keys(responses[name]!.headers as Json), name).toContain('Retry-After');
    }
    expect(Object.keys(responses.Unauthorized!.headers as Json)).toContain('WWW-Authenticate');
    expect(Object.keys(responses.MethodNotAllowed!.headers as Json)).toContain('Allow');
  });

  it('list several faults as RFC 9457 errors with JSON Pointers', () => {
    const errors = (schemas.Problem!.properties as Json).errors as Json;
    const item = schemas.ProblemError!;
    expect(errors.type).toBe('array');
    expect(Object.keys(item.properties as Json)).toEqual(expect.arrayContaining(['pointer', 'detail']));
  });
});

describe('declared headers', () => {
  it('include the request id, the idempotency key and the rate-limit headers', () => {
    const post = doc.paths['/databases/{database}/datapump/jobs/']!.post as Json;
    const params = (post.parameters as Json[]).map((p) => p.$ref);
    expect(params).toContain('#/components/parameters/idempotencyKey');
    const created = (post.responses as Record<string, Json>)['201']!.headers as Json;
    for (const h of ['Location', 'Content-Location', 'ETag', 'X-Request-Id', 'RateLimit', 'RateLimit-Policy']) {
      expect(Object.keys(created)).toContain(h);
    }
  });

  it('offer API key, Basic and Bearer authentication', () => {
    const schemes = doc.components.securitySchemes as Record<string, Json>;
    expect(
      Object.values(schemes)
        .map((s) => `${s.type}:${s.scheme ?? s.in}`)
        .sort(),
    ).toEqual(['apiKey:header', 'http:basic', 'http:bearer']);
  });
});
