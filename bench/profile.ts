/**
 * @module Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): where the busy time went, by function and by area.
 *
 * Run: node --import tsx bench/profile.ts <file.cpuprofile> [--top 25]
 * `bench/run.ts --profile` writes the gateway's profiles under bench/results/profiles/ and prints this summary.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { isMain } from './lib/is-main.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Entry {
  readonly label: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** Sampled time not idle, in ms. */
  readonly busyMs: number;
  readonly idleMs: number;
  /** Self time by function. */
  readonly selfTop: Entry[];
  /** Self time by area: a package under node_modules, a folder of src/, node internals, GC. */
  readonly areas: Entry[];
  /**
   * Self time charged to the nearest caller in a package or in src/: node internals, native code and GC-free
   * builtins count for whoever called them (a socket write for the code that answered, a file write for the logger).
   */
  readonly owners: Entry[];
  /** Inclusive time (the function and what it called) of the gateway's own functions and its middleware packages. */
  readonly inclusiveTop: Entry[];
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const IDLE = new Set(['(idle)', '(program)']);

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

export function areaOf(frame: CallFrame): string {
  if (frame.functionName === '(garbage collector)') return '(garbage collector)';
  if (IDLE.has(frame.functionName) || frame.functionName === '(root)') return frame.functionName;
  const url = shortUrl(frame.url);
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? `internal/${url.slice(5).split('/')[1] ?? ''}` : url.slice(5)}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const parts = url.split('/');
  if (parts[0] === 'src' || parts[0] === 'generated') return parts.slice(0, Math.min(parts.length - 1, 3)).join('/');
  return url;
}

/** A package, or a file of src/ (finer than areaOf: the file names the middleware or route). */
function ownerOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  const area = areaOf(frame);
  return url.startsWith('src/') ? url : area;
}

function labelOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  const name = frame.functionName || '(anonymous)';
  return url ? `${name}  ${url.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}` : name;
}

export function summarise(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const owners = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    // timeDeltas[i] is the time since the previous sample; the next delta is this sample's own share.
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    if (IDLE.has(node.callFrame.functionName)) {
      idle += ms;
      continue;
    }
    busy += ms;
    const label = labelOf(node.callFrame);
    self.set(label, (self.get(label) ?? 0) + ms);
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    let owner =
      node.callFrame.functionName === '(garbage collector)'
        ? '(garbage collector)'
        : '(node internals, no caller in user land)';
    for (let id: number | undefined = node.id; id !== undefined && owner.startsWith('(node'); id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const url = shortUrl(frame.url);
      if (url && !url.startsWith('node:')) owner = ownerOf(frame);
    }
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    // Inclusive: each function once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const url = shortUrl(frame.url);
      if (!url || url.startsWith('node:')) continue;
      const key = labelOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const rank = (m: Map<string, number>, n: number): Entry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([label, ms]) => ({ label, ms, share: busy > 0 ? ms / busy : 0 }));
  // Inclusive list: skip the outermost frames every sample shares (event loop, express's router plumbing).
  const inclusiveTop = rank(inclusive, top * 4)
    .filter(
      (e) =>
        e.share < 0.97 &&
        !/ (express|router)\/lib\/|(^|\s)(next|handle|trampoline|processTicksAndRejections|emit)\s/.test(e.label),
    )
    .slice(0, top);
  return {
    busyMs: busy,
    idleMs: idle,
    selfTop: rank(self, top),
    areas: rank(areas, 15),
    owners: rank(owners, 20),
    inclusiveTop,
  };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `── CPU profile: ${title} — busy ${(s.busyMs / 1000).toFixed(1)} s, idle ${(s.idleMs / 1000).toFixed(1)} s`,
    '  self time by area:',
    ...s.areas.map((e) => `    ${pct(e.share)}  ${e.label}`),
    '  time charged to the nearest package or src/ file (node internals count for their caller):',
    ...s.owners.map((e) => `    ${pct(e.share)}  ${e.label}`),
    '  self time by function:',
    ...s.selfTop.map((e) => `    ${pct(e.share)}  ${e.label}`),
    '  inclusive time (function and its callees):',
    ...s.inclusiveTop.map((e) => `    ${pct(e.share)}  ${e.label}`),
  ];
  return lines.join('\n');
}

export function summariseFile(file: string, top = 25): ProfileSummary {
  return summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  const files = argv.filter((_, i) => topAt < 0 || (i !== topAt && i !== topAt + 1));
  if (files.length === 0) {
    process.stderr.write('usage: profile.ts <file.cpuprofile> [...] [--top N]\n');
    process.exit(1);
  }
  for (const file of files) process.stdout.write(`${formatSummary(file, summariseFile(file, top))}\n`);
}
