/** @module One answer of ORDS's job list read as the gateway reads it: the page's members, then its rows one by one. */
import type { OrdsContract, OrdsJob } from '../upstream/ords-contract.js';
import { type Answer, jsonBody } from './answer.js';

export interface ReadPage {
  readonly items: readonly unknown[];
  readonly hasMore: boolean | undefined;
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly links: readonly { readonly rel: string; readonly href: string }[];
  /** Rows the gateway can represent, in place (undefined where it would skip the row). */
  readonly rows: readonly (OrdsJob | undefined)[];
  /** Why each skipped row is skipped, by its index. */
  readonly skipped: readonly { readonly index: number; readonly errors: readonly string[] }[];
}

/** The page, or why it is not one (not 200, not JSON, breaks ords.yaml's list schema). */
export function readPage(
  answer: Answer | undefined,
  contract: OrdsContract,
): { ok: true; page: ReadPage } | { ok: false; why: string } {
  if (!answer) return { ok: false, why: 'not read' };
  if (answer.status !== 200)
    return { ok: false, why: answer.status === undefined ? 'no answer' : `status ${answer.status}` };
  const body = jsonBody(answer);
  if (!body.ok) return { ok: false, why: body.why };
  const checked = contract.jobPage(body.value);
  if (!checked.ok) return { ok: false, why: `breaks ords.yaml's list schema: ${checked.errors.join('; ')}` };
  const { items, hasMore, limit, offset, links } = checked.value;
  const skipped: { index: number; errors: readonly string[] }[] = [];
  const rows = items.map((row, index) => {
    const job = contract.jobRow(row);
    if (job.ok) return job.value;
    skipped.push({ index, errors: job.errors });
    return undefined;
  });
  // Checked against the schema above; read with their types (the page type's index signature hides them).
  const page = {
    items,
    hasMore: typeof hasMore === 'boolean' ? hasMore : undefined,
    limit: typeof limit === 'number' ? limit : undefined,
    offset: typeof offset === 'number' ? offset : undefined,
    links,
    rows,
    skipped,
  };
  return { ok: true, page };
}

/** `OWNER,JOB` of a raw row, when it has both names: how two pages' rows are compared. */
export function rowKey(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null) return undefined;
  const { owner_name: owner, job_name: name } = row as Record<string, unknown>;
  return typeof owner === 'string' && typeof name === 'string' ? `${owner},${name}` : undefined;
}
