// Reads a request body up to a limit, so a huge upload cannot exhaust the emulator's memory.
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; bytes: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        // Stop buffering but keep draining, so the client can still read the 400 we answer.
        chunks.length = 0;
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish({ ok: true, bytes: Buffer.concat(chunks, size) }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/** The media type without parameters, lower case (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

export interface ParsedBody {
  /** The parsed JSON or form object; the raw text if it is neither; undefined when empty. */
  value: unknown;
  /** Set when the body was meant to be JSON but does not parse (ORDS answers 400). */
  jsonError?: string;
}

/** Parses a body once, for both recording and handling (the hot path should not parse twice). */
export function parseBody(bytes: Buffer, contentType: string | undefined): ParsedBody {
  if (bytes.length === 0) return { value: undefined };
  const text = bytes.toString('utf8');
  const type = mediaType(contentType);
  if (type === 'application/x-www-form-urlencoded') return { value: Object.fromEntries(new URLSearchParams(text)) };
  if (type === '' || type === 'application/json' || type.endsWith('+json')) {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (error) {
      return { value: text, jsonError: (error as Error).message };
    }
  }
  return { value: text };
}
