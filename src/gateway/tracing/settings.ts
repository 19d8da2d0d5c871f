/**
 * @module The tracing settings, read once from the standard `OTEL_*` variables and frozen. Tracing is on only when
 * an OTLP endpoint is set (or `OTEL_TRACES_EXPORTER=otlp`); a value the gateway cannot honour is a start-up error,
 * not a silent default (the SDK would log an error and carry on with another sampler or exporter).
 */
import { deepFreeze } from '../../lib/deep-freeze.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The samplers of the OpenTelemetry specification that need no remote configuration. */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export type TracingSettings =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      /** Where spans are POSTed: the traces endpoint itself (`…/v1/traces`). */
      readonly url: string;
      readonly protocol: OtlpProtocol;
      readonly serviceName: string;
      readonly sampler: SamplerName;
      /** The ratio of the `traceidratio` samplers, in [0, 1]. */
      readonly ratio: number;
    };

export const TRACING_OFF: TracingSettings = deepFreeze({ enabled: false });

/** An `OTEL_*` value the gateway refuses: named, with what would be accepted. */
export class TracingSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracingSettingsError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_URL = 'http://localhost:4318/v1/traces';
const DEFAULT_SERVICE = 'datapump-gateway';

/** Unset and empty are the same (the specification says an empty value is treated as unset). */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function tracingSettings(env: Env): TracingSettings {
  if (read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return TRACING_OFF;
  const exporters = read(env, 'OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((name) => name.trim().toLowerCase());
  const unknown = exporters?.filter((name) => name !== 'otlp' && name !== 'none') ?? [];
  if (unknown.length > 0) {
    throw new TracingSettingsError(
      `OTEL_TRACES_EXPORTER=${unknown.join(',')} is not available: the gateway exports traces over OTLP/HTTP only (otlp, or none).`,
    );
  }
  if (exporters?.includes('none')) return TRACING_OFF;
  const tracesEndpoint = read(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  // Off unless asked for: no endpoint and no explicit exporter means no SDK at all.
  if (tracesEndpoint === undefined && endpoint === undefined && !exporters?.includes('otlp')) return TRACING_OFF;

  // The signal's own endpoint is used as given; the general one gets the signal's path appended (the specification).
  const url = tracesEndpoint ?? (endpoint === undefined ? DEFAULT_URL : `${endpoint.replace(/\/+$/, '')}/v1/traces`);
  const source = tracesEndpoint ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  if (!isHttpUrl(url)) throw new TracingSettingsError(`${source} must be an http:// or https:// URL, not "${url}".`);

  const protocolSource = read(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = read(env, protocolSource) ?? 'http/protobuf';
  if (protocol === 'grpc') {
    throw new TracingSettingsError(
      `${protocolSource}=grpc is not supported: no gRPC exporter is installed. Use http/protobuf (the default, port 4318) or http/json.`,
    );
  }
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new TracingSettingsError(`${protocolSource}=${protocol} is not a protocol: use http/protobuf or http/json.`);
  }

  const sampler = (read(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(sampler)) {
    throw new TracingSettingsError(
      `OTEL_TRACES_SAMPLER=${sampler} is not available: use one of ${SAMPLERS.join(', ')}.`,
    );
  }
  const arg = read(env, 'OTEL_TRACES_SAMPLER_ARG');
  const ratio = arg === undefined ? 1 : Number(arg);
  if (sampler.endsWith('traceidratio') && !(Number.isFinite(ratio) && ratio >= 0 && ratio <= 1)) {
    throw new TracingSettingsError(`OTEL_TRACES_SAMPLER_ARG=${arg} must be a number from 0 to 1 (the ratio sampled).`);
  }

  return deepFreeze({
    enabled: true,
    url,
    protocol,
    serviceName: read(env, 'OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE,
    sampler: sampler as SamplerName,
    ratio,
  });
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
