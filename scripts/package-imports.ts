/** @module What a staged package's compiled files import, and whether every import is one the package can satisfy. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

import ts from 'typescript';

export interface ImportFinding {
  /** The file, relative to the package root. */
  readonly file: string;
  readonly specifier: string;
}

export interface ImportReport {
  /** npm packages imported (bare specifiers reduced to the package name), sorted. */
  readonly packages: readonly string[];
  /** Node built-ins (`node:fs`, `fs`), by file. */
  readonly builtins: readonly ImportFinding[];
  /** Relative imports whose target is not in the package (a file left out, or code from outside it). */
  readonly unresolved: readonly ImportFinding[];
  /** Bare imports of each file, for the dependency check of a subset (the client's own files). */
  readonly bare: readonly ImportFinding[];
}

const BUILTINS = new Set(builtinModules);

/** `node:fs`, `fs`, `fs/promises` are built in; `fs-extra` is not. */
export function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

/** The npm package a bare specifier names: `@scope/name/sub` → `@scope/name`, `ajv/dist/2020.js` → `ajv`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Every module specifier of a JavaScript or declaration file: static imports and re-exports, dynamic
 * `import('…')` with a literal, `import type`. TypeScript's own scanner, so comments and strings that merely
 * look like imports are not counted.
 */
export function specifiersOf(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return [...info.importedFiles, ...info.referencedFiles].map((ref) => ref.fileName);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(?:js|d\.ts)$/.test(entry.name) ? [path] : [];
  });
}

/** A relative import resolves when its file is there (`x.js`, or `x.d.ts` for a declaration's `x.js`). */
function resolves(fromFile: string, specifier: string): boolean {
  const target = resolve(dirname(fromFile), specifier);
  if (existsSync(target)) return true;
  return fromFile.endsWith('.d.ts') && existsSync(target.replace(/\.js$/, '.d.ts'));
}

/** Reads every `.js` and `.d.ts` file under `root` and reports what they import. */
export function scanPackage(root: string): ImportReport {
  const packages = new Set<string>();
  const builtins: ImportFinding[] = [];
  const unresolved: ImportFinding[] = [];
  const bare: ImportFinding[] = [];
  for (const path of filesUnder(root)) {
    const file = relative(root, path);
    for (const specifier of specifiersOf(readFileSync(path, 'utf8'))) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        if (!resolves(path, specifier)) unresolved.push({ file, specifier });
      } else if (isBuiltin(specifier)) {
        builtins.push({ file, specifier });
      } else {
        bare.push({ file, specifier });
        packages.add(packageNameOf(specifier));
      }
    }
  }
  return { packages: [...packages].sort(), builtins, unresolved, bare };
}
