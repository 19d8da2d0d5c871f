// POST oauth/token: the OAuth2 client credentials grant, client authenticated by HTTP Basic.
import { parseBasic } from '../auth.js';
import type { EmulatorState, RequestContext } from '../context.js';
import { jsonReply, type Reply } from '../reply.js';

// RFC 6749 §5.1: token answers must not be cached.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function issueToken(state: EmulatorState, ctx: RequestContext): Reply {
  const credentials = parseBasic(ctx.req.headers.authorization);
  if (!state.auth.isClient(credentials)) {
    return jsonReply(401, { error: 'invalid_client' }, { ...NO_STORE, 'WWW-Authenticate': 'Basic realm="oauth"' });
  }
  const form = ctx.body.value;
  const grant = typeof form === 'object' && form !== null ? (form as Record<string, unknown>).grant_type : undefined;
  if (grant === undefined)
    return jsonReply(400, { error: 'invalid_request', error_description: 'grant_type is required' }, NO_STORE);
  if (grant !== 'client_credentials') return jsonReply(400, { error: 'unsupported_grant_type' }, NO_STORE);
  const issued = state.tokens.issue(credentials.username);
  return jsonReply(200, { access_token: issued.token, token_type: 'bearer', expires_in: issued.expiresIn }, NO_STORE);
}
