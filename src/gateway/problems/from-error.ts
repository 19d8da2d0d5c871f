/** @module Classifies anything thrown in the pipeline as a GatewayError (validator, body parser, our own, unknown). */
import type { ProblemFault } from './catalogue.js';
import { GatewayError, MAX_LISTED_FAULTS } from './gateway-error.js';

interface ValidatorItem {
  path?: string;
  message?: string;
  errorCode?: string;
}
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  errors?: ValidatorItem[];
  headers?: Record<string, string>;
  message?: string;
}

/** Turns one express-openapi-validator error item into an RFC 9457 `errors` entry. */
export function toFault(item: ValidatorItem): ProblemFault | undefined {
  // `if` items only say "must match the then schema": the branch's own items already say what is wrong.
  if (item.errorCode?.startsWith('if.')) return undefined;
  const path = item.path ?? '';
  const detail = friendlyMessage(item);
  const match = /^\/(body|query|params|headers)(\/.*)?$/.exec(path);
  if (!match) return { detail };
  const [, where, rest = ''] = match;
  if (where === 'body') return { pointer: rest, detail };
  return { parameter: decodePointerSegment(rest.slice(1).split('/')[0] ?? ''), detail };
}

function friendlyMessage(item: ValidatorItem): string {
  const message = item.message ?? 'is not valid';
  if (item.errorCode?.startsWith('additionalProperties')) return 'is not a property the contract accepts here';
  return message;
}

function decodePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The one place that decides which problem an error is. */
export function classify(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = (err ?? {}) as HttpLikeError;
  const status = e.status ?? e.statusCode;
  // body-parser (express.json) errors carry a `type`.
  switch (e.type) {
    case 'entity.too.large':
      return new GatewayError('payload-too-large', {
        detail: 'The body is larger than the gateway accepts.',
        cause: err,
      });
    case 'entity.parse.failed':
      return new GatewayError('malformed-json', { detail: 'The body is not a JSON object.', cause: err });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new GatewayError('unsupported-media-type', { detail: 'The body must be UTF-8 JSON.', cause: err });
    default:
      break;
  }
  if (status === 400 && Array.isArray(e.errors)) {
    const faults = e.errors.map(toFault).filter((f): f is ProblemFault => f !== undefined);
    return requestInvalid(faults.length > 0 ? faults : [{ detail: e.message ?? 'is not valid' }], err);
  }
  if (status === 404) return new GatewayError('not-found', { detail: 'No such path on this gateway.', cause: err });
  if (status === 405) {
    // One stable order (the validator lists methods in its route order): `GET, HEAD, POST`.
    const allow = (e.headers?.Allow ?? e.headers?.allow ?? '')
      .toUpperCase()
      .split(',')
      .map((method) => method.trim())
      .filter((method) => method !== '')
      .sort()
      .join(', ');
    return new GatewayError('method-not-allowed', {
      detail: allow ? `This path accepts ${allow}.` : 'This path does not accept this method.',
      headers: allow ? { Allow: allow } : {},
      cause: err,
    });
  }
  if (status === 415)
    return new GatewayError('unsupported-media-type', { detail: 'The body must be application/json.', cause: err });
  if (status === 413)
    return new GatewayError('payload-too-large', {
      detail: 'The body is larger than the gateway accepts.',
      cause: err,
    });
  return new GatewayError('internal-error', {
    detail: 'The gateway failed unexpectedly; quote the request_id to the operators.',
    logContext: { unexpected: true },
    cause: err,
  });
}

/** `request-invalid` with every fault (the answer lists the first MAX_LISTED_FAULTS and counts the rest). */
export function requestInvalid(faults: readonly ProblemFault[], cause?: unknown): GatewayError {
  const n = faults.length;
  const detail =
    n === 1
      ? 'The request has 1 fault; it is listed in errors.'
      : n <= MAX_LISTED_FAULTS
        ? `The request has ${n} faults; each is listed in errors.`
        : `The request has ${n} faults; the first ${MAX_LISTED_FAULTS} are listed in errors, errors_omitted counts the rest.`;
  return new GatewayError('request-invalid', { detail, errors: faults, cause });
}

/** An error Node's HTTP server reports on a connection (`clientError`) before any request object exists. */
export interface ClientErrorLike {
  readonly code?: string;
  readonly message?: string;
}

/**
 * Which problem answers an error of Node's own HTTP parser; `undefined` for those no problem answers (a
 * request timeout, which the contract has no type for, and a connection the client already broke).
 */
export function classifyClientError(err: ClientErrorLike): GatewayError | undefined {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError('headers-too-large', {
        detail: 'The request line and headers together are larger than the gateway accepts.',
        logContext: { code: err.code },
        cause: err,
      });
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new GatewayError('payload-too-large', {
        detail: 'The chunk extensions of the body are larger than the gateway accepts.',
        logContext: { code: err.code },
        cause: err,
      });
    default:
      // Every other parser error (a malformed request line or header, a bad chunk, conflicting lengths).
      return new GatewayError('request-invalid', {
        detail: 'The request is not well-formed HTTP/1.1 (its request line, a header or the framing of its body).',
        logContext: { code: err.code },
        cause: err,
      });
  }
}
