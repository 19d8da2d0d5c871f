// Reads metric names out of PromQL expressions, and a Prometheus text page into families and samples: enough to
// check that the shipped dashboard and alert rules ask only for what a gateway's /metrics has.

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects: identifiers (`[a-zA-Z_:][a-zA-Z0-9_:]*`) left once strings, label
 * matchers, ranges, grouping label lists and Grafana variables are taken out, minus functions (followed by `(`),
 * keywords and the insides of numbers (`1e3`).
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.:$])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\w:])(?!\s*\()/g)].map((m) => m[0]);
  return [...new Set(names.filter((n) => !KEYWORDS.has(n.toLowerCase())))];
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricsPage {
  /** Every family declared by a `# TYPE` line. */
  families(): string[];
  /** The family a selected name belongs to (`x_bucket`, `x_sum`, `x_count` of a histogram or summary → `x`). */
  familyOf(name: string): string | undefined;
  hasSample(family: string): boolean;
  /** The value of the sample with exactly these labels, or undefined. */
  value(name: string, labels: Record<string, string>): number | undefined;
}

const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*([,}])/y;
const unescape = (s: string) => s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));

function parseSample(line: string): Sample {
  const nameEnd = line.search(/[{ ]/);
  const name = line.slice(0, nameEnd);
  const labels: Record<string, string> = {};
  let at = nameEnd;
  if (line[at] === '{') {
    at++;
    if (line[at] === '}') at++;
    else
      for (;;) {
        LABEL.lastIndex = at;
        const m = LABEL.exec(line);
        if (!m) throw new Error(`cannot parse the labels of: ${line}`);
        labels[m[1]!] = unescape(m[2]!);
        at = LABEL.lastIndex;
        if (m[3] === '}') break;
      }
  }
  return { name, labels, value: Number(line.slice(at).trim().split(' ')[0]) };
}

export function parseMetricsPage(text: string): MetricsPage {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    else if (line !== '' && !line.startsWith('#')) samples.push(parseSample(line));
  }
  const familyOf = (name: string) => {
    if (types.has(name)) return name;
    const base = /^(.*)_(?:bucket|sum|count)$/.exec(name)?.[1];
    return base !== undefined && ['histogram', 'summary'].includes(types.get(base) ?? '') ? base : undefined;
  };
  return {
    families: () => [...types.keys()],
    familyOf,
    hasSample: (family) => samples.some((s) => familyOf(s.name) === family),
    value(name, labels) {
      const wanted = Object.entries(labels);
      const found = samples.find(
        (s) =>
          s.name === name &&
          Object.keys(s.labels).length === wanted.length &&
          wanted.every(([k, v]) => s.labels[k] === v),
      );
      return found?.value;
    },
  };
}
