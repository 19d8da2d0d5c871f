/**
 * @module OpenTelemetry traces, built once from the frozen settings (settings.ts) and injected where spans are made.
 *
 * No global is registered (no `provider.register()`, no global context manager or propagator): several gateways
 * in one process (the tests) each keep their own provider, and the context travels explicitly — the request
 * context holds the server span's context (`requestContext(req).trace`), and every span below it is started
 * from the context it is handed. Off, `createTracing` starts no SDK: `span` only calls its function, and no
 * header is added to any ORDS call.
 */
import {
  type Attributes,
  type Context,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';

import { serverSpans } from './server-spans.js';
import type { SamplerName, TracingSettings } from './settings.js';

/** Where a span is started from: the context holding its parent (the request's server span), never a global. */
export type TraceContext = Context;

/** The W3C headers that continue a trace at the callee (empty when nothing is traced). */
export interface TraceHeaders {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export interface SpanOptions {
  readonly name: string;
  /** `internal` (default): work inside the gateway; `client`: a call to another service (ORDS). */
  readonly kind?: 'internal' | 'client';
  readonly attributes?: Attributes;
}

/** What the function a span wraps may do with it. */
export interface SpanHandle {
  readonly headers: TraceHeaders;
  /** Adds attributes (only values the README's "never recorded" list allows). */
  set(attributes: Attributes): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** The server span of each request (first in the pipeline, after the request id): server-spans.ts. */
  readonly requests: RequestHandler;
  /**
   * Runs `fn` in a child span of `parent` and ends it when `fn` returns or its promise settles; a failure marks the
   * span as an error with `error.type` (the problem slug or the error's class), never its message. Without a
   * parent (background work, or tracing off) no span is made and `fn` just runs.
   */
  span<T>(parent: TraceContext | undefined, options: SpanOptions, fn: (span: SpanHandle) => T): T;
  /** Exports every ended span now (tests). */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops the exporter (the gateway's close). */
  shutdown(): Promise<void>;
}

export interface CreateTracingOptions {
  readonly settings: TracingSettings;
  /** Replaces the OTLP exporter the settings name (tests: an in-memory one). */
  readonly exporter?: SpanExporter;
}

const NOT_TRACED: SpanHandle = Object.freeze({ headers: Object.freeze({}), set: () => {} });

const passThrough: RequestHandler = (_req, _res, next) => next();

const OFF: Tracing = Object.freeze({
  enabled: false,
  requests: passThrough,
  span: <T>(_parent: TraceContext | undefined, _options: SpanOptions, fn: (span: SpanHandle) => T): T => fn(NOT_TRACED),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});

export function createTracing({ settings, exporter }: CreateTracingOptions): Tracing {
  if (!settings.enabled) return OFF;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: samplerOf(settings.sampler, settings.ratio),
    spanProcessors: [
      new BatchSpanProcessor(
        exporter ??
          (settings.protocol === 'http/json'
            ? new JsonExporter({ url: settings.url })
            : new ProtobufExporter({ url: settings.url })),
      ),
    ],
  });
  const tracer = provider.getTracer('datapump-gateway');
  const propagator = new W3CTraceContextPropagator();

  return {
    enabled: true,
    requests: serverSpans({ tracer, propagator }),
    span(parent, options, fn) {
      if (!parent) return fn(NOT_TRACED);
      return inSpan(tracer, propagator, parent, options, fn);
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** The trace id of the span `context` holds, for the access log; undefined when nothing is traced. */
export function traceIdOf(context: TraceContext | undefined): string | undefined {
  return context ? trace.getSpanContext(context)?.traceId : undefined;
}

function inSpan<T>(
  tracer: Tracer,
  propagator: W3CTraceContextPropagator,
  parent: TraceContext,
  { name, kind = 'internal', attributes }: SpanOptions,
  fn: (span: SpanHandle) => T,
): T {
  const span = tracer.startSpan(
    name,
    { kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, ...(attributes ? { attributes } : {}) },
    parent,
  );
  const headers: Record<string, string> = {};
  if (kind === 'client') propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  const handle: SpanHandle = { headers, set: (more) => span.setAttributes(more) };
  let result: T;
  try {
    result = fn(handle);
  } catch (err) {
    failed(span, err);
    span.end();
    throw err;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        failed(span, err);
        span.end();
        throw err;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** Marks a span failed with the kind of failure only: an error's message may quote what the client sent. */
function failed(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.setAttribute(ATTR_ERROR_TYPE, errorType(err));
}

function errorType(err: unknown): string {
  const slug = (err as { slug?: unknown } | null)?.slug;
  if (typeof slug === 'string') return slug;
  return err instanceof Error ? err.constructor.name : '_OTHER';
}

function samplerOf(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
