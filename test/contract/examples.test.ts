// Every example in both contracts validates against the schema it illustrates.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

import { type ContractName, loadContract, type OpenApiDocument } from '../../src/contract/documents.js';

type Json = Record<string, unknown>;
interface ExampleCase {
  where: string;
  schemaPointer: string;
  value: unknown;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function resolve(doc: OpenApiDocument, node: unknown): Json {
  let current = node as Json;
  while (current && typeof current.$ref === 'string' && current.$ref.startsWith('#/')) {
    current = current.$ref
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((acc, key) => (acc as Json)[key], doc) as Json;
  }
  return current;
}

/** Examples of media types (request bodies and responses), with the pointer of their schema. */
function mediaExamples(doc: OpenApiDocument): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const operation = op as Json;
      const base = `#/paths/${escape(path)}/${method}`;
      const bodies: Array<[string, unknown]> = [];
      if (operation.requestBody) bodies.push([`${base}/requestBody`, operation.requestBody]);
      for (const [status, response] of Object.entries((operation.responses ?? {}) as Json)) {
        const ref = (response as Json).$ref;
        bodies.push([typeof ref === 'string' ? ref : `${base}/responses/${status}`, response]);
      }
      for (const [pointer, raw] of bodies) {
        const content = (resolve(doc, raw).content ?? {}) as Json;
        for (const [mediaType, media] of Object.entries(content)) {
          const examples = ((media as Json).examples ?? {}) as Json;
          for (const [name, example] of Object.entries(examples)) {
            cases.push({
              where: `${method.toUpperCase()} ${path} ${pointer.split('/').slice(-2).join('/')} ${mediaType} «${name}»`,
              schemaPointer: `${pointer}/content/${escape(mediaType)}/schema`,
              value: resolve(doc, example).value,
            });
          }
        }
      }
    }
  }
  return cases;
}

/** `examples` arrays written on schemas themselves (JSON Schema 2020-12 keyword). */
function schemaExamples(doc: OpenApiDocument): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const walk = (node: unknown, pointer: string) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, `${pointer}/${i}`));
      return;
    }
    const schema = node as Json;
    if (Array.isArray(schema.examples) && (schema.type || schema.$ref || schema.allOf)) {
      schema.examples.forEach((value, i) =>
        cases.push({ where: `${pointer} examples[${i}]`, schemaPointer: pointer, value }),
      );
    }
    for (const [key, child] of Object.entries(schema)) walk(child, `${pointer}/${escape(key)}`);
  };
  walk(doc.components.schemas, '#/components/schemas');
  walk(doc.components.parameters, '#/components/parameters');
  return cases;
}

function validatorFor(doc: OpenApiDocument) {
  // strict: false — OpenAPI adds keywords (discriminator, x-status, …) that are not JSON Schema's.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'contract');
  return (pointer: string, value: unknown) => {
    const validate = ajv.compile({ $ref: `contract${pointer}` });
    return validate(value) ? [] : (validate.errors ?? []);
  };
}

describe.each(['public', 'ords'] as ContractName[])('%s contract examples', (name) => {
  const doc = loadContract(name);
  const validate = validatorFor(doc);
  const media = mediaExamples(doc);
  const schemas = schemaExamples(doc);

  it('has examples to check', () => {
    expect(media.length).toBeGreaterThanOrEqual(name === 'public' ? 8 : 4);
    expect(schemas.length).toBeGreaterThan(3);
  });

  it.each([...media, ...schemas].map((c) => [c.where, c] as const))('%s is valid', (_where, c) => {
    expect(validate(c.schemaPointer, c.value)).toEqual([]);
  });

  it('would notice an example that breaks its schema', () => {
    const job = media.find((c) => (c.value as Json | undefined)?.job_name !== undefined)!;
    expect(validate(job.schemaPointer, { ...(job.value as Json), state: 42 })).not.toEqual([]);
  });
});

describe('the ORDS reference examples', () => {
  const publicDoc = loadContract('public');
  const ords = loadContract('ords');
  const examplesOf = (doc: OpenApiDocument) => doc.components.examples as Record<string, { value: unknown }>;

  it("appear in both contracts, identical to Oracle's request bodies", () => {
    const exportHr = { operation: 'EXPORT', schema_expressions: [{ expression: "IN ( 'HR' )" }] };
    const importBlake = {
      operation: 'IMPORT',
      job_mode: 'FULL',
      file_name: 'EXPDAT%U2019-03-25-12_55_03.DMP',
      remap_schemas: [{ source: 'HR', target: 'BLAKE' }],
    };
    for (const doc of [publicDoc, ords]) {
      expect(examplesOf(doc).exportHrRequest!.value).toEqual(exportHr);
      expect(examplesOf(doc).importHrAsBlakeRequest!.value).toEqual(importBlake);
    }
  });

  it("include Oracle's example answer, job_state and all, in the upstream contract", () => {
    const job = examplesOf(ords).exportHrJob!.value as Json;
    expect(job).toMatchObject({
      job_name: 'DATAPUMP_REST_EXPORT_20190906155736',
      owner_name: 'PDBADMIN',
      job_state: 'EXECUTING',
    });
  });
});
