/** @module Check 8, time-zone: gathers the job names, log dates and server clock the inference (time-zone.ts) judges. */
import type { OrdsContract } from '../upstream/ords-contract.js';
import type { Answer } from './answer.js';
import { type CheckResult, type Evidence, notChecked, result } from './check-result.js';
import { logDates, wallText } from './log-dates.js';
import { type Observations, validRows, whyNotRead } from './observe.js';
import { inferTimeZone, type ZoneEvidence } from './time-zone.js';

const NAME = 'time-zone';

/** What the inference is given: the freshest `Date` header, every job seen (the job's own GET last: its state is newest), the log's dates. */
function zoneEvidence(obs: Observations, contract: OrdsContract): { evidence: ZoneEvidence; seen: Evidence[] } {
  const seen: Evidence[] = [];
  const dated = [obs.log?.answer, obs.job?.answer, obs.list?.sample, obs.list?.limit1, obs.catalog].find(
    (a): a is Answer => a?.headers.date !== undefined,
  );
  const parsed = dated ? Date.parse(dated.headers.date!) : NaN;
  const serverNow = Number.isNaN(parsed) ? undefined : parsed;
  if (dated) seen.push({ request: dated.request, status: dated.status ?? null, seen: `Date: ${dated.headers.date}` });

  const jobs = new Map<string, { name: string; state: string | undefined }>();
  for (const row of [...validRows(obs.list?.sample, contract), ...validRows(obs.list?.limit1, contract)]) {
    jobs.set(`${row.owner_name},${row.job_name}`, { name: row.job_name, state: row.state });
  }
  const own = obs.job?.answer.status === 200 ? parseJob(obs.job.answer, contract) : undefined;
  if (own) jobs.set(`${own.owner_name},${own.job_name}`, { name: own.job_name, state: own.state });

  let log: ZoneEvidence['log'];
  if (obs.job && obs.log?.answer.status === 200) {
    const dates = logDates(obs.log.answer.text);
    log = { job: obs.job.row.job_name, ...dates };
    const text = (label: string, wall: number | undefined) =>
      wall === undefined ? [] : [`${label} ${wallText(wall)}`];
    const found = [...text('started', dates.started), ...text('ended', dates.ended)];
    seen.push({
      request: obs.log.answer.request,
      status: 200,
      seen: `log: ${found.join(', ') || 'no date in its head'}`,
    });
  }
  return { evidence: { serverNow, jobs: [...jobs.values()], ...(log ? { log } : {}) }, seen };
}

function parseJob(answer: Answer, contract: OrdsContract) {
  try {
    const checked = contract.job(JSON.parse(answer.text));
    return checked.ok ? checked.value : undefined;
  } catch {
    return undefined;
  }
}

/** WARN on a mismatch or when nothing can be inferred, PASS when a running job's name fits the configured zone. */
export function checkTimeZone(obs: Observations, contract: OrdsContract, timeZone: string): CheckResult {
  if (!obs.list?.sample) return notChecked(NAME, whyNotRead(obs));
  const { evidence, seen } = zoneEvidence(obs, contract);
  const verdict = inferTimeZone(evidence, timeZone);
  return result(NAME, verdict.status, verdict.summary, seen);
}
