// The README's ten-line example is test/client/readme-example.ts verbatim (tsc compiles that file), and it runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { start } from '../client-cli/run-datapump.js';
import { type Stack, startStack } from './stack.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'src/client/README.md'), 'utf8');
const MAIN_README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const EXAMPLE = readFileSync(join(ROOT, 'test/client/readme-example.ts'), 'utf8');

/** The first ```ts block under the "In ten lines" heading (`##` in the client's README, `###` in the project's). */
function readmeExample(text: string, name: string): string {
  const section = text.split(/^#{2,3} In ten lines$/m)[1];
  const block = section ? /```ts\n([\s\S]*?)```/.exec(section) : null;
  if (!block) throw new Error(`${name} has no \`\`\`ts block under "In ten lines"`);
  return block[1]!;
}

describe('the README example', () => {
  it('is test/client/readme-example.ts, verbatim, in ten lines', () => {
    expect(readmeExample(README, 'src/client/README.md')).toBe(EXAMPLE);
    expect(readmeExample(MAIN_README, 'README.md')).toBe(EXAMPLE);
    expect(EXAMPLE.trimEnd().split('\n')).toHaveLength(10);
  });

  describe('run against a gateway', () => {
    let stack: Stack;
    let dir: string;
    beforeAll(async () => {
      stack = await startStack({ emulator: { clock: 'real', config: { jobDurationMs: 300 } } });
      dir = mkdtempSync(join(tmpdir(), 'readme-example-'));
    });
    afterAll(async () => {
      await stack?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('exports HR and prints the completed job and its outcome', async () => {
      // The package name resolves through package.json "exports" to dist/; point it at the source instead.
      const file = join(dir, 'example.mts'); // an ES module wherever it is, for the top-level await
      writeFileSync(
        file,
        EXAMPLE.replace("'datapump-gateway/client'", JSON.stringify(join(ROOT, 'src/client/index.ts'))),
      );
      const r = await start(process.execPath, ['--import', 'tsx', file], {
        DATAPUMP_URL: stack.url,
        DATAPUMP_API_KEY: 'hr-demo-key',
      }).done;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // onProgress's lines (EXECUTING while it runs, if a poll saw it), then the outcome.
      expect(r.stdout).toMatch(
        /^(?:EXECUTING \d+\n)*COMPLETED \d+\nPDBADMIN,DATAPUMP_REST_EXPORT_\d{14}\S* COMPLETED: succeeded\n$/,
      );
    });
  });
});
