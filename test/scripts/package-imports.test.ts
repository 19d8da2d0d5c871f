// The import scan `make pack` trusts to keep server packages and Node built-ins out of the client package.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { isBuiltin, packageNameOf, scanPackage, specifiersOf } from '../../scripts/package-imports.js';

describe('packageNameOf', () => {
  it.each([
    ['openapi-fetch', 'openapi-fetch'],
    ['ajv/dist/2020.js', 'ajv'],
    ['@opentelemetry/api', '@opentelemetry/api'],
    ['@opentelemetry/sdk-trace-node/build/src/index.js', '@opentelemetry/sdk-trace-node'],
  ])('%s is the package %s', (specifier, name) => {
    expect(packageNameOf(specifier)).toBe(name);
  });
});

describe('isBuiltin', () => {
  it.each([
    ['node:crypto', true],
    ['crypto', true],
    ['fs/promises', true],
    ['node:test', true],
    ['fs-extra', false],
    ['pino', false],
    ['@types/node', false],
  ])('%s → %s', (specifier, builtin) => {
    expect(isBuiltin(specifier)).toBe(builtin);
  });
});

describe('specifiersOf', () => {
  it.each([
    ["import { a } from 'x';", ['x']],
    ['import x from "x"; export * from \'./y.js\';', ['x', './y.js']],
    ["import 'side-effect';", ['side-effect']],
    ["const m = await import('node:fs');", ['node:fs']],
    ["import type { T } from 'types-only';", ['types-only']],
    ["import schema from '../a.json' with { type: 'json' };", ['../a.json']],
    // what only looks like an import is not one
    ["// import x from 'in-a-comment'\n/* from 'nor-here' */ const s = \"import y from 'in-a-string'\";", []],
  ])('%s', (source, expected) => {
    expect(specifiersOf(source)).toEqual(expected);
  });
});

describe('scanPackage', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function files(tree: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'scan-package-'));
    for (const [path, text] of Object.entries(tree)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  it('reports packages, built-ins by file, and relative imports that leave the package', () => {
    const root = files({
      'src/client/index.js': "export * from './client.js';\nimport 'openapi-fetch';",
      'src/client/client.js': "import { randomUUID } from 'node:crypto';\nimport '../../gateway/app.js';",
      'src/client/client.d.ts': "import type { paths } from '../../generated/public.js';\nimport 'openapi-fetch';",
      'generated/public.d.ts': 'export type paths = {};',
      'src/cli/main.js': "import { Command } from 'commander';\nimport '@scope/pkg/sub.js';",
      'README.md': "import 'not-scanned';",
    });
    const report = scanPackage(root);
    expect(report.packages).toEqual(['@scope/pkg', 'commander', 'openapi-fetch']);
    expect(report.builtins).toEqual([{ file: 'src/client/client.js', specifier: 'node:crypto' }]);
    // the declaration's `public.js` resolves to public.d.ts; the client's import of the gateway does not resolve
    expect(report.unresolved).toEqual([{ file: 'src/client/client.js', specifier: '../../gateway/app.js' }]);
  });
});
