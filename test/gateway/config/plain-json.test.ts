// A config written as JSON is read with JSON.parse: only when that gives exactly what `yaml` gives, and never
// when `yaml` would refuse the text (a key twice in one object).
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

import { parsePlainJson } from '../../../src/gateway/config/plain-json.js';

function fullParse(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false });
  return doc.errors.length > 0 || doc.warnings.length > 0 ? 'fault' : doc.toJS({ maxAliasCount: 100 });
}

const json = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'a', 'a#b', 'x: y', '"', '\\')),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 6 },
);

describe('parsePlainJson', () => {
  it('reads any JSON object, in any layout, as `yaml` reads it', () => {
    fc.assert(
      fc.property(
        json,
        fc.constantFrom(undefined, 0, 1, 2, 4, '\t'),
        fc.constantFrom('', ' ', '\n', '\r\n'),
        (v, space, around) => {
          const text = around + JSON.stringify(v, null, space) + around;
          const fast = parsePlainJson(text);
          expect(fast).not.toBeUndefined();
          expect(isDeepStrictEqual(fast, fullParse(text)), text).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('leaves every text with a key twice in one object to `yaml`, which names it', () => {
    fc.assert(
      fc.property(json, fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), (v, key, again) => {
        const body = JSON.stringify(v);
        const twice = `{${JSON.stringify(key)}: 1, ${JSON.stringify(key)}: ${JSON.stringify(again) ?? 'null'}`;
        const text = `{"outer": ${twice}${body === '{}' ? '' : `, ${body.slice(1, -1)}`}}, "last": [${body}]}`;
        expect(parsePlainJson(text)).toBeUndefined();
        expect(fullParse(text)).toBe('fault');
      }),
    );
  });

  it.each([
    ['{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}', { a: 1, b: { a: 2 }, c: [{ a: 3 }, { a: 4 }] }],
    ['{"a\\u0062": 1, "ab": 2}', undefined], // the same key, escaped once
    ['{"a": 1} # a comment', undefined], // YAML, not JSON
    ['\ufeff{"a": 1}', undefined],
    ['{"a": 1,}', undefined],
    ['[{"a": 1}]', undefined], // not a mapping: the schema says so, after `yaml` reads it
    ['a: 1', undefined],
  ])('%j → %j', (text, value) => {
    expect(parsePlainJson(text)).toStrictEqual(value);
  });

  it('keeps -0, large numbers and "__proto__" as `yaml` does', () => {
    const text = '{"z": -0, "big": 123456789012345678901234567890, "tiny": 5e-324, "__proto__": {"x": 1}}';
    const fast = parsePlainJson(text) as Record<string, unknown>;
    expect(isDeepStrictEqual(fast, fullParse(text))).toBe(true);
    expect(Object.is(fast.z, -0)).toBe(true);
    expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
  });
});
