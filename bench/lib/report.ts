/** @module The one results table, and bench/results/latest.json. */
import { availableParallelism, cpus, freemem, release, totalmem } from 'node:os';

/** One line of the table: a target of a scenario, its figures, its ratios against the references, its goal. */
export interface Row {
  readonly scenario: string;
  readonly target: string;
  readonly rps?: number;
  readonly p50?: number;
  readonly p99?: number;
  /** CPU time of the target's own process per answered request, in µs. */
  readonly cpuUs?: number;
  /** Figures that are not request rates (MB/s, RSS, start-up). */
  readonly other?: string;
  readonly vsBare?: number;
  readonly vsEmulator?: number;
  readonly goal?: Goal;
  /** Per-round req/s (spread = noise). */
  readonly rounds?: number[];
  readonly errors?: number;
  readonly details?: Record<string, unknown>;
}

export interface Goal {
  readonly text: string;
  /** The measured value the goal is judged on, as shown. */
  readonly value: string;
  readonly met: boolean;
}

export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly freeGiB: number;
  readonly node: string;
  readonly kernel: string;
  readonly date: string;
}

export function machine(): Machine {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    date: new Date().toISOString(),
  };
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? ''
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : `${n.toFixed(2)}×`);

export function formatTable(rows: readonly Row[]): string {
  const header = [
    'Scenario',
    'Target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'vs bare',
    'vs emulator',
    'Other',
    'Goal',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.target,
    fmt(r.rps),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.cpuUs),
    ratio(r.vsBare),
    ratio(r.vsEmulator),
    r.other ?? '',
    r.goal ? `${r.goal.met ? 'met' : 'MISSED'}: ${r.goal.text} (${r.goal.value})` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' │ ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  const out = [line(header), rule];
  let last = '';
  for (let i = 0; i < body.length; i++) {
    const scenario = rows[i]!.scenario;
    if (last && scenario !== last) out.push(rule);
    last = scenario;
    out.push(line(body[i]!));
  }
  return out.join('\n');
}

/** Markdown version of the table, for bench/README.md. */
export function formatMarkdown(rows: readonly Row[]): string {
  const header = '| Scenario | Target | req/s | p50 ms | p99 ms | CPU µs/req | vs bare | vs emulator | Other | Goal |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|---|---|';
  const lines = rows.map(
    (r) =>
      `| ${[
        r.scenario,
        r.target,
        fmt(r.rps),
        fmt(r.p50, 2),
        fmt(r.p99, 2),
        fmt(r.cpuUs),
        ratio(r.vsBare),
        ratio(r.vsEmulator),
        r.other ?? '',
        r.goal ? `${r.goal.met ? 'met' : '**missed**'}: ${r.goal.text} (${r.goal.value})` : '',
      ]
        .map((c) => c.replace(/\|/g, '\\|'))
        .join(' | ')} |`,
  );
  return [header, rule, ...lines].join('\n');
}
