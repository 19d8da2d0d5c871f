// The published JSON Schema: compiles under Ajv strict mode and gives every field a rule.
import { describe, expect, it } from 'vitest';

import { compileConfigSchema, CONFIG_SCHEMA } from '../../../src/gateway/config/schema.js';

type Node = Record<string, unknown>;

/** Every subschema with its JSON Pointer. */
function* walk(node: unknown, pointer = '#'): Generator<[string, Node]> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
  const schema = node as Node;
  yield [pointer, schema];
  for (const key of ['properties', '$defs'] as const) {
    for (const [name, child] of Object.entries((schema[key] ?? {}) as Node))
      yield* walk(child, `${pointer}/${key}/${name}`);
  }
  for (const key of ['items', 'additionalProperties', 'propertyNames'] as const) {
    if (typeof schema[key] === 'object') yield* walk(schema[key], `${pointer}/${key}`);
  }
}

describe('config/gateway-config.schema.json', () => {
  const nodes = [...walk(CONFIG_SCHEMA)];

  it('is draft 2020-12 and compiles in strict mode', () => {
    expect(CONFIG_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => compileConfigSchema()).not.toThrow();
  });

  it('closes every object: additionalProperties false, or a schema for name-keyed maps', () => {
    const open = nodes.filter(
      ([, s]) => s.type === 'object' && s.additionalProperties !== false && typeof s.additionalProperties !== 'object',
    );
    expect(open.map(([p]) => p)).toEqual([]);
  });

  it('gives every property a type, an enum or a reference', () => {
    const loose = nodes.filter(
      ([p, s]) => /\/properties\/[^/]+$/.test(p) && !('type' in s) && !('enum' in s) && !('$ref' in s),
    );
    expect(loose.map(([p]) => p)).toEqual([]);
  });

  it('explains every pattern in words', () => {
    const unexplained = nodes.filter(([, s]) => 'pattern' in s && typeof s.patternErrorMessage !== 'string');
    expect(unexplained.map(([p]) => p)).toEqual([]);
  });

  it('bounds every integer', () => {
    const unbounded = nodes.filter(
      ([, s]) => s.type === 'integer' && (typeof s.minimum !== 'number' || typeof s.maximum !== 'number'),
    );
    expect(unbounded.map(([p]) => p)).toEqual([]);
  });
});
