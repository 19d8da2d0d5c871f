// The OTEL_* variables as the gateway reads them: off unless an endpoint is set, refused when they ask for what is
// not installed (gRPC, another exporter, an unknown sampler), and the ORDS route template of the client spans.
import { describe, expect, it } from 'vitest';

import { ordsRouteTemplate } from '../../../src/gateway/tracing/ords-spans.js';
import { tracingSettings, TracingSettingsError } from '../../../src/gateway/tracing/settings.js';

const ON = {
  enabled: true,
  url: 'http://collector:4318/v1/traces',
  protocol: 'http/protobuf',
  serviceName: 'datapump-gateway',
  sampler: 'parentbased_always_on',
  ratio: 1,
};

describe('tracing settings from OTEL_* variables', () => {
  it.each([
    ['nothing set', {}, { enabled: false }],
    [
      'only a protocol and a service name',
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_SERVICE_NAME: 'x' },
      { enabled: false },
    ],
    ['an empty endpoint (empty is unset)', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }, { enabled: false }],
    ['the general endpoint: /v1/traces appended', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, ON],
    ['the general endpoint with a trailing slash', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, ON],
    [
      'the traces endpoint: used as given, and it wins',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/custom/path',
      },
      { ...ON, url: 'https://collector.example/custom/path' },
    ],
    [
      'OTEL_TRACES_EXPORTER=otlp without an endpoint: the default one',
      { OTEL_TRACES_EXPORTER: 'otlp' },
      { ...ON, url: 'http://localhost:4318/v1/traces' },
    ],
    [
      'OTEL_TRACES_EXPORTER=none wins over an endpoint',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      { enabled: false },
    ],
    [
      'OTEL_SDK_DISABLED=true wins over everything',
      { OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'otlp' },
      { enabled: false },
    ],
    [
      'http/json, a service name, a ratio sampler',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'gw-eu-1',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      },
      { ...ON, protocol: 'http/json', serviceName: 'gw-eu-1', sampler: 'parentbased_traceidratio', ratio: 0.25 },
    ],
    [
      'the traces protocol wins over the general one',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      },
      { ...ON, protocol: 'http/json' },
    ],
  ])('%s', (_name, env, expected) => {
    const settings = tracingSettings(env);
    expect(settings).toEqual(expected);
    expect(Object.isFrozen(settings)).toBe(true);
  });

  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  it.each([
    [
      'gRPC',
      { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      /OTEL_EXPORTER_OTLP_PROTOCOL=grpc .*no gRPC exporter is installed/,
    ],
    [
      'gRPC for traces',
      { ...endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' },
      /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc/,
    ],
    ['an unknown protocol', { ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }, /http\/xml is not a protocol/],
    [
      'another exporter',
      { ...endpoint, OTEL_TRACES_EXPORTER: 'otlp,zipkin' },
      /OTEL_TRACES_EXPORTER=zipkin is not available/,
    ],
    ['the console exporter', { OTEL_TRACES_EXPORTER: 'console' }, /console is not available/],
    ['a remote sampler', { ...endpoint, OTEL_TRACES_SAMPLER: 'jaeger_remote' }, /jaeger_remote is not available/],
    [
      'a ratio above 1',
      { ...endpoint, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' },
      /from 0 to 1/,
    ],
    [
      'a ratio that is not a number',
      { ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' },
      /from 0 to 1/,
    ],
    [
      'an endpoint that is not a URL',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      /must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      'an endpoint of another scheme',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://collector/v1/traces' },
      /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be/,
    ],
  ])('refuses %s at start-up, naming the variable', (_name, env, message) => {
    expect(() => tracingSettings(env)).toThrow(TracingSettingsError);
    expect(() => tracingSettings(env)).toThrow(message);
  });
});

describe('the ORDS route template of a client span', () => {
  const api = '/ords/orcl/pdbadmin/_/db-api/stable/';
  it.each([
    [`${api}database/datapump/jobs/`, `${api}database/datapump/jobs/`],
    [`${api}database/datapump/jobs/HR,EXP%20JOB/`, `${api}database/datapump/jobs/{owner_name},{job_name}/`],
    [
      `${api}database/datapump/jobs/HR,EXP_1/EXPDAT.LOG`,
      `${api}database/datapump/jobs/{owner_name},{job_name}/{filename}`,
    ],
    [`${api}database/datapump/export`, `${api}database/datapump/export`],
    [`${api}metadata-catalog/`, `${api}metadata-catalog/`],
  ])('%s → %s', (path, template) => {
    expect(ordsRouteTemplate(path)).toBe(template);
  });
});
