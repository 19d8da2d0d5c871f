// JSON Schema of the emulator's plain-data options: one definition for the factory, the config file and the CLI.
import { faultListSchema } from './fault-spec.js';

const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
const credentials = {
  type: 'object',
  minProperties: 0,
  propertyNames: { minLength: 1, maxLength: 128, pattern: '^[^:]+$' },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 1024 },
} as const;

export const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    publicUrl: { anyOf: [{ type: 'string', pattern: '^https?://[^/]+$' }, { type: 'null' }] },
    database: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]{0,63}$' },
    schema: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_$#-]{0,127}$' },
    users: credentials,
    clients: credentials,
    tokenTtlSeconds: { type: 'integer', minimum: 1 },
    jobDurationMs: nonNegativeInt,
    lifecycle: { enum: ['dropped', 'kept', 'completed'] },
    completedVisibleMs: nonNegativeInt,
    retainFinishedMs: { anyOf: [nonNegativeInt, { type: 'null' }] },
    failWhenFileNameContains: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }] },
    completeWithErrorsWhenFileNameContains: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }] },
    vanishedFiles: { enum: ['gone', 'served'] },
    dbTimeZone: { type: 'string', minLength: 1 },
    logBytes: { anyOf: [nonNegativeInt, { type: 'null' }] },
    dumpBytes: nonNegativeInt,
    dumpMediaType: { enum: ['application/octet-stream', 'application/vnd.tcpdump.pcap'] },
    ordsVersion: { type: 'string', pattern: '^[0-9]{1,9}(\\.[0-9]{1,9}){1,4}$' },
    serveAnyFile: { type: 'boolean' },
    validate: { anyOf: [{ enum: ['documented', 'strict', 'off'] }, { type: 'boolean' }] },
    defaultLimit: nonNegativeInt,
    maxLimit: { type: 'integer', minimum: 1 },
    ignorePaging: { type: 'array', uniqueItems: true, items: { enum: ['limit', 'offset'] } },
    bodyLimitBytes: { type: 'integer', minimum: 1 },
    faults: faultListSchema,
    faultSeed: { type: 'integer' },
    recordRequests: nonNegativeInt,
    tls: {
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          properties: {
            cert: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' },
            key: { type: 'string', pattern: '-----BEGIN [A-Z ]*PRIVATE KEY-----' },
            ca: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' },
          },
        },
        { type: 'null' },
      ],
    },
  },
} as const;

/** The config file adds the clock choice, which the factory takes as an object instead. */
export const configFileSchema = {
  ...optionsSchema,
  properties: {
    ...optionsSchema.properties,
    clock: { enum: ['real', 'manual'] },
    clockStart: { type: 'string', format: 'date-time' },
    // Files (`--tls-cert`, `--tls-key`, `--tls-ca`), read into `tls` when the emulator starts.
    tlsCertFile: { type: 'string', minLength: 1 },
    tlsKeyFile: { type: 'string', minLength: 1 },
    tlsCaFile: { type: 'string', minLength: 1 },
  },
  dependentRequired: { tlsCertFile: ['tlsKeyFile'], tlsKeyFile: ['tlsCertFile'], tlsCaFile: ['tlsCertFile'] },
} as const;
