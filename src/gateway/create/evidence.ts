/**
 * @module Evidence that ties an ORDS job to one intent: a token the gateway puts into the export's dump file
 * name, looked for in what ORDS shows of a candidate job (its file links, then its log). Reconciliation gives
 * a job to a tenant only on this evidence; without it, an intent is quarantined, never guessed.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

import type { DatabaseConfig } from '../config/types.js';
import { jobFileNames } from '../jobs/public-job.js';
import type { OrdsJob } from '../upstream/ords-contract.js';
import type { CallMeta, OrdsPort } from '../upstream/ords-port.js';

// Crockford's base32 alphabet: upper-case letters and digits only, none easily misread; valid in any file name.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The intent's token: 12 characters (60 bits) derived from its id, so it is unique to it and needs no storage. */
export function evidenceToken(intentId: string): string {
  const digest = createHash('sha256').update(`datapump-gateway:evidence:${intentId}`).digest();
  let token = '';
  for (let i = 0; i < 12; i++) token += ALPHABET[digest[i]! % 32];
  return token;
}

export interface Evidence {
  readonly job: OrdsJob;
  readonly etag: string | undefined;
  /** Where the token was seen: a dump file's name, or the log's text. */
  readonly seenIn: 'file-link' | 'log';
}

export interface EvidenceSearch {
  readonly ords: OrdsPort;
  readonly database: DatabaseConfig;
  readonly meta: CallMeta;
  /** Most bytes of a log read while looking for the token (a log can be gigabytes). */
  readonly maxLogBytes: number;
}

/**
 * Reads the job from ORDS (for its current links and ETag) and looks for `token`: first in its file names,
 * then in its log. Resolves undefined when ORDS no longer shows the job or nothing of it carries the token.
 */
export async function findEvidence(
  search: EvidenceSearch,
  candidate: OrdsJob,
  token: string,
): Promise<Evidence | undefined> {
  const { ords, database, meta } = search;
  const read = await ords.getJob(database, candidate.owner_name, candidate.job_name, meta);
  if (read.kind !== 'job') return undefined;
  const files = jobFileNames(read.job);
  if (files.some((name) => name.includes(token))) return { job: read.job, etag: read.etag, seenIn: 'file-link' };
  const log = files.find((name) => /\.log$/i.test(name));
  if (log === undefined) return undefined;
  const file = await ords.openFile(database, read.job.owner_name, read.job.job_name, log, meta);
  return (await streamContains(file.body, token, search.maxLogBytes))
    ? { job: read.job, etag: read.etag, seenIn: 'log' }
    : undefined;
}

/** Whether `text` occurs in the first `maxBytes` of the stream; reads no further than it must. */
export async function streamContains(body: Readable, text: string, maxBytes: number): Promise<boolean> {
  const needle = Buffer.from(text, 'latin1');
  let carry = Buffer.alloc(0);
  let read = 0;
  try {
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      read += bytes.length;
      // The previous chunk's tail joins this one, so a token split across two chunks is still found.
      const window = Buffer.concat([carry, bytes]);
      if (window.includes(needle)) return true;
      if (read >= maxBytes) return false;
      carry = window.subarray(Math.max(0, window.length - needle.length + 1));
    }
    return false;
  } finally {
    body.destroy();
  }
}
