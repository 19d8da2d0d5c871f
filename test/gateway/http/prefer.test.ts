/** @module `preferredWait`: the `wait` of an RFC 7240 `Prefer` header, table-driven and as properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { MAX_WAIT_SECONDS, preferredWait } from '../../../src/gateway/http/prefer.js';

describe('preferredWait', () => {
  it.each<[string, string | readonly string[] | undefined, number | undefined]>([
    // RFC 7240 §2: preference = token [ BWS "=" BWS word ] *( OWS ";" [ OWS parameter ] ); names are case-insensitive.
    ['a bare wait', 'wait=5', 5],
    ['the name in capitals', 'WAIT=5', 5],
    ['mixed case', 'Wait=12', 12],
    ['whitespace around the name, the = and the value', ' wait = 5 ', 5],
    ['tabs as whitespace', '\twait\t=\t5\t', 5],
    ['the value as a quoted string', 'wait="5"', 5],
    ['a quoted string with whitespace around it', 'wait = "8" ', 8],
    ['after another preference', 'respond-async, wait=10', 10],
    ['before another preference', 'wait=10, respond-async', 10],
    ['with parameters after ;', 'wait=10; foo=bar', 10],
    ['with a parameter without a value', 'wait=10;foo', 10],
    ['after a preference with a value and parameters', 'return=minimal; foo="a;b", wait=4', 4],
    ['zero', 'wait=0', 0],
    ['leading zeros (delta-seconds is 1*DIGIT)', 'wait=007', 7],
    ['the longest honoured', 'wait=60', 60],
    ['one more than the longest: cut to it', 'wait=61', 60],
    ['far more than a number can hold: cut to the longest', 'wait=99999999999999999999', 60],
    // delta-seconds (RFC 9111 §1.2.2) has no length limit; one too large to hold counts as the largest.
    ['more than 20 digits: cut to the longest', `wait=${'9'.repeat(30)}`, 60],
    ['more than 20 digits, most of them leading zeros', `wait=${'0'.repeat(25)}5`, 5],
    ['empty elements of the list', ', ,wait=3,', 3],
    // §2: "If any preference is specified more than once, only the first instance is to be considered."
    ['the first wait wins', 'wait=5, wait=9', 5],
    ['the first wait wins, in other case', 'WAIT=2, wait=9', 2],
    ['a first wait that cannot be read is not replaced by a later one', 'wait=abc, wait=9', undefined],
    ['a first wait without a value is not replaced by a later one', 'wait, wait=9', undefined],
    // Anything else is ignored, not refused.
    ['wait without a value', 'wait', undefined],
    ['wait= with nothing after it', 'wait=', undefined],
    ['an empty quoted string', 'wait=""', undefined],
    ['a negative number', 'wait=-1', undefined],
    ['a plus sign', 'wait=+5', undefined],
    ['a fraction', 'wait=1.5', undefined],
    ['not a number', 'wait=abc', undefined],
    ['a number and more', 'wait=5s', undefined],
    ['two numbers', 'wait=5 6', undefined],
    ['hexadecimal', 'wait=0x10', undefined],
    ['an exponent', 'wait=1e3', undefined],
    ['non-ASCII digits', 'wait=５', undefined],
    ['a name that only begins with wait', 'waiting=5', undefined],
    ['a name that ends with wait', 'nowait=5', undefined],
    ['only other preferences', 'respond-async, return=minimal', undefined],
    ['wait as a parameter of another preference', 'respond-async; wait=5', undefined],
    ['an empty header', '', undefined],
    ['no header', undefined, undefined],
    // Node joins a repeated header with ", "; an array keeps the repeats apart: both are read in order.
    ['an array of header values', ['respond-async', 'wait=7'], 7],
    ['an array: the first wait wins', ['wait=3', 'wait=9'], 3],
    ['an array: a list in one element', ['respond-async, wait=4', 'wait=9'], 4],
    ['an empty array', [], undefined],
    ['an array without wait', ['respond-async', 'return=minimal'], undefined],
  ])('%s: %j → %s', (_, header, expected) => {
    expect(preferredWait(header)).toBe(expected);
  });

  // A quoted string (RFC 9110 §5.6.4) may hold commas and semicolons: they end no preference and no parameter, so a
  // quoted value can neither hide the real wait nor show a false one.
  it.each([
    ['a comma in a quoted value before the wait', 'foo="x, wait=1", wait=5', 5],
    ['a wait only inside a quoted value', 'foo="a, wait=9, b"', undefined],
    ['a semicolon in a quoted parameter of the wait', 'wait=5;foo="a;b"', 5],
    ['a quoted parameter holding a comma and a wait', 'respond-async;x="1, wait=2", wait=6', 6],
    ['an escaped quote inside the quoted value', 'foo="a\\", wait=1", wait=7', 7],
    ['an escaped backslash ends before the closing quote', 'foo="a\\\\", wait=8', 8],
    ['an unclosed quote swallows the rest: nothing to honour', 'foo="x, wait=5', undefined],
  ])('%s: %s → %s', (_, header, expected) => {
    expect(preferredWait(header)).toBe(expected);
  });

  it('for any text quoted (escaped as RFC 9110 says) as another preference, the wait after it is read', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 60 }), (text, n) => {
        const quoted = `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
        expect(preferredWait(`foo=${quoted}, wait=${n}`)).toBe(n);
        expect(preferredWait(`wait=${n};foo=${quoted}`)).toBe(n);
        expect(preferredWait(`foo=${quoted}`)).toBeUndefined();
      }),
    );
  });

  it('cuts at MAX_WAIT_SECONDS, which is 60', () => {
    expect(MAX_WAIT_SECONDS).toBe(60);
  });

  it('for any whole n from 0 to 10^6, wait=n is min(n, 60)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
        expect(preferredWait(`wait=${n}`)).toBe(Math.min(n, MAX_WAIT_SECONDS));
      }),
    );
  });

  it('reads the same n whatever the case, the whitespace, the quotes and the preferences before it', () => {
    const space = fc.constantFrom('', ' ', '\t', '  ');
    const name = fc.constantFrom('wait', 'WAIT', 'Wait', 'wAiT');
    const other = fc.constantFrom('respond-async', 'return=minimal', 'handling=lenient', 'foo="bar"', 'x;y=1');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(other, { maxLength: 3 }),
        name,
        space,
        space,
        fc.boolean(),
        (n, before, token, s1, s2, quoted) => {
          const value = quoted ? `"${n}"` : String(n);
          const header = [...before, `${s1}${token}${s2}=${s2}${value}${s1}`].join(',');
          expect(preferredWait(header)).toBe(Math.min(n, MAX_WAIT_SECONDS));
        },
      ),
    );
  });

  it('is undefined for any header without the token wait', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).filter((s) => !/wait/i.test(s)),
        (header) => {
          expect(preferredWait(header)).toBeUndefined();
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }).filter((s) => !/wait/i.test(s)),
        (header) => {
          expect(preferredWait(header)).toBeUndefined();
          expect(preferredWait([header, header])).toBeUndefined();
        },
      ),
    );
  });

  it('never throws, and answers undefined or a whole number from 0 to 60', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 })), (header) => {
        const got = preferredWait(header);
        if (got !== undefined) {
          expect(Number.isInteger(got)).toBe(true);
          expect(got).toBeGreaterThanOrEqual(0);
          expect(got).toBeLessThanOrEqual(MAX_WAIT_SECONDS);
        }
      }),
    );
  });
});
