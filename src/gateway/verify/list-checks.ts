/** @module Check 4, the job list: a valid page (`job-list`), and rows the gateway can represent, one by one (`job-rows`). */
import type { OrdsContract } from '../upstream/ords-contract.js';
import { describeAnswer, evidenceOf, isRefused } from './answer.js';
import { type CheckResult, notChecked, result } from './check-result.js';
import { readPage } from './list-page.js';
import { type Observations, whyNotRead } from './observe.js';

/** PASS on a 200 page that fits ords.yaml's list schema; FAIL otherwise: the gateway answers 502 to such a list. */
export function checkJobList(obs: Observations, contract: OrdsContract): CheckResult {
  const NAME = 'job-list';
  const answer = obs.list?.limit1;
  // Refused credentials are the credentials check's FAIL, not the list's.
  if (!answer || isRefused(answer)) return notChecked(NAME, whyNotRead(obs));
  const read = readPage(answer, contract);
  if (!read.ok) return result(NAME, 'FAIL', `${describeAnswer(answer)}: ${read.why}`, [evidenceOf(answer, read.why)]);
  const { page } = read;
  const seen = `a valid page: ${page.items.length} item(s), hasMore ${String(page.hasMore)}, limit ${String(page.limit)}, offset ${String(page.offset)}`;
  return result(NAME, 'PASS', `${describeAnswer(answer)}: ${seen}`, [evidenceOf(answer, seen)]);
}

/**
 * Every row of a wider page (`limit=100`) checked as the gateway checks each: PASS when it can represent them all;
 * WARN naming the rows it would skip (it logs and counts them, and the list still answers).
 */
export function checkJobRows(obs: Observations, contract: OrdsContract): CheckResult {
  const NAME = 'job-rows';
  const answer = obs.list?.sample;
  if (!answer) return notChecked(NAME, whyNotRead(obs));
  const read = readPage(answer, contract);
  if (!read.ok) return result(NAME, 'FAIL', `${describeAnswer(answer)}: ${read.why}`, [evidenceOf(answer, read.why)]);
  const { page } = read;
  if (page.items.length === 0) {
    return result(NAME, 'WARN', `cannot tell: no jobs (${describeAnswer(answer)})`, [evidenceOf(answer, 'no rows')]);
  }
  const padded = page.items.filter((row) => {
    const { operation, job_mode: mode } = (typeof row === 'object' && row !== null ? row : {}) as Record<
      string,
      unknown
    >;
    return [operation, mode].some((value) => typeof value === 'string' && /\s$/.test(value));
  }).length;
  const note = padded > 0 ? ` (${padded} with space-padded values, which the gateway trims)` : '';
  if (page.skipped.length === 0) {
    const seen = `all ${page.items.length} row(s) readable${note}`;
    return result(NAME, 'PASS', `${describeAnswer(answer)}: ${seen}`, [evidenceOf(answer, seen)]);
  }
  // The pattern itself (a long regular expression) says nothing to an operator: the rule's place does.
  const each = page.skipped.map(
    (s) =>
      `row ${s.index}: ${s.errors.join('; ').replace(/ must match pattern ".*?"(?= \(|;|$)/g, ' must match pattern')}`,
  );
  return result(
    NAME,
    'WARN',
    `${describeAnswer(answer)}: the gateway would skip ${page.skipped.length} of ${page.items.length} row(s)${note}: ${each.join(' | ')}`,
    [
      evidenceOf(answer, `${page.skipped.length} of ${page.items.length} row(s) skipped`),
      ...each.map((seen) => evidenceOf(answer, seen)),
    ],
  );
}
