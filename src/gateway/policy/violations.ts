/** @module Building violations and turning a list of them into the policy's answer. */
import type { JobRequest, PolicyDecision, Violation } from './types.js';

export const notGranted = (pointer: string, detail: string): Violation => ({ pointer, detail, kind: 'not-granted' });
export const unsafe = (pointer: string, detail: string): Violation => ({ pointer, detail, kind: 'unsafe' });

/** Asking for more than granted outranks asking badly: any not-granted violation makes the answer 403. */
export function decide(violations: Violation[], upstream: () => JobRequest): PolicyDecision {
  if (violations.length === 0) return { allowed: true, upstream: upstream() };
  const status = violations.some((v) => v.kind === 'not-granted') ? 403 : 422;
  return { allowed: false, status, violations };
}

/** RFC 6901 escaping, for the one pointer built from a client-chosen key. */
export const pointerToken = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
