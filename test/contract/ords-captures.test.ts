// The upstream contract against evidence: every known ORDS answer (test/fixtures/ords-captures/) is valid under the
// schema of the operation and response it belongs to, and the gateway reads it.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

import { loadContract, type OpenApiDocument } from '../../src/contract/documents.js';
import { createOrdsContract } from '../../src/gateway/upstream/ords-contract.js';

type Json = Record<string, unknown>;

interface Source {
  kind: 'capture' | 'documentation-example';
  operationId: string;
  status: string;
  mediaType: string;
  source: string;
  quotedIn: string;
  notes: string;
}

const DIR = fileURLToPath(new URL('../fixtures/ords-captures/', import.meta.url));
const read = (file: string) => JSON.parse(readFileSync(`${DIR}${file}`, 'utf8')) as unknown;
const bodies = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.source.json'))
  .sort();
const fixtures = bodies.map((file) => ({
  file,
  body: read(file),
  source: read(file.replace(/\.json$/, '.source.json')) as Source,
}));

const ords = loadContract('ords');
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON pointer of the schema of `operationId`'s `status` answer in `mediaType` (following a `$ref`'d response). */
function responseSchemaPointer(doc: OpenApiDocument, { operationId, status, mediaType }: Source): string {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if ((op as Json).operationId !== operationId) continue;
      const response = ((op as Json).responses as Json)[status] as Json | undefined;
      if (!response) throw new Error(`${operationId} declares no ${status}`);
      const base =
        typeof response.$ref === 'string'
          ? response.$ref.slice(1)
          : `/paths/${escape(path)}/${method}/responses/${status}`;
      return `${base}/content/${escape(mediaType)}/schema`;
    }
  }
  throw new Error(`no operation ${operationId}`);
}

function validatorFor(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'ords.json');
  return (pointer: string, value: unknown) => {
    const validate = ajv.compile({ $ref: `ords.json#${pointer}` });
    return validate(value) ? [] : (validate.errors ?? []);
  };
}

describe('ORDS answers as evidence (test/fixtures/ords-captures)', () => {
  const validate = validatorFor(ords);

  it('holds the three real answers ords-realities §7 quotes, and the two documentation examples, each labelled', () => {
    const byKind = (kind: Source['kind']) => fixtures.filter((f) => f.source.kind === kind).map((f) => f.file);
    expect(byKind('capture')).toEqual([
      'real-401-unauthorized.json',
      'real-404-not-found.json',
      'real-oauth-token.json',
    ]);
    expect(byKind('documentation-example')).toEqual(['doc-201-create-job-seed.json', 'doc-201-export-21c.json']);
    for (const { source } of fixtures) {
      expect(source.source.length).toBeGreaterThan(20);
      expect(source.quotedIn).toMatch(/ords-realities\.md|ords-datapump-facts\.md/);
    }
  });

  it('lists every file, with its kind, in the README table', () => {
    const readme = readFileSync(`${DIR}README.md`, 'utf8');
    for (const { file, source } of fixtures) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${file}\``));
      expect(row, file).toBeDefined();
      expect(row).toContain(source.kind === 'capture' ? '| capture |' : '| documentation example |');
      expect(row).toContain(`\`${source.operationId}\` ${source.status}`);
    }
  });

  it.each(fixtures.map((f) => [`${f.file} (${f.source.operationId} ${f.source.status})`, f] as const))(
    '%s is valid under ords.yaml',
    (_name, { body, source }) => {
      expect(validate(responseSchemaPointer(ords, source), body)).toEqual([]);
    },
  );

  it('would notice an answer that breaks its schema', () => {
    const notFound = fixtures.find((f) => f.file === 'real-404-not-found.json')!;
    const { code: _code, ...withoutCode } = notFound.body as Json;
    expect(validate(responseSchemaPointer(ords, notFound.source), withoutCode)).not.toEqual([]);
    const token = fixtures.find((f) => f.file === 'real-oauth-token.json')!;
    expect(
      validate(responseSchemaPointer(ords, token.source), { ...(token.body as Json), expires_in: '3600' }),
    ).not.toEqual([]);
  });

  it('is read by the gateway: the jobs as jobs (trimmed, names kept), the errors as ORDS errors', () => {
    const contract = createOrdsContract({ ords, public: loadContract('public') });
    for (const { body, source } of fixtures) {
      if (source.operationId.startsWith('ordsCreate')) {
        const job = contract.job(body);
        expect(job.ok, JSON.stringify(job)).toBe(true);
        if (job.ok)
          expect(job.value).toMatchObject({ owner_name: 'PDBADMIN', operation: 'EXPORT', state: 'EXECUTING' });
      } else if (source.status !== '200') {
        expect(contract.isError(body)).toBe(true);
      }
    }
  });
});
