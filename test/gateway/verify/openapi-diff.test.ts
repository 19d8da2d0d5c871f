// diffOpenApi, table-driven: which differences between our upstream contract and an instance's openapi.json it reports.
import { describe, expect, it } from 'vitest';

import { loadContract } from '../../../src/contract/documents.js';
import { diffOpenApi } from '../../../src/gateway/verify/openapi-diff.js';

const ours = loadContract('ords');
const PREFIX = '/ords/{database}/{schema}/_/db-api/{version}';

/** Ours as an instance would serve it: paths at the db-api root (its `servers` hold the rest). */
function asInstance(edit: (doc: any) => void = () => {}): any {
  const doc = structuredClone(ours) as any;
  doc.paths = Object.fromEntries(Object.entries(doc.paths).map(([path, item]) => [path.replace(PREFIX, ''), item]));
  edit(doc);
  return doc;
}

/** A minimal instance document: one export call with the body given. */
const exportOnly = (body: object) => ({
  openapi: '3.0.0',
  paths: {
    '/database/datapump/export': {
      post: { requestBody: { content: { 'application/json': { schema: body } } }, responses: {} },
    },
  },
});

const cases: Array<{ name: string; theirs: unknown; expected: Array<[string, RegExp]> }> = [
  { name: 'ours, as served at the db-api root', theirs: asInstance(), expected: [] },
  { name: 'ours, with the full path prefix', theirs: structuredClone(ours), expected: [] },
  {
    name: 'POST jobs/ missing (as 23.3+ index pages list it)',
    theirs: asInstance((d) => delete d.paths['/database/datapump/jobs/'].post),
    expected: [['POST /database/datapump/jobs/', /in ours, not in the instance's document/]],
  },
  {
    name: 'a DELETE ours does not have',
    theirs: asInstance((d) => (d.paths['/database/datapump/jobs/{owner_name},{job_name}/'].delete = { responses: {} })),
    expected: [['DELETE /database/datapump/jobs/{owner_name},{job_name}/', /in the instance's document, not in ours/]],
  },
  {
    name: 'other parameter names are the same path',
    theirs: asInstance((d) => {
      const paths = d.paths;
      paths['/database/datapump/jobs/{owner},{name}/'] = paths['/database/datapump/jobs/{owner_name},{job_name}/'];
      delete paths['/database/datapump/jobs/{owner_name},{job_name}/'];
    }),
    expected: [['GET /database/datapump/jobs/{owner_name},{job_name}/', /writes the path .*\{owner\},\{name\}\//]],
  },
  {
    name: 'no trailing slash on the job list',
    theirs: asInstance((d) => {
      d.paths['/database/datapump/jobs'] = d.paths['/database/datapump/jobs/'];
      delete d.paths['/database/datapump/jobs/'];
    }),
    expected: [
      ['POST /database/datapump/jobs/', /writes the path \/database\/datapump\/jobs$/],
      ['GET /database/datapump/jobs/', /writes the path \/database\/datapump\/jobs$/],
    ],
  },
  {
    name: 'an enum value more (TRANSPORTABLE) in a shared schema',
    theirs: asInstance((d) => d.components.schemas.JobMode.enum.push('TRANSPORTABLE')),
    expected: [
      [
        'POST /database/datapump/jobs/',
        /field job_mode: enum \[FULL, SCHEMA, TABLE, TABLESPACE\] in ours, \[FULL, SCHEMA, TABLE, TABLESPACE, TRANSPORTABLE\]/,
      ],
      ['POST /database/datapump/export', /field job_mode: enum/],
      ['POST /database/datapump/import', /field job_mode: enum/],
    ],
  },
  {
    name: 'EXPORT only (ORDS 19.x POST jobs/)',
    theirs: asInstance((d) => {
      d.paths['/database/datapump/jobs/'].post.requestBody = {
        content: {
          'application/json': {
            schema: {
              ...d.components.schemas.OrdsJobRequest,
              properties: {
                ...d.components.schemas.OrdsJobRequest.properties,
                operation: { type: 'string', enum: ['EXPORT'] },
              },
            },
          },
        },
      };
    }),
    expected: [
      [
        'POST /database/datapump/jobs/',
        /field operation: enum \[EXPORT, IMPORT\] in ours, \[EXPORT\] in the instance's/,
      ],
    ],
  },
  {
    name: 'keep_master on POST jobs/ (ours: unconfirmed, not listed)',
    theirs: asInstance(
      (d) => (d.components.schemas.OrdsJobRequest.properties.keep_master = { type: 'integer', enum: [0, 1] }),
    ),
    expected: [['POST /database/datapump/jobs/', /field keep_master: in the instance's document, not in ours/]],
  },
  {
    name: 'a nested field less, and an enum where ours has none',
    theirs: asInstance((d) => {
      d.components.schemas.OrdsRemapSchema.properties = { source: { type: 'string' } };
      d.components.schemas.OrdsDatapumpDir = { type: 'string', enum: ['DATA_PUMP_DIR'] };
    }),
    expected: [
      ...['jobs/', 'export', 'import'].map((call): [string, RegExp] => [
        `POST /database/datapump/${call}`,
        /field datapump_dir: enum \(any value\) in ours, \[DATA_PUMP_DIR\]/,
      ]),
      ['POST /database/datapump/jobs/', /field remap_schemas\[\]\.target: in ours, not in/],
      ['POST /database/datapump/import', /field remap_schemas\[\]\.target: in ours, not in/],
    ],
  },
  {
    name: 'required members differ (export needs file_name)',
    theirs: asInstance((d) => (d.components.schemas.ExportRpcRequest.required = ['file_name'])),
    expected: [['POST /database/datapump/export', /required: \(none\) in ours, \[file_name\] in the instance's/]],
  },
];

describe('diffOpenApi', () => {
  it.each(cases)('$name', ({ theirs, expected }) => {
    const diff = diffOpenApi(ours, theirs);
    expect(diff.ok).toBe(true);
    if (!diff.ok) return;
    // Exactly these: a difference more would be a WARN the operator reads for nothing.
    expect(diff.differences).toHaveLength(expected.length);
    for (const [where, detail] of expected) {
      expect(diff.differences).toContainEqual({ where, detail: expect.stringMatching(detail) });
    }
  });

  it('reads a small hand-written document, $refs and allOf included', () => {
    const theirs = {
      ...exportOnly({
        allOf: [{ $ref: '#/components/schemas/Base' }, { properties: { threads: { type: 'integer' } } }],
      }),
      components: {
        schemas: {
          Base: { properties: { job_mode: { $ref: '#/components/schemas/Mode' } } },
          Mode: { enum: ['FULL'] },
        },
      },
    };
    const diff = diffOpenApi(ours, theirs);
    if (!diff.ok) throw new Error(diff.why);
    expect(diff.operations).toBe(1);
    const details = diff.differences.filter((d) => d.where === 'POST /database/datapump/export').map((d) => d.detail);
    expect(details).toContain(
      "field job_mode: enum [FULL, SCHEMA, TABLE, TABLESPACE] in ours, [FULL] in the instance's",
    );
    expect(details).toContain("field file_name: in ours, not in the instance's document");
    expect(details.some((d) => d.startsWith('field threads'))).toBe(false);
  });

  it('ends on a cycle of $refs', () => {
    const theirs = {
      ...exportOnly({ $ref: '#/components/schemas/A' }),
      components: { schemas: { A: { properties: { a: { $ref: '#/components/schemas/A' } } } } },
    };
    const diff = diffOpenApi(ours, theirs);
    expect(diff.ok).toBe(true);
  });

  it.each([
    ['not an object', 'openapi'],
    ['no paths', { openapi: '3.0.0' }],
  ])('refuses what is not an OpenAPI document: %s', (_name, theirs) => {
    expect(diffOpenApi(ours, theirs)).toEqual({ ok: false, why: 'not an OpenAPI document (no paths)' });
  });

  it('says so when the document has no Data Pump operation', () => {
    expect(diffOpenApi(ours, { paths: { '/database/pdbs/': { get: {} } } })).toEqual({
      ok: false,
      why: 'the document describes no operation under /database/datapump/',
    });
  });
});
