/** @module Check 2, metadata-catalog: ORDS's db-api answers its catalogue (the liveness probe Oracle's own tooling uses). */
import { describeAnswer, evidenceOf, isRefused, jsonBody } from './answer.js';
import { type CheckResult, notChecked, result } from './check-result.js';
import { type Observations, whyNotRead } from './observe.js';

const NAME = 'metadata-catalog';

/** PASS on 200 with a JSON object; FAIL otherwise (no answer, another status, not JSON): the URL or ORDS is wrong. */
export function checkCatalog(obs: Observations): CheckResult {
  const answer = obs.catalog;
  // Refused credentials are the credentials check's FAIL, not the catalogue's.
  if (!answer || isRefused(answer)) return notChecked(NAME, whyNotRead(obs));
  if (answer.status !== 200) {
    const hint =
      answer.status === 404 ? ' (is the database API enabled, and the URL …/ords/{database}/{schema}/?)' : '';
    return result(NAME, 'FAIL', `${describeAnswer(answer)}${hint}`, [evidenceOf(answer, 'not 200')]);
  }
  const body = jsonBody(answer);
  if (!body.ok || typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
    const seen = body.ok ? 'JSON, but not an object' : body.why;
    return result(NAME, 'FAIL', `${describeAnswer(answer)}: ${seen}`, [evidenceOf(answer, seen)]);
  }
  const items = (body.value as { items?: unknown }).items;
  const seen = Array.isArray(items) ? `a JSON catalogue of ${items.length} item(s)` : 'a JSON object';
  return result(NAME, 'PASS', `${describeAnswer(answer)}: ${seen}`, [evidenceOf(answer, seen)]);
}
