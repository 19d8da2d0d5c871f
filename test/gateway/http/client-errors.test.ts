// Requests Node's own HTTP parser refuses (oversized request line or headers, a malformed header line) leave
// as application/problem+json, on the main listener and on the metrics listener, over raw sockets.
import { createServer, type Server } from 'node:http';
import { Duplex } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { answerClientErrors } from '../../../src/gateway/http/client-errors.js';
import { createLogger, type RunningGateway, startGateway } from '../../../src/gateway/server.js';
import { testConfig } from '../../helpers/gateway-config.js';
import { exchange, firstAnswer, type RawAnswer } from './raw-http.js';

const PROBLEMS = 'https://datapump-gateway.dev/problems/';

function expectProblem(answer: RawAnswer, status: number, slug: string): void {
  expect(answer.status, answer.raw.slice(0, 300)).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers.connection).toBe('close');
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  // Exactly one answer, nothing after its body.
  expect(answer.raw.length).toBe(answer.raw.indexOf('\r\n\r\n') + 4 + answer.body.length);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `${PROBLEMS}${slug}`, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  // No request was read, so there is no request id to give.
  expect(body.request_id).toBeUndefined();
  expect(answer.headers['x-request-id']).toBeUndefined();
}

const LIST = '/databases/orcl/datapump/jobs/';
const KIB20 = 20 * 1024;

describe("Node's own parser errors leave as problem+json", () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway({
      config: testConfig({ metrics: { token: null, listen: { host: '127.0.0.1', port: 0 }, tenantLabel: false } }),
      logger: createLogger('silent'),
      shutdownGraceMs: 500,
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const listeners = () => [
    ['main listener', gateway.url],
    ['metrics listener', gateway.metricsUrl!.replace(/\/metrics$/, '')],
  ];

  it('answers a 20 KiB URL with 431 headers-too-large, on both listeners', async () => {
    for (const [, url] of listeners()) {
      const answer = await exchange(url!, `GET ${LIST}?x=${'a'.repeat(KIB20)} HTTP/1.1\r\nHost: gateway\r\n\r\n`);
      expectProblem(answer, 431, 'headers-too-large');
    }
  });

  it('answers a 20 KiB header with 431 headers-too-large, on both listeners', async () => {
    for (const [, url] of listeners()) {
      const answer = await exchange(
        url!,
        `GET ${LIST} HTTP/1.1\r\nHost: gateway\r\nX-API-Key: hr-demo-key\r\nX-Padding: ${'p'.repeat(KIB20)}\r\n\r\n`,
      );
      expectProblem(answer, 431, 'headers-too-large');
    }
  });

  it.each([
    ['a header line without a colon', `GET ${LIST} HTTP/1.1\r\nHost: gateway\r\nnot a header line\r\n\r\n`],
    ['a control character in a header name', `GET ${LIST} HTTP/1.1\r\nHost: gateway\r\nX-B\u0001d: 1\r\n\r\n`],
    ['a malformed request line', `GET ${LIST} HTTP/9.Z\r\nHost: gateway\r\n\r\n`],
    [
      'both Content-Length and a chunked Transfer-Encoding',
      `POST ${LIST} HTTP/1.1\r\nHost: gateway\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
  ])('answers %s with 400 request-invalid, on both listeners', async (_what, text) => {
    for (const [, url] of listeners()) {
      expectProblem(await exchange(url!, text), 400, 'request-invalid');
    }
  });

  it('lets a pipelined answer already under way finish first, then answers the broken request after it', async () => {
    const answer = await exchange(
      gateway.url,
      `GET /problems/not-found HTTP/1.1\r\nHost: gateway\r\n\r\nGET ${LIST} HTTP/1.1\r\nHost: gateway\r\nbroken\r\n\r\n`,
    );
    // The first answer is whole and first; the problem follows it, whole.
    expect(answer.status).toBe(200);
    const firstEnd = answer.raw.indexOf('\r\n\r\n') + 4 + Number(answer.headers['content-length']);
    const second = answer.raw.slice(firstEnd);
    const problem = firstAnswer(second);
    expectProblem({ ...problem, raw: second }, 400, 'request-invalid');
  });

  it('still serves ordinary requests on the same listeners', async () => {
    const answer = await exchange(gateway.url, 'GET /healthz HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(200);
    const metrics = await fetch(gateway.metricsUrl!);
    expect(metrics.status).toBe(200);
    // Each refusal was counted as a rejection, by reason.
    expect(await metrics.text()).toMatch(/datapump_gateway_rejections_total\{reason="headers-too-large"\} [1-9]/);
  });
});

describe('answerClientErrors on a bare server: never corrupts an answer, never writes to a dead socket', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((server) => server.close()));

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    server.on('clientError', answerClientErrors());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  const pipelined = `GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n`;

  it.each([
    ['not begun yet', false],
    ['already begun', true],
  ])('waits for an in-flight answer %s to finish, then sends the problem after it', async (_what, begun) => {
    const url = await serve((_req, res) => {
      if (begun) res.writeHead(200, { 'Content-Length': '5' });
      setTimeout(() => res.end('hello'), 100);
    });
    const answer = await exchange(url, pipelined);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('hello');
    const second = answer.raw.slice(answer.raw.indexOf('hello') + 5);
    expectProblem({ ...firstAnswer(second), raw: second }, 400, 'request-invalid');
  });

  function fakeSocket() {
    const written: Buffer[] = [];
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk);
        callback();
      },
    });
    return { socket, written };
  }

  it.each(['ECONNRESET', 'EPIPE'])('only destroys the socket on %s', (code) => {
    const { socket, written } = fakeSocket();
    answerClientErrors()(Object.assign(new Error(code), { code }), socket);
    expect(socket.destroyed).toBe(true);
    expect(written).toEqual([]);
  });

  it('writes nothing to a socket already destroyed', () => {
    const { socket, written } = fakeSocket();
    socket.destroy();
    answerClientErrors()(Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW' }), socket);
    expect(written).toEqual([]);
  });

  it('answers a parser error once, however often Node reports it', () => {
    const { socket, written } = fakeSocket();
    const handler = answerClientErrors();
    const err = Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW' });
    handler(err, socket);
    handler(err, socket);
    expect(written).toHaveLength(1);
    expect(written[0]!.toString('latin1')).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    socket.destroy();
  });
});
