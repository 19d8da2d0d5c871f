// An export's dump file: deterministic pseudo-random bytes of a configured size, generated lazily.
import { Readable } from 'node:stream';

import type { JobRecord } from './job-state.js';
import { hash32, seededRandom } from './prng.js';

const BLOCK = 64 * 1024;

function* dumpChunks(job: JobRecord, total: number): Generator<Buffer> {
  // A readable banner first, so nobody mistakes the file for a real dump.
  const banner = Buffer.from(`EMULATED DATA PUMP DUMP FILE (not a real dump) ${job.owner}.${job.name}\n`, 'utf8');
  const random = seededRandom(hash32(`${job.owner},${job.name}`));
  let left = total;
  if (left <= banner.length) {
    yield banner.subarray(0, left);
    return;
  }
  yield banner;
  left -= banner.length;
  while (left > 0) {
    const block = Buffer.allocUnsafe(Math.min(left, BLOCK));
    for (let i = 0; i < block.length; i++) block[i] = Math.floor(random() * 256);
    left -= block.length;
    yield block;
  }
}

export function dumpFile(job: JobRecord, bytes: number): () => Readable {
  return () => Readable.from(dumpChunks(job, bytes), { objectMode: false, highWaterMark: BLOCK });
}
