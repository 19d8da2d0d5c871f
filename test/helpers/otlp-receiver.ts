// A local OTLP/HTTP traces endpoint (a real node http server on a free port) for tracing tests: it keeps every
// export request as received and decodes both encodings the gateway can send — OTLP/JSON and OTLP/protobuf
// (a small reader of the protobuf wire format, for the fields of trace.proto the tests look at).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type AttributeValue = string | number | boolean;

/** One span as the tests see it, whichever encoding carried it. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client (trace.proto's SpanKind). */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Readonly<Record<string, AttributeValue>>;
}

export interface ReceivedExport {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly spans: readonly ReceivedSpan[];
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT` (the gateway appends `/v1/traces` to OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly url: string;
  readonly exports: ReceivedExport[];
  spans(): ReceivedSpan[];
  /** Resolves once the spans received satisfy `done`; rejects after `timeoutMs` (default 10000). */
  waitFor(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  clear(): void;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const listeners = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const contentType = String(req.headers['content-type'] ?? '');
      const spans = contentType.includes('json') ? fromJson(body) : fromProtobuf(body);
      exports.push({ path: req.url ?? '', contentType, body, spans });
      // An empty ExportTraceServiceResponse: success.
      if (contentType.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      for (const listener of listeners) listener();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const all = () => exports.flatMap((e) => e.spans);
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    spans: all,
    waitFor(done, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done(all())) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(all());
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `spans not received within ${timeoutMs} ms: ${all()
                .map((s) => s.name)
                .join(', ')}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    clear() {
      exports.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// --- OTLP/JSON -----------------------------------------------------------------------------------------------

interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
  }
  return out;
}

function fromJson(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans?: Array<{
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
    }>;
  };
  return (request.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: String(s.traceId),
        spanId: String(s.spanId),
        parentSpanId: String(s.parentSpanId ?? ''),
        traceState: String(s.traceState ?? ''),
        name: String(s.name),
        kind: Number(s.kind),
        attributes: jsonAttributes(s.attributes as JsonKeyValue[]),
        statusCode: Number((s.status as { code?: number } | undefined)?.code ?? 0),
        resource: jsonAttributes(rs.resource?.attributes),
      })),
    ),
  );
}

// --- OTLP/protobuf: the wire format (varint, 64-bit, length-delimited, 32-bit), and the fields of trace.proto ----

type Field = { no: number; wire: number; varint?: bigint; bytes?: Buffer; fixed?: Buffer };

function varint(buf: Buffer, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[at++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = varint(buf, at);
    at = next;
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [value, after] = varint(buf, at);
      out.push({ no, wire, varint: value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = varint(buf, at);
      out.push({ no, wire, bytes: buf.subarray(after, after + Number(length)) });
      at = after + Number(length);
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ no, wire, fixed: buf.subarray(at, at + size) });
      at += size;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const all = (buf: Buffer, no: number) => fields(buf).filter((f) => f.no === no);
const one = (buf: Buffer, no: number) => all(buf, no)[0];

function anyValue(buf: Buffer): AttributeValue | undefined {
  const f = fields(buf)[0];
  if (!f) return undefined;
  if (f.no === 1) return f.bytes!.toString('utf8'); // string_value
  if (f.no === 2) return f.varint !== 0n; // bool_value
  if (f.no === 3) return Number(BigInt.asIntN(64, f.varint!)); // int_value
  if (f.no === 4) return f.fixed!.readDoubleLE(0); // double_value
  return undefined;
}

function pbAttributes(kvs: Field[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of kvs) {
    const key = one(kv.bytes!, 1)?.bytes?.toString('utf8');
    const value = one(kv.bytes!, 2)?.bytes;
    const decoded = value ? anyValue(value) : undefined;
    if (key !== undefined && decoded !== undefined) out[key] = decoded;
  }
  return out;
}

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans: resource = 1, scope_spans = 2; Resource:
  // attributes = 1; ScopeSpans: spans = 2; Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5,
  // kind 6, attributes 9, status 15 (Status.code = 3).
  return all(body, 1).flatMap((rs) => {
    const resourceBytes = one(rs.bytes!, 1)?.bytes;
    const resource = resourceBytes ? pbAttributes(all(resourceBytes, 1)) : {};
    return all(rs.bytes!, 2).flatMap((ss) =>
      all(ss.bytes!, 2).map(({ bytes: span }) => {
        const text = (no: number) => one(span!, no)?.bytes?.toString('utf8') ?? '';
        const hex = (no: number) => one(span!, no)?.bytes?.toString('hex') ?? '';
        const status = one(span!, 15)?.bytes;
        return {
          traceId: hex(1),
          spanId: hex(2),
          parentSpanId: hex(4),
          traceState: text(3),
          name: text(5),
          kind: Number(one(span!, 6)?.varint ?? 0n),
          attributes: pbAttributes(all(span!, 9)),
          statusCode: status ? Number(one(status, 3)?.varint ?? 0n) : 0,
          resource,
        };
      }),
    );
  });
}
