// The fault model (what can go wrong, on which route, how often) and the schema that checks fault lists.

/** The route a fault applies to; `*` is every ORDS route. */
export type FaultRoute = 'create' | 'list' | 'job' | 'file' | 'metadata' | 'token' | '*';

export type FaultKind =
  | 'latency' // answer normally, `ms` later
  | 'status' // answer `status` (default 503) with ORDS's error body
  | 'reset' // destroy the socket before answering
  | 'hang' // never answer
  | 'malformed' // the normal status (200/201) with a broken JSON body
  | 'redirect' // 302 to `location`
  | 'reset-mid-body' // headers and the first `bytes` of the body, then destroy the socket
  | 'create-then-hang' // create the job, then never answer
  | 'create-then-reset'; // create the job, then destroy the socket

export interface Fault {
  route?: FaultRoute;
  kind: FaultKind;
  /** How many requests the fault applies to; unlimited when absent. */
  count?: number;
  /** The share (0..1) of matching requests it applies to, drawn from the seeded PRNG; 1 when absent. */
  fraction?: number;
  /** Delay for `latency`. */
  ms?: number;
  /** Status for `status` (400-599; 503 when absent). */
  status?: number;
  /** Target for `redirect`. */
  location?: string;
  /** Bytes of the body sent before a `reset-mid-body` (half a JSON body, or 64 KiB of a file, when absent). */
  bytes?: number;
}

export const FAULT_ROUTES: readonly FaultRoute[] = ['create', 'list', 'job', 'file', 'metadata', 'token', '*'];
export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'status',
  'reset',
  'hang',
  'malformed',
  'redirect',
  'reset-mid-body',
  'create-then-hang',
  'create-then-reset',
];

/** Where a redirect goes unless told otherwise: `.invalid` never resolves, so a client that follows it fails loudly. */
export const DEFAULT_REDIRECT_LOCATION = 'http://redirected.invalid/ords/';

/** JSON Schema (2020-12) for one fault; shared by the PUT endpoint, the config file and the factory. */
export const faultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    route: { enum: FAULT_ROUTES },
    kind: { enum: FAULT_KINDS },
    count: { type: 'integer', minimum: 0 },
    fraction: { type: 'number', minimum: 0, maximum: 1 },
    ms: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    location: { type: 'string', minLength: 1, maxLength: 2048 },
    bytes: { type: 'integer', minimum: 0 },
  },
  allOf: [
    // A latency fault without a delay would silently do nothing.
    { if: { properties: { kind: { const: 'latency' } } }, then: { required: ['ms'] } },
    // Only a create can "create then fail"; anywhere else the fault could never fire.
    {
      if: { properties: { kind: { enum: ['create-then-hang', 'create-then-reset'] } } },
      then: { properties: { route: { enum: ['create', '*'] } } },
    },
  ],
} as const;

export const faultListSchema = { type: 'array', maxItems: 100, items: faultSchema } as const;
