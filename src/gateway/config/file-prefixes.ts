/** @module Which tenants' file prefixes begin another's: a sorted pass to see if any does, then each such tenant named. */

export interface TenantPrefix {
  readonly id: string;
  readonly prefix: string;
}

export interface PrefixOverlap {
  /** The tenant whose prefix another's begins. */
  readonly tenant: TenantPrefix;
  /** The shortest other prefix beginning it; of tenants with that prefix, the first listed. */
  readonly other: TenantPrefix;
}

/**
 * Every tenant whose `file_prefix` begins with another tenant's (the same text included), in the order given.
 * A valid config has none, which sorting shows: when one prefix begins others, all of them sort right after
 * it, so some neighbour in sorted order begins its successor. Only when one does is each tenant looked at.
 */
export function prefixOverlaps(prefixes: readonly TenantPrefix[]): PrefixOverlap[] {
  const sorted = prefixes.map((p) => p.prefix).sort();
  let any = false;
  for (let i = 1; i < sorted.length && !any; i++) any = sorted[i]!.startsWith(sorted[i - 1]!);
  return any ? eachOverlap(prefixes) : [];
}

/** Each tenant's prefix checked against each of its own beginnings: (tenants × prefix length) lookups. */
function eachOverlap(prefixes: readonly TenantPrefix[]): PrefixOverlap[] {
  const byText = new Map<string, string[]>();
  for (const { id, prefix } of prefixes) byText.set(prefix, [...(byText.get(prefix) ?? []), id]);
  const overlaps: PrefixOverlap[] = [];
  for (const tenant of prefixes) {
    for (let n = 1; n <= tenant.prefix.length; n++) {
      const begins = tenant.prefix.slice(0, n);
      const id = byText.get(begins)?.find((candidate) => candidate !== tenant.id);
      if (id !== undefined) {
        overlaps.push({ tenant, other: { id, prefix: begins } });
        break;
      }
    }
  }
  return overlaps;
}
