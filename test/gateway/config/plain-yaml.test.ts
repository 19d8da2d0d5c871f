// The fast reader of plain block YAML must read every text it accepts exactly as the `yaml` package does, and
// accept none that `yaml` finds a fault in: checked on random trees written by `yaml` and on random line soups.
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';

import { parsePlainYaml } from '../../../src/gateway/config/plain-yaml.js';
import { minimalConfig } from './fixtures.js';
import { breakOnce, chooser, writeYaml } from './plain-yaml-writer.js';

/** What the loader's full path makes of `text`: its value, or 'fault' when `yaml` reports anything. */
function fullParse(text: string): unknown {
  // uniqueKeys left on: the loader's own duplicate check says the same (load.ts).
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return 'fault';
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return 'fault';
  }
}

/** Either the fast reader declines, or it agrees with `yaml` (NaN, -0 and __proto__ keys included). */
function agrees(text: string, read?: { count: number }): boolean {
  const fast = parsePlainYaml(text);
  if (fast !== undefined && read) read.count++;
  return fast === undefined || isDeepStrictEqual(fast, fullParse(text));
}

const KEYS = ['a', 'b', 'api_keys', 'tenant-01', 'x.y', '$s', '__proto__', 'q k', '1', 'true', 'null', 'a#b', '-', ''];
const scalar = fc.oneof(
  fc.constantFrom('EXPORT', 'orcl', '${ORDS_PASSWORD}', 'http://h:8181/ords/a/b/', '*', '', ' lead', 'trail ', 'a #b'),
  fc.constantFrom('true', 'False', 'null', '~', '0o17', '0x1F', '1e3', '.inf', '-.5', '1_000', 'yes', '- x', 'a: b'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const anyKey = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 }));
const tree = treeOf(anyKey, scalar);

/** Mappings (a config is one) of lists, mappings and scalars. */
function treeOf(key: fc.Arbitrary<string>, leaf: fc.Arbitrary<unknown>) {
  return fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  })).map as fc.Arbitrary<Record<string, unknown>>;
}

/** Trees as configs have them: names, URLs, references, numbers, flags, the odd multi-line note. */
const configLike = treeOf(
  fc.constantFrom('listen', 'host', 'port', 'api_keys', 'tenant-01', 'hr.team', '$schema', 'x_1', '__proto__', 'a b'),
  fc.oneof(
    fc.constantFrom(
      'EXPORT',
      'orcl',
      '${ORDS_PASSWORD}',
      'http://h:8181/ords/a/b/',
      '*',
      'HR_',
      'line one\nline two\n',
    ),
    fc.constantFrom("it's", 'say "hi"', 'x #y', 'café', 'a,b', '10/hour', '-1', '~', '0.5', '1e3', 'True', 'TRUE', ''),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  ),
);

const options = fc.record({
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  lineWidth: fc.constantFrom(0, 20, 80),
  minContentWidth: fc.constantFrom(0, 20),
  collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any' | 'block' | 'flow'>,
  defaultStringType: fc.constantFrom(
    'PLAIN',
    'QUOTE_DOUBLE',
    'QUOTE_SINGLE',
    'BLOCK_LITERAL',
    'BLOCK_FOLDED',
  ) as fc.Arbitrary<'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED'>,
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE') as fc.Arbitrary<
    null | 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'
  >,
  blockQuote: fc.constantFrom(true, false, 'literal', 'folded') as fc.Arbitrary<boolean | 'literal' | 'folded'>,
});

