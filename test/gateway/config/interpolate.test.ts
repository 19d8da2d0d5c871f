// ${VAR} and ${VAR:-default} resolution: edge cases of the syntax, and what the tree walk records.
import { describe, expect, it } from 'vitest';

import { interpolateString, interpolateTree } from '../../../src/gateway/config/interpolate.js';
import { parseConfig } from '../../../src/gateway/config/load.js';
import { ENV, minimalConfig, setAt, toYaml } from './fixtures.js';

describe('interpolateString', () => {
  it.each([
    ['plain text', 'no references', {}, 'no references'],
    ['a set variable', '${A}', { A: 'x' }, 'x'],
    ['a variable set to empty', '${A}', { A: '' }, ''],
    ['a default, variable unset', '${A:-fallback}', {}, 'fallback'],
    ['a default, variable empty (as in the shell)', '${A:-fallback}', { A: '' }, 'fallback'],
    ['a default, variable set', '${A:-fallback}', { A: 'x' }, 'x'],
    ['an empty default', '${A:-}', {}, ''],
    ['a default with colons and dashes', '${URL:-http://h:1/a-b}', {}, 'http://h:1/a-b'],
    ['a reference inside text', 'http://h:${P}/x', { P: '81' }, 'http://h:81/x'],
    ['several references', '${S}://${H}:${P:-80}', { S: 'https', H: 'db' }, 'https://db:80'],
    ['an escaped reference', '$${A}', { A: 'x' }, '${A}'],
    ['an escape beside a reference', '$${A}-${A}', { A: 'x' }, '${A}-x'],
    ['a lone dollar', 'cost: $5', {}, 'cost: $5'],
    ['a dollar name without braces', '$A', { A: 'x' }, '$A'],
    ['a value that itself looks like a reference (no recursion)', '${A}', { A: '${B}' }, '${B}'],
    ['lower-case and underscore names', '${_my_var1}', { _my_var1: 'ok' }, 'ok'],
  ])('resolves %s', (_name, text, env, expected) => {
    expect(interpolateString(text, env)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['an unset variable', '${A}', 'environment variable A is not set'],
    ['an unset variable after a good one', '${B:-b}${A}', 'environment variable A is not set'],
    ['an empty name', '${}', '"${}" is not a valid reference: write ${NAME} or ${NAME:-default}'],
    ['a name starting with a digit', '${1A}', '"${1A}" is not a valid reference: write ${NAME} or ${NAME:-default}'],
    ['the := form', '${A:=x}', '"${A:=x}" is not a valid reference: write ${NAME} or ${NAME:-default}'],
    ['an unterminated reference', 'x${A', 'has "${" without a closing "}" (write $${ for a literal "${")'],
    ['a nested reference', '${A:-${B}}', '"${A:-${B}}": nested references are not supported'],
  ])('refuses %s', (_name, text, message) => {
    expect(interpolateString(text, {})).toEqual({ ok: false, message });
  });
});

describe('interpolateTree', () => {
  it('resolves strings at any depth, leaves keys and other values alone, and records whole references', () => {
    const tree = { '${KEY}': 'v', list: ['${A}', 3, true, null, { deep: 'x-${A}' }], port: '${P:-1}' };
    const result = interpolateTree(tree, { A: 'a' });
    expect(result.value).toEqual({ '${KEY}': 'v', list: ['a', 3, true, null, { deep: 'x-a' }], port: '1' });
    expect(result.problems).toEqual([]);
    expect([...result.wholeReferences]).toEqual([
      ['list[0]', '${A}'],
      ['port', '${P:-1}'],
    ]);
    expect(tree.list[0]).toBe('${A}'); // the input is not modified
  });

  it('reports every failing string with its path', () => {
    const result = interpolateTree({ a: '${X}', b: ['${Y}'] }, {});
    expect(result.problems).toEqual([
      { path: 'a', message: 'environment variable X is not set' },
      { path: 'b[0]', message: 'environment variable Y is not set' },
    ]);
  });
});

describe('interpolation in a whole config', () => {
  it('allows an empty default where an empty value is valid, and refuses it where not', () => {
    const config = minimalConfig();
    setAt(config, 'databases.orcl.auth.basic.username', '${ORDS_USER:-}');
    expect(() => parseConfig(toYaml(config), ENV)).toThrow(
      'databases.orcl.auth.basic.username: must not be empty (from ${ORDS_USER:-})',
    );
  });

  it('keeps an escaped reference literally', () => {
    const config = minimalConfig();
    setAt(config, 'databases.orcl.auth.basic.username', 'user$${X}');
    expect(parseConfig(toYaml(config), ENV).databases.orcl!.auth).toMatchObject({ username: 'user${X}' });
  });

  it('interpolates inside a URL', () => {
    const config = minimalConfig();
    setAt(config, 'databases.orcl.url', 'http://${ORDS_HOST:-localhost}:${ORDS_PORT}/ords/${PDB:-orcl}/pdbadmin');
    const url = parseConfig(toYaml(config), { ...ENV, ORDS_PORT: '8443' }).databases.orcl!.url;
    expect(url).toBe('http://localhost:8443/ords/orcl/pdbadmin/');
  });

  it('does not turn a reference that is only part of a value into a number', () => {
    const config = minimalConfig();
    setAt(config, 'listen', { port: '80${DIGIT}' });
    expect(() => parseConfig(toYaml(config), { ...ENV, DIGIT: '8' })).toThrow('listen.port: must be an integer');
  });

  it('does not re-read YAML from a variable: its value stays one string', () => {
    const config = minimalConfig();
    setAt(config, 'databases.orcl.auth.basic.username', '${ORDS_USER}');
    const parsed = parseConfig(toYaml(config), { ...ENV, ORDS_USER: '[1, 2] {b} # c' });
    expect(parsed.databases.orcl!.auth).toMatchObject({ username: '[1, 2] {b} # c' });
  });
});
