/** @module Dotted paths (`tenants.hr-team.api_keys[0]`) for messages, and walking untyped parsed YAML. */

export type PathSegment = string | number;

/** Keys that read unambiguously after a dot; anything else is shown as `["key"]`. */
const PLAIN_KEY = /^[A-Za-z0-9_$#*-]+$/;

export function formatPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return '(top level)';
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** True when `path` is `prefix` itself or lies below it. */
export function isAtOrBelow(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns an Ajv instance path (JSON Pointer) into segments. The pointer cannot tell an array index
 * from a key that looks like a number, so the data is walked alongside.
 */
export function pointerToSegments(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = isRecord(node) ? node[key] : undefined;
    }
  }
  return segments;
}
