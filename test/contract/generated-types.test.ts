// The contract reaches the compiler: the generated types turn its cross-field rules into compile errors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/job-request-bodies.ts', import.meta.url));

function compile(file: string) {
  const configPath = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  const program = ts.createProgram([file], { ...config.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
}

describe('generated public types', () => {
  const diagnostics = compile(fixture);
  const lines = readFileSync(fixture, 'utf8').split('\n');
  const expected = lines.flatMap((text, i) => {
    const match = /\/\/ error (TS\d+)/.exec(text);
    return match ? [{ line: i + 1, code: match[1]! }] : [];
  });
  const actual = diagnostics.map((d) => ({
    line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1,
    code: `TS${d.code}`,
  }));

  it('marks at least the three bodies the issue names', () => {
    expect(expected.length).toBeGreaterThanOrEqual(6);
  });

  it.each(expected.map((e) => [lines[e.line - 1]!.trim().slice(0, 70), e] as const))('refuses %s', (_text, e) => {
    expect(actual).toContainEqual(e);
  });

  it('accepts the ORDS reference bodies and reports nothing on unmarked lines', () => {
    const unexpected = actual.filter((a) => !expected.some((e) => e.line === a.line));
    expect(unexpected).toEqual([]);
  });
});