describe('parsePlainYaml', () => {
  it('reads any tree `yaml` writes, in any style, as `yaml` reads it back (or leaves it to `yaml`)', () => {
    const read = { count: 0 };
    fc.assert(
      fc.property(tree, options, fc.constantFrom('', '# a comment\n', '\n\n'), (value, opts, head) => {
        const text = head + stringify(value, opts);
        expect(agrees(text, read), text).toBe(true);
      }),
      { numRuns: 1500 },
    );
    // Not a vacuous agreement: `yaml`'s own block style is mostly read here (the rest is flow style and odd strings).
    expect(read.count).toBeGreaterThan(150);
  });

  it('reads configs written by hand in any spacing, quoting and comment style as `yaml` does, broken or not', () => {
    const read = { count: 0 };
    let whole = 0;
    fc.assert(
      fc.property(
        configLike,
        fc.array(fc.nat(), { minLength: 1, maxLength: 64 }),
        fc.boolean(),
        (value, numbers, broken) => {
          const pick = chooser(numbers);
          const written = writeYaml(value, pick);
          const text = broken ? breakOnce(written, pick) : written;
          if (!broken) whole++;
          expect(agrees(text, broken ? undefined : read), JSON.stringify(text)).toBe(true);
        },
      ),
      { numRuns: 4000 },
    );
    // Most whole texts are read here (the rest: a key with a space, an empty mapping, a flow entry with a quote).
    expect(read.count).toBeGreaterThan(whole / 3);
  });

  it('agrees with `yaml` on random lines of keys, dashes, scalars, comments and indicators', () => {
    const key = fc.constantFrom('a', 'b', 'c', '"a"', "'b'", '"q k"', '1', 'true', '__proto__', 'a b', '? a', 'x.y');
    const value = fc.constantFrom(
      ...['x', 'x y', '"s"', "'it''s'", '"\\u00e9\\n"', '"\\x41"', '[]', '{}', '[a, "b", 1]', '[a,]', '[ ]'],
      ...['{a: 1}', '|', '|-', '|+', '>', '&x y', '*x', '!t y', '- x', 'a: b', 'a:b', 'x #c', 'x#c', '"a"#c', '"a" #c'],
      ...['-1', '.5', '0x1F', '0o7', '1e3', '.inf', '---', '...', '${X}', '~', 'null', '"unclosed', "'", ':x', '%x'],
    );
    const line = fc.tuple(
      fc.constantFrom('', ' ', '  ', '    ', '      '),
      fc.oneof(
        fc.tuple(key, fc.constantFrom(':', ': ', ':  '), fc.oneof(value, fc.constant(''))).map((p) => p.join('')),
        value.map((v) => `- ${v}`),
        fc.tuple(key, value).map(([k, v]) => `- ${k}: ${v}`),
        fc.constantFrom('-', '- ', '# c', '', '   ', '---', 'text', '  literal line', '\t'),
      ),
    );
    const text = fc
      .array(line, { minLength: 1, maxLength: 10 })
      .map((lines) => lines.map(([indent, rest]) => indent + rest).join('\n'))
      .chain((body) => fc.constantFrom(body, `${body}\n`, `${body}\r\n`, `a:\n${body}\n`));
    const read = { count: 0 };
    fc.assert(
      fc.property(text, (t) => {
        expect(agrees(t, read), JSON.stringify(t)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(read.count).toBeGreaterThan(30);
  });

  it.each([
    ['a: 1\nb:\n  - x\n  - y: 2\n    z: [p, "q"]\nc: |\n  line\n\n  two\nd: {}\n', true],
    ['a:\n- x\n- y\nb: ~\n', true],
    ['list:\n  -\n    k: v\n  - - nested\n', false],
    ['a: 1\na: 2\n', false], // a duplicate: the full parser names its line
    ['a: 1\n\tb: 2\n', false],
    ['a: "multi\n  line"\n', false],
    ['a: plain\n  continued\n', false],
    ['%YAML 1.2\n---\na: 1\n', false],
    ['a: &x 1\nb: *x\n', false],
    ['a: 1\r\nb: [x, y]\r\n', true],
    ['a: 1\rb: 2\n', false], // a lone carriage return
  ])('%j: read here %s, and as `yaml` reads it', (text, fast) => {
    expect(parsePlainYaml(text) !== undefined).toBe(fast);
    expect(agrees(text)).toBe(true);
  });

  it('takes the fast path for configs as `yaml` and people write them', () => {
    const many = minimalConfig();
    const tenant = (many.tenants as Record<string, unknown>)['hr-team'];
    // Copies: one object written twice would be written as an anchor and an alias.
    many.tenants = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tenant-${i}`, structuredClone(tenant)]));
    for (const text of [stringify(minimalConfig()), stringify(many, { lineWidth: 0 })]) {
      expect(parsePlainYaml(text)).toStrictEqual(fullParse(text));
    }
    const handWritten = [
      '# the gateway',
      'listen:',
      '  host: 127.0.0.1   # loopback',
      '  port: ${PORT:-8080}',
      'tenants:',
      '  hr-team:',
      '    api_keys:',
      '      - id: demo',
      '        sha256: 03ca2ec8174645c8aca0d25ec965018b885db6232e52d17ae3a01ede19f227a1',
      '    grants:',
      '      schemas: ["*"]',
      "      job_modes: [SCHEMA, 'TABLE']",
      'docs:',
      '  note: |',
      '    ### Demo',
      '',
      '    | tenant | key |',
      '',
    ].join('\n');
    expect(parsePlainYaml(handWritten)).toStrictEqual(fullParse(handWritten));
  });
});
