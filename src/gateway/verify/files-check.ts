/** @module Check 6, a job's files: its log's first bytes are text/plain (`log`); its dump links' declared types (`dump-files`). */
import type { OrdsContract } from '../upstream/ords-contract.js';
import { describeAnswer, evidenceOf, jsonBody, mediaTypeOf } from './answer.js';
import { type CheckResult, notChecked, result } from './check-result.js';
import { jobFiles } from './job-files.js';
import { type Observations, whyNotRead } from './observe.js';

// No dump file is ever read: a dump link's declared media type is all that is judged.

/** Oracle's file page gives dumps `application/vnd.tcpdump.pcap`; others write `application/octet-stream`. */
const DUMP_TYPES = new Set(['application/octet-stream', 'application/vnd.tcpdump.pcap']);

/** The job's files from its own answer, when that answer was a valid job. */
function filesOf(obs: Observations, contract: OrdsContract): ReturnType<typeof jobFiles> | undefined {
  const answer = obs.job?.answer;
  if (answer?.status !== 200) return undefined;
  const body = jsonBody(answer);
  const job = body.ok ? contract.job(body.value) : undefined;
  return job?.ok ? jobFiles(job.value) : undefined;
}

/**
 * PASS when the log's first bytes come as `text/plain`; WARN when they come as another type (the gateway then goes
 * by the `.LOG` name), when the job links no log, or when the log is gone (404); FAIL on any other answer.
 */
export function checkLog(obs: Observations, contract: OrdsContract): CheckResult {
  const NAME = 'log';
  const files = filesOf(obs, contract);
  if (!files) return notChecked(NAME, obs.job ? 'the job did not answer as a valid job' : whyNotRead(obs));
  if (!obs.log || !files.log) {
    return result(
      NAME,
      'WARN',
      `cannot tell: the job links no log (no text/plain or .log link among ${files.dumps.length} file link(s))`,
    );
  }
  const { answer, filename } = obs.log;
  const declared = files.log.declaredType ? `declared ${files.log.declaredType}` : 'no type declared';
  const at = describeAnswer(answer);
  if (answer.status === 404)
    return result(NAME, 'WARN', `${at}: not served (the job's log is gone)`, [evidenceOf(answer, 'gone')]);
  if (answer.status !== 200) return result(NAME, 'FAIL', at, [evidenceOf(answer, 'not 200')]);
  const type = mediaTypeOf(answer) ?? '(none)';
  const bytes = Buffer.byteLength(answer.text);
  const seen = `${filename} (${declared}): served as ${answer.headers['content-type'] ?? '(no Content-Type)'}, first ${bytes} byte(s) read${answer.truncated ? ', the rest not downloaded' : ', the whole log'}`;
  if (type !== 'text/plain') {
    return result(NAME, 'WARN', `${at}: ${seen}: not text/plain (the gateway goes by the .LOG name)`, [
      evidenceOf(answer, seen),
    ]);
  }
  return result(NAME, 'PASS', `${at}: ${seen}`, [evidenceOf(answer, seen)]);
}

/**
 * The job's other file links, by the media type each declares: PASS when none declares one outside
 * `application/octet-stream` and `application/vnd.tcpdump.pcap` (undeclared: the gateway goes by the name); WARN
 * for another type, or when the job lists no dump file. The files themselves are never downloaded.
 */
export function checkDumpFiles(obs: Observations, contract: OrdsContract): CheckResult {
  const NAME = 'dump-files';
  const files = filesOf(obs, contract);
  if (!files) return notChecked(NAME, obs.job ? 'the job did not answer as a valid job' : whyNotRead(obs));
  const request = obs.job!.answer.request;
  if (files.dumps.length === 0) {
    return result(
      NAME,
      'WARN',
      `cannot tell: ${request} lists no dump file (still running, failed, an import, or an object-storage export)`,
    );
  }
  const each = files.dumps.map((f) => `${f.filename}: ${f.declaredType ?? 'no type declared'}`);
  const odd = files.dumps.filter((f) => f.declaredType !== undefined && !DUMP_TYPES.has(f.declaredType));
  const evidence = each.map((seen) => ({ request, status: obs.job!.answer.status ?? null, seen }));
  const status = odd.length > 0 ? 'WARN' : 'PASS';
  const note =
    odd.length > 0 ? ' (expected application/octet-stream or application/vnd.tcpdump.pcap)' : ' (not downloaded)';
  return result(NAME, status, `${files.dumps.length} dump link(s): ${each.join(', ')}${note}`, evidence);
}
