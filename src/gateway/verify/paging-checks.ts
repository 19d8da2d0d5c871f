/** @module Check 4, the list's paging: `limit` honoured, `offset` honoured, `next` links leading on through the list. */
import type { OrdsContract } from '../upstream/ords-contract.js';
import { parseOrdsJobUrl } from '../upstream/ords-paths.js';
import { describeAnswer, evidenceOf } from './answer.js';
import { type CheckResult, type Evidence, notChecked, result } from './check-result.js';
import { readPage } from './list-page.js';
import { rowKey } from './list-page.js';
import { type Observations, whyNotRead } from './observe.js';

// `limit` is documented for the list, `offset` is not; the gateway's all-jobs view follows `next` links.

/** How many jobs the list shows, as far as the reads tell: the wider page's rows (or more, when it had more). */
function jobsSeen(obs: Observations, contract: OrdsContract): { count: number; more: boolean } | undefined {
  const read = readPage(obs.list?.sample, contract);
  return read.ok ? { count: read.page.items.length, more: read.page.hasMore === true } : undefined;
}

/**
 * PASS when `limit=1` gave at most one item (and the list holds more, or the answer says its limit is 1); WARN
 * when it gave more (the gateway still copes: it reads by `next` links and stops on a repeated page), or when the
 * list is too short to tell.
 */
export function checkLimit(obs: Observations, contract: OrdsContract): CheckResult {
  const NAME = 'list-limit';
  const answer = obs.list?.limit1;
  const read = readPage(answer, contract);
  if (!answer || !read.ok) return notChecked(NAME, answer ? 'the job list is not a valid page' : whyNotRead(obs));
  const n = read.page.items.length;
  const total = jobsSeen(obs, contract);
  const evidence = [evidenceOf(answer, `${n} item(s), limit ${String(read.page.limit)}`)];
  const at = describeAnswer(answer);
  if (n > 1) return result(NAME, 'WARN', `ignored: ${at} gave ${n} items`, evidence);
  if (n === 1 && (read.page.hasMore === true || (total && (total.count > 1 || total.more)))) {
    return result(NAME, 'PASS', `honoured: ${at} gave 1 item of several`, evidence);
  }
  if (read.page.limit === 1) return result(NAME, 'PASS', `honoured: ${at} says limit 1 (${n} item(s))`, evidence);
  if (n === 0 && total && total.count > 0) {
    return result(NAME, 'WARN', `${at} gave no item, though the list shows ${total.count}`, evidence);
  }
  return result(NAME, 'WARN', `cannot tell: ${at} gave ${n} item(s) and the list holds no more`, evidence);
}

/**
 * Compares the first item of `offset=1&limit=1` with the second of `limit=2`: PASS when they are the same job; WARN
 * when ORDS ignores or refuses `offset` (the gateway never computes one), or when fewer than 2 jobs exist.
 */
export function checkOffset(obs: Observations, contract: OrdsContract): CheckResult {
  const NAME = 'list-offset';
  const two = obs.list?.limit2;
  const shifted = obs.list?.offset1;
  if (!two || !shifted) return notChecked(NAME, whyNotRead(obs));
  const evidence: Evidence[] = [];
  const a = readPage(two, contract);
  evidence.push(evidenceOf(two, a.ok ? `${a.page.items.length} item(s)` : a.why));
  const b = readPage(shifted, contract);
  evidence.push(evidenceOf(shifted, b.ok ? `${b.page.items.length} item(s)` : b.why));
  if (!a.ok) return result(NAME, 'WARN', `cannot tell: ${describeAnswer(two)}: ${a.why}`, evidence);
  if (a.page.items.length < 2) {
    return result(
      NAME,
      'WARN',
      `cannot tell: fewer than 2 jobs (${describeAnswer(two)} gave ${a.page.items.length})`,
      evidence,
    );
  }
  if (!b.ok) return result(NAME, 'WARN', `not honoured: ${describeAnswer(shifted)}: ${b.why}`, evidence);
  const [first, second] = [rowKey(a.page.items[0]), rowKey(a.page.items[1])];
  const got = rowKey(b.page.items[0]);
  if (got !== undefined && got === second) {
    return result(NAME, 'PASS', `honoured: ${describeAnswer(shifted)} gave the second job of limit=2`, evidence);
  }
  if (got !== undefined && got === first) {
    return result(NAME, 'WARN', `ignored: ${describeAnswer(shifted)} gave the first job again`, evidence);
  }
  return result(
    NAME,
    'WARN',
    `cannot tell: ${describeAnswer(shifted)} gave ${got === undefined ? 'no job' : 'neither the first nor the second job of limit=2'} (did the list change between the reads?)`,
    evidence,
  );
}

/**
 * The first page's `next` link: PASS when it leads to the job list and its page goes on (another first job), or
 * when no next page is needed; WARN when a needed one is missing or leads elsewhere (the gateway's all-jobs view
 * then stops at its first page) or repeats the page; FAIL when the page it leads to fails (that view answers 502).
 */
export function checkNext(obs: Observations, contract: OrdsContract): CheckResult {
  const NAME = 'list-next';
  const answer = obs.list?.limit1;
  const read = readPage(answer, contract);
  if (!answer || !read.ok) return notChecked(NAME, answer ? 'the job list is not a valid page' : whyNotRead(obs));
  const next = obs.list?.next;
  const at = describeAnswer(answer);
  const evidence = [evidenceOf(answer, `hasMore ${String(read.page.hasMore)}, next ${next ? 'given' : 'absent'}`)];
  if (!next) {
    const total = jobsSeen(obs, contract);
    const needed =
      read.page.hasMore === true || (total !== undefined && (total.count > read.page.items.length || total.more));
    if (!needed) return result(NAME, 'PASS', `none needed: ${at} holds the whole list`, evidence);
    const why =
      read.page.hasMore === true
        ? 'hasMore is true but no next link is given'
        : 'more jobs exist but no next link is given';
    return result(NAME, 'WARN', `${at}: ${why}: the gateway's all-jobs view reads the first page only`, evidence);
  }
  const path = safePath(next.href);
  if (parseOrdsJobUrl(next.href)?.kind !== 'collection' || !next.answer) {
    return result(
      NAME,
      'WARN',
      `${at}: the next link (${path}) does not lead to the job list: the gateway stops there`,
      evidence,
    );
  }
  const following = readPage(next.answer, contract);
  evidence.push(evidenceOf(next.answer, following.ok ? `${following.page.items.length} item(s)` : following.why));
  if (!following.ok) {
    return result(NAME, 'FAIL', `the next link leads to ${describeAnswer(next.answer)}: ${following.why}`, evidence);
  }
  const first = rowKey(read.page.items[0]);
  const then = rowKey(following.page.items[0]);
  if (then !== undefined && then === first) {
    return result(
      NAME,
      'WARN',
      `the next link's page (${describeAnswer(next.answer)}) repeats the first: the gateway stops there`,
      evidence,
    );
  }
  return result(
    NAME,
    'PASS',
    `the next link leads on: ${describeAnswer(next.answer)}, ${following.page.items.length} item(s)`,
    evidence,
  );
}

/** A link's path and query only: its host may be another than the one configured, and is not the evidence. */
function safePath(href: string): string {
  try {
    const url = new URL(href, 'http://ords.invalid');
    return `${url.pathname}${url.search}`;
  } catch {
    return '(not a URL)';
  }
}
