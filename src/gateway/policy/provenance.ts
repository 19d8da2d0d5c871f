/**
 * @module Import provenance: whether a dump file an IMPORT names was produced by one of the tenant's own
 * exports — the export's `file_name` pattern (`%U` and `%L` expanded as Data Pump expands them) or a file the
 * export job listed. Pure: the caller hands in the candidate names it remembered.
 */

/** `%U`/`%u` is a two-digit number (01–99); `%L`/`%l` grows past it (Oracle: 01 to 2147483646). */
function patternRegExp(name: string): RegExp {
  let source = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const next = name[i + 1];
    if (c === '%' && (next === 'U' || next === 'u')) {
      source += '\\d{2}';
      i++;
    } else if (c === '%' && (next === 'L' || next === 'l')) {
      source += '\\d{2,10}';
      i++;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The same pattern, whatever the case of its substitution variables (`%u` is `%U`). */
const normalise = (name: string) => name.replace(/%([uUlL])/g, (_m, v: string) => `%${v.toUpperCase()}`);

/**
 * True when `fileName` is one of `names`, a file one of them stands for (`EXP_%U.DMP` → `EXP_03.DMP`), or
 * the same pattern (an import of the whole set).
 */
export function producedByOwnExport(fileName: string, names: readonly string[]): boolean {
  const wanted = normalise(fileName);
  return names.some((name) => normalise(name) === wanted || patternRegExp(name).test(fileName));
}
