// A job log of an exact configured size, generated lazily so even 1 GiB is never held in memory.
import { Readable } from 'node:stream';

import type { JobRecord } from './job-state.js';
import { fillerBlock, logHead, logProgress, logTail } from './log-text.js';

const LINE = 64; // bytes per filler line (fillerBlock's width)

/**
 * Yields `head`, filler lines, then `tail`, exactly `total` bytes in all. The filler's odd remainder
 * is one short padding line right after the head, so every line stays whole. If `total` is smaller
 * than head + tail, the text is cut at `total` bytes.
 */
export function* sizedLogChunks(head: Buffer, tail: Buffer, total: number, block: Buffer): Generator<Buffer> {
  const fixed = head.length + tail.length;
  if (total <= fixed) {
    yield Buffer.concat([head, tail]).subarray(0, total);
    return;
  }
  let filler = total - fixed;
  const remainder = filler % LINE;
  yield head;
  if (remainder > 0) yield Buffer.from(`${' '.repeat(remainder - 1)}\n`, 'latin1');
  filler -= remainder;
  while (filler > 0) {
    const size = Math.min(filler, block.length);
    yield size === block.length ? block : block.subarray(0, size);
    filler -= size;
  }
  yield tail;
}

/** The log as served: a short natural text, or (with `logBytes`) a lazily generated stream of that size. */
export function jobLog(job: JobRecord, now: number, logBytes: number | null): string | (() => Readable) {
  const head = logHead(job);
  const tail = logTail(job, now);
  if (logBytes === null) return head + logProgress(job, now) + tail;
  // Readable.from pulls the generator only when the consumer asks, so backpressure holds.
  return () =>
    Readable.from(sizedLogChunks(Buffer.from(head), Buffer.from(tail), logBytes, fillerBlock(job)), {
      objectMode: false,
      highWaterMark: 64 * 1024,
    });
}
