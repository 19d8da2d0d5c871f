/** @module Check 1, credentials: ORDS accepts the gateway's own Basic user or OAuth2 client (named, never its secret). */
import { type Answer, describeAnswer, evidenceOf, isRefused } from './answer.js';
import { type CheckResult, type Evidence, result } from './check-result.js';
import type { Observations } from './observe.js';

const NAME = 'credentials';

/** `Basic pdbadmin` or `OAuth2 client gateway`: who was refused is what the operator must fix. */
function credentialName(auth: Observations['auth']): string {
  return auth.kind === 'basic' ? `Basic ${auth.username}` : `OAuth2 client ${auth.clientId}`;
}

/**
 * PASS when a Data Pump read (the metadata catalogue, else the job list) answered 2xx with the credential; FAIL
 * when no token came or such a read was refused (401/403, named); WARN when no read could tell (no answer, another
 * status: the read's own check carries that FAIL).
 */
export function checkCredentials(obs: Pick<Observations, 'auth' | 'catalog' | 'list'>): CheckResult {
  const who = credentialName(obs.auth);
  const evidence: Evidence[] = [];
  if (obs.auth.kind === 'oauth2') {
    const { token } = obs.auth;
    evidence.push(evidenceOf(token, obs.auth.ok ? 'token fetched' : 'no token'));
    if (!obs.auth.ok) {
      const why =
        token.status === 401 || token.status === 400
          ? 'ORDS refused the client id or secret'
          : token.status === undefined
            ? 'ORDS did not answer the token request'
            : 'ORDS answered the token request without a token';
      // No token, no Data Pump call: whatever the cause, the gateway could not work with this database.
      return result(NAME, 'FAIL', `${who}: ${describeAnswer(token)}: ${why}`, evidence);
    }
  }
  const reads = [obs.catalog, obs.list?.limit1].filter((a): a is Answer => a !== undefined);
  for (const read of reads)
    evidence.push(evidenceOf(read, read.status === undefined ? 'no answer' : String(read.status)));
  const tokenNote = obs.auth.kind === 'oauth2' ? `token fetched (${describeAnswer(obs.auth.token)}); ` : '';
  const refused = reads.find(isRefused);
  if (refused) {
    const why =
      refused.status === 401
        ? obs.auth.kind === 'basic'
          ? 'ORDS refused the user name or password'
          : 'ORDS refused the token'
        : 'authenticated, but not allowed (the SQL Administrator or SQL Developer role?)';
    return result(NAME, 'FAIL', `${who}: ${tokenNote}${describeAnswer(refused)}: ${why}`, evidence);
  }
  const accepted = reads.find((a) => a.status !== undefined && a.status >= 200 && a.status < 300);
  if (accepted) return result(NAME, 'PASS', `${who}: ${tokenNote}${describeAnswer(accepted)}`, evidence);
  const last = reads.at(-1);
  return result(
    NAME,
    'WARN',
    `${who}: cannot tell: ${last ? describeAnswer(last) : 'nothing was read'} (no read succeeded or was refused)`,
    evidence,
  );
}
