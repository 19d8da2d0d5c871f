// A reply as data: handlers build one, faults may alter it, and `deliver` (deliver.ts) sends it.
import type { Readable } from 'node:stream';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** A string/Buffer sent at once, or a factory for a stream (created only if the body is really sent). */
  body?: string | Buffer | (() => Readable);
  /** Whether the body is JSON (a `malformed` fault only breaks JSON bodies). */
  json?: boolean;
}

export function jsonReply(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): Reply {
  return { status, headers: { 'Content-Type': contentType, ...headers }, body: JSON.stringify(value), json: true };
}
