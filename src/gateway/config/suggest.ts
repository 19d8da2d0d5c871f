/** @module "Did you mean …?": the one close name among those allowed, or none (config hints, request hints). */
import { distance } from 'fastest-levenshtein';

/**
 * The allowed name nearest to `name`, when it is near enough to be a typo: at most 1 edit for names under 4
 * characters, 2 under 10, 3 beyond (a swap of two letters is 2 edits) — never more than half the name, so a
 * short word is not "corrected" into an unrelated one. Ties go to the first candidate; none close, undefined.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const budget = Math.min(name.length < 4 ? 1 : name.length < 10 ? 2 : 3, Math.floor(name.length / 2));
  let best: { name: string; edits: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const edits = distance(name, candidate);
    if (edits <= budget && (!best || edits < best.edits)) best = { name: candidate, edits };
  }
  return best?.name;
}

/** The one candidate equal to `name` but for case, if any: names are case-sensitive, and this is the usual slip. */
export function sameButForCase(name: string, candidates: Iterable<string>): string | undefined {
  const folded = name.toLowerCase();
  for (const candidate of candidates) if (candidate !== name && candidate.toLowerCase() === folded) return candidate;
  return undefined;
}
