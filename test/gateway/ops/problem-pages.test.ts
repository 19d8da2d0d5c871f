// /problems/{slug}: public pages (no credential) with an example and a fix for every problem type; anything else
// under /problems/ is a 404, with or without a credential, and opens no other path.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadContract } from '../../../src/contract/documents.js';
import { exampleProblem } from '../../../src/gateway/ops/problem-pages.js';
import { PROBLEMS, type ProblemSlug } from '../../../src/gateway/problems/catalogue.js';
import { PROBLEM_GUIDES } from '../../../src/gateway/problems/guides.js';
import { testGateway } from '../../helpers/gateway-app.js';

const contract = loadContract('public');
const SLUGS = (
  contract.components.schemas as Record<string, { oneOf: Array<{ title: string }> }>
).ProblemType!.oneOf.map((e) => e.title);
const gw = testGateway();
afterAll(() => gw.close());

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(contract, 'contract');
const validateProblem = ajv.compile({ $ref: 'contract#/components/schemas/Problem' });
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

describe('problem guides', () => {
  it('cover every problem type of the contract, and no other', () => {
    expect(SLUGS.length).toBeGreaterThanOrEqual(27);
    expect(Object.keys(PROBLEM_GUIDES).sort()).toEqual([...SLUGS].sort());
  });

  it.each(SLUGS)('%s: an example that validates against the Problem schema, and a fix', (slug) => {
    const guide = PROBLEM_GUIDES[slug as ProblemSlug];
    expect(guide.fix.length, slug).toBeGreaterThan(30);
    expect(guide.example.detail, slug).toMatch(/\S/);
    const body = exampleProblem(slug as ProblemSlug);
    expect(body).toMatchObject({
      type: `https://datapump-gateway.dev/problems/${slug}`,
      ...PROBLEMS[slug as ProblemSlug],
    });
    expect(validateProblem(body), JSON.stringify(validateProblem.errors)).toBe(true);
  });
});

describe('GET /problems/{slug}', () => {
  it.each(SLUGS)('%s: the meaning, the example and the fix, rendered, without a credential', async (slug) => {
    const res = await request(gw.app).get(`/problems/${slug}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<h2>Example</h2>');
    expect(res.text).toContain('<h2>How to fix it</h2>');
    // The example body, as JSON, escaped into the page.
    expect(res.text).toContain(escapeHtml(JSON.stringify(exampleProblem(slug as ProblemSlug), null, 2)));
    // Markdown is rendered: `code` spans became <code>, no backtick is left in the prose.
    const prose = res.text.replace(/<pre>[\s\S]*?<\/pre>/g, '');
    expect(prose).toContain('<code>');
    expect(prose).not.toContain('`');
    // Nothing helmet's CSP would refuse: no script, inline or not.
    expect(res.text).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('lists every type at /problems/', async () => {
    const res = await request(gw.app).get('/problems/');
    expect(res.status).toBe(200);
    for (const slug of SLUGS) expect(res.text).toContain(`<a href="${slug}">`);
  });
});

const CREDENTIALS: Array<[string, Record<string, string>]> = [
  ['no credential', {}],
  ['a valid API key', { 'x-api-key': 'hr-demo-key' }],
  ['an unknown API key', { 'x-api-key': 'nope' }],
];
const UNKNOWN = [
  '/problems/nope',
  '/problems/NOT-FOUND',
  '/problems/not-found/extra',
  '/problems/%2e%2e',
  '/problems/..%2f..%2fdatabases',
  '/problems/%00',
  '/problems/__proto__',
  '/problems/constructor',
];

describe('an unknown slug is 404 (problem+json), whoever asks', () => {
  it.each(CREDENTIALS.flatMap(([who, headers]) => UNKNOWN.map((path) => ({ who, headers, path }))))(
    '$path with $who',
    async ({ headers, path }) => {
      const res = await request(gw.app).get(path).set(headers);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: 'https://datapump-gateway.dev/problems/not-found', status: 404 });
    },
  );
});

describe('the public pages open no other path', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer(gw.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The path exactly as written: supertest (WHATWG URL) would resolve dot segments before sending. */
  const raw = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject).end();
    });

  // Paths that dot segments or encoded slashes would turn into a governed path if anything resolved them.
  const SNEAKY = [
    '/problems/../databases/orcl/datapump/jobs/',
    '/problems/%2e%2e/databases/orcl/datapump/jobs/',
    '/problems/..%2fdatabases%2forcl%2fdatapump%2fjobs%2f',
    '/problems/x/../../databases/orcl/datapump/jobs/',
    '/problems//databases/orcl/datapump/jobs/',
    '/problems/%2F..%2Fdatabases/orcl/datapump/jobs/',
  ];

  it.each(CREDENTIALS.flatMap(([who, headers]) => SNEAKY.map((path) => ({ who, headers, path }))))(
    '$path with $who is the 404 of /problems/, never the job list',
    async ({ path, headers }) => {
      const res = await raw(path, headers);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toMatchObject({ type: 'https://datapump-gateway.dev/problems/not-found' });
    },
  );

  it('the governed API still needs a credential', async () => {
    expect((await raw('/databases/orcl/datapump/jobs/')).status).toBe(401);
    expect((await raw('/databases/orcl/datapump/jobs/', { 'x-api-key': 'hr-demo-key' })).status).toBe(200);
  });
});
