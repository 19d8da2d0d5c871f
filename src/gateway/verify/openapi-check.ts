/** @module Check 3, openapi: the instance's own `metadata-catalog/openapi.json`, when served, diffed against ords.yaml. */
import type { OpenApiDocument } from '../../contract/documents.js';
import { describeAnswer, evidenceOf, jsonBody } from './answer.js';
import { type CheckResult, notChecked, result } from './check-result.js';
import { type Observations, whyNotRead } from './observe.js';
import { diffOpenApi } from './openapi-diff.js';

// Differences are WARNs only: ords.yaml is itself a reading of Oracle's documentation.

const NAME = 'openapi';
/** The summary line names this many differences; the evidence lists them all. */
const SHOWN = 3;

/** PASS when the documents agree; WARN for differences, for a document not served (404) or not readable. */
export function checkOpenApi(obs: Observations, ours: OpenApiDocument): CheckResult {
  const answer = obs.openapi;
  if (!answer) return notChecked(NAME, whyNotRead(obs));
  if (answer.status === 404) {
    return result(NAME, 'WARN', `not served: ${describeAnswer(answer)}`, [evidenceOf(answer, 'not served')]);
  }
  if (answer.status !== 200) {
    return result(NAME, 'WARN', `not read: ${describeAnswer(answer)}`, [evidenceOf(answer, 'not 200')]);
  }
  const body = jsonBody(answer);
  const diff = body.ok ? diffOpenApi(ours, body.value) : { ok: false as const, why: body.why };
  if (!diff.ok) {
    return result(NAME, 'WARN', `${describeAnswer(answer)}: ${diff.why}`, [evidenceOf(answer, diff.why)]);
  }
  if (diff.differences.length === 0) {
    const seen = `matches ords.yaml: ${diff.operations} Data Pump operation(s)`;
    return result(NAME, 'PASS', `${describeAnswer(answer)}: ${seen}`, [evidenceOf(answer, seen)]);
  }
  const shown = diff.differences.slice(0, SHOWN).map((d) => `${d.where}: ${d.detail}`);
  const more = diff.differences.length > SHOWN ? `; and ${diff.differences.length - SHOWN} more (--json)` : '';
  return result(NAME, 'WARN', `${diff.differences.length} difference(s) from ords.yaml: ${shown.join('; ')}${more}`, [
    evidenceOf(answer, `${diff.operations} Data Pump operation(s)`),
    ...diff.differences.map((d) => ({
      request: answer.request,
      status: answer.status ?? null,
      seen: `${d.where}: ${d.detail}`,
    })),
  ]);
}
