/** @module The gateway's 401 answers: one realm, the challenges RFC 9110 §11.6.1 and RFC 6750 §3 ask for. */
import { GatewayError } from '../problems/gateway-error.js';

export const REALM = 'datapump-gateway';

/** Every way the API accepts a credential, offered on a 401 that is not about a particular token. */
const CHALLENGE = `Bearer realm="${REALM}", Basic realm="${REALM}", charset="UTF-8"`;

/** No credential, or one the gateway does not accept. */
export function unauthenticated(detail: string): GatewayError {
  return new GatewayError('unauthenticated', { detail, headers: { 'WWW-Authenticate': CHALLENGE } });
}

/** A 401 whose challenge says why, as RFC 6750 §3.1 puts it: error="invalid_token". */
export function invalidToken(detail: string, logContext: Readonly<Record<string, unknown>> = {}): GatewayError {
  // The description is a quoted-string: no quotes or backslashes in it.
  const description = detail.replace(/["\\]/g, '');
  return new GatewayError('unauthenticated', {
    detail,
    headers: {
      'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
    },
    logContext,
  });
}
