// Id sources for ECIDs in error bodies and OAuth tokens: random by default, sequential for tests.
import { randomBytes } from 'node:crypto';

export interface IdSource {
  /** A new opaque id, URL- and header-safe (base64url alphabet). */
  next(): string;
}

/** 16 random bytes as base64url (22 characters), the shape of ORDS's ECIDs (`kifsXCri1gUWE1tKerUlpA`). */
export function randomIds(): IdSource {
  return { next: () => randomBytes(16).toString('base64url') };
}

/** Predictable ids (`<prefix>000001`, …) so tests can assert on exact bodies. */
export function sequentialIds(prefix = 'id'): IdSource {
  let n = 0;
  return { next: () => `${prefix}${String(++n).padStart(6, '0')}` };
}
