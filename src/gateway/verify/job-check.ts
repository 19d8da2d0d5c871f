/** @module Check 5, job: one job of the list answers its own GET, valid against ords.yaml and representable by the gateway. */
import type { OrdsContract } from '../upstream/ords-contract.js';
import { describeAnswer, evidenceOf, jsonBody } from './answer.js';
import { type CheckResult, notChecked, result } from './check-result.js';
import { type Observations, whyNotRead } from './observe.js';

const NAME = 'job';

/**
 * PASS on 200 with the job asked for, valid; WARN when no job exists to read, or it vanished between the list and
 * its GET (404: Data Pump drops a job that succeeded); FAIL on anything else (the gateway answers 502 to it).
 */
export function checkJob(obs: Observations, contract: OrdsContract): CheckResult {
  if (!obs.job) {
    if (obs.list?.sample?.status === 200)
      return result(NAME, 'WARN', 'cannot tell: the job list shows no job the gateway can read');
    return notChecked(NAME, whyNotRead(obs));
  }
  const { row, answer } = obs.job;
  const at = describeAnswer(answer);
  if (answer.status === 404) {
    return result(NAME, 'WARN', `${at}: the job vanished between the list and its GET`, [evidenceOf(answer, 'gone')]);
  }
  if (answer.status !== 200) return result(NAME, 'FAIL', at, [evidenceOf(answer, 'not 200')]);
  const body = jsonBody(answer);
  const checked = body.ok ? contract.job(body.value) : { ok: false as const, errors: [body.why] };
  if (!checked.ok) {
    const why = `breaks ords.yaml's job schema: ${checked.errors.join('; ')}`;
    return result(NAME, 'FAIL', `${at}: ${why}`, [evidenceOf(answer, why)]);
  }
  const job = checked.value;
  if (job.owner_name !== row.owner_name || job.job_name !== row.job_name) {
    return result(NAME, 'FAIL', `${at}: answered with another job than the one asked for`, [
      evidenceOf(answer, 'another job'),
    ]);
  }
  const seen = `valid: ${job.operation} ${job.job_mode}, state ${job.state}, ${job.links?.length ?? 0} link(s)`;
  return result(NAME, 'PASS', `${at}: ${seen}`, [evidenceOf(answer, seen)]);
}
