// The house's boundaries, read off the import statements of every file in src/: which folder may use which.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** What each folder of src/ may import from the others (and from generated/, config/); packages are not listed here. */
const ALLOWED: Record<string, readonly string[]> = {
  // Helpers neither program owns: they know nothing of the rest.
  lib: [],
  // Loads the contracts, shared by both programs.
  contract: ['lib'],
  // The two programs: neither imports the other, nor any command line.
  gateway: ['contract', 'lib', 'generated', 'config'],
  emulator: ['contract', 'lib', 'generated'],
  // The published client stands alone on the generated public types.
  client: ['generated'],
  'client-cli': ['client', 'generated'],
  // The admin command line registers every subcommand, so it is the one folder that reaches into both programs
  // (and into the client CLI for its version lookup, which must stay inside the client package).
  cli: ['gateway', 'emulator', 'contract', 'lib', 'client-cli'],
  // `make run` starts the programs as processes; it imports neither.
  dev: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm)) {
    found.push(match[1]!);
  }
  return found;
}

/** `gateway`, `emulator`, …; `generated` (types), `config` (the published config schema); else undefined. */
function areaOf(path: string): string | undefined {
  const rel = relative(ROOT, path).split('/');
  if (rel[0] === 'generated' || rel[0] === 'config') return rel[0];
  return rel[0] === 'src' ? rel[1] : undefined;
}

const edges = sourceFiles(SRC).flatMap((file) =>
  relativeImports(readFileSync(file, 'utf8')).map((specifier) => ({
    file: relative(ROOT, file),
    from: areaOf(file)!,
    to: areaOf(resolve(dirname(file), specifier)),
    specifier,
  })),
);

describe('import boundaries of src/', () => {
  it('reads the imports of every folder it knows, and knows every folder', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.sort()).toEqual(Object.keys(ALLOWED).sort());
    // The reader finds imports at all (a broken pattern would make every rule below pass).
    expect(edges.filter((e) => e.from === 'gateway' && e.to === 'gateway').length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from === 'cli' && e.to === 'gateway')).toBe(true);
  });

  it.each(Object.entries(ALLOWED))('%s imports only from itself and %j', (area, allowed) => {
    const crossing = edges
      .filter((e) => e.from === area && e.to !== area && !allowed.includes(e.to ?? ''))
      .map((e) => `${e.file} → ${e.specifier}`);
    expect(crossing).toEqual([]);
  });
});
