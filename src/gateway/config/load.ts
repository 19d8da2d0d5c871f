/** @module Reads the YAML config, checks secrets, interpolates, validates, maps and freezes: the gateway's one way in. */
import { readFileSync } from 'node:fs';

import { type Document, isScalar, LineCounter, parseDocument, visit } from 'yaml';

import { deepFreeze } from '../../lib/deep-freeze.js';
import { crossCheck } from './cross-checks.js';
import { ConfigError } from './errors.js';
import { type Env, interpolateTree } from './interpolate.js';
import type { Problem } from './messages.js';
import { isAtOrBelow, isRecord } from './paths.js';
import { parsePlainJson } from './plain-json.js';
import { parsePlainYaml } from './plain-yaml.js';
import { checkSecretReferences } from './secrets.js';
import { readTlsSettings } from './tls-files.js';
import { type RawConfig, toGatewayConfig } from './to-gateway-config.js';
import type { GatewayConfig } from './types.js';
import { validateConfigTree } from './validate.js';

export interface ParseConfigOptions {
  /** Names the text in messages (a file path); defaults to `<config>`. */
  readonly sourceName?: string;
  /** Reads the files the configuration names (`databases.<name>.tls`); defaults to reading them as UTF-8. */
  readonly readFile?: (path: string) => string;
}

export interface LoadConfigOptions {
  readonly path: string;
  /** Usually `process.env`; injected so tests and `check-config` control it. */
  readonly env: Env;
  /** Defaults to reading the file as UTF-8. */
  readonly readFile?: (path: string) => string;
}

export function loadConfig({ path, env, readFile = (p) => readFileSync(p, 'utf8') }: LoadConfigOptions): GatewayConfig {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [`${path}: cannot read the file${code ? ` (${code})` : ''}`]);
  }
  return parseConfig(text, env, { sourceName: path, readFile });
}

/**
 * Parses config text into a validated, deep-frozen `GatewayConfig`, or throws one `ConfigError`
 * listing every problem found. Only YAML syntax errors stop early: without a tree there is nothing
 * else to check.
 */
export function parseConfig(
  text: string,
  env: Env,
  { sourceName = '<config>', readFile = (p) => readFileSync(p, 'utf8') }: ParseConfigOptions = {},
): GatewayConfig {
  const raw = parseYaml(text, sourceName);

  // Secrets are judged on what was written, before interpolation could hide a literal.
  const secretProblems = checkSecretReferences(raw);
  const interpolated = interpolateTree(raw, env);
  const data = interpolated.value;
  // A value is reported once, for its first fault: a literal secret need not also hear about its
  // references, and a value that could not be interpolated is not judged again by the schema.
  const notReportedYet = (reported: readonly Problem[]) => (p: Problem) =>
    !reported.some((r) => isAtOrBelow(p.path, r.path));
  const referenceProblems = interpolated.problems.filter(notReportedYet(secretProblems));
  const unreadable = notReportedYet([...secretProblems, ...referenceProblems]);
  const schemaProblems = validateConfigTree(data, { wholeReferences: interpolated.wholeReferences }).filter(unreadable);
  const problems = unique([
    ...secretProblems,
    ...referenceProblems,
    ...schemaProblems,
    // A value the schema already faulted is not judged again by the rules across fields.
    ...crossCheck(data).filter(notReportedYet([...secretProblems, ...referenceProblems, ...schemaProblems])),
  ]);
  if (problems.length > 0) throw new ConfigError(sourceName, problems);

  // Files are read only once the rest is valid (their paths are then known to be well formed), at every load:
  // a reload that finds a changed certificate makes a changed database definition.
  const tls = readTlsSettings(data, readFile);
  if (tls.problems.length > 0) throw new ConfigError(sourceName, unique(tls.problems));

  return deepFreeze(toGatewayConfig(data as RawConfig, tls.tls));
}

function parseYaml(text: string, sourceName: string): unknown {
  // Most files are plain block YAML (or JSON), which these read in a fraction of the time `yaml` takes to build
  // its document (seconds for 10,000 tenants); they give up on anything else, and on anything `yaml` would
  // fault, so every file with a problem is read below and reported as before.
  const plain = parsePlainJson(text) ?? parsePlainYaml(text);
  if (plain !== undefined) return plain;
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema (the default): `on`, `yes`, `no` stay strings. Duplicate keys are errors, checked
  // below with a set per map: the parser's own check compares each key with every earlier one, which made
  // loading 10,000 tenants take seconds (bench/README.md).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const faults: Array<{ pos: [number, number]; message: string }> = [
    ...doc.errors,
    ...doc.warnings,
    ...duplicateKeys(doc),
  ];
  if (faults.length === 0) {
    try {
      // The alias cap stops a few lines of anchors from expanding into gigabytes ("billion laughs").
      const value: unknown = doc.toJS({ maxAliasCount: 100 });
      return hasAlias(doc) ? unshared(value) : value;
    } catch (error) {
      throw new ConfigError(sourceName, [`${sourceName}: ${error instanceof Error ? error.message : String(error)}`]);
    }
  }

  const lines = text.split(/\r?\n/);
  const seenLines = new Set<number>();
  const problems: string[] = [];
  for (const fault of faults) {
    const { line, col } = lineCounter.linePos(fault.pos[0]);
    // One broken line makes the parser trip several times; its first complaint is the useful one.
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    // The offending line is not quoted: it might hold a secret written by mistake.
    let problem = `${sourceName}:${line}:${col}: ${fault.message}`;
    if (/[{[][^#]*\$\{/.test(lines[line - 1] ?? '')) {
      problem += ' (inside { } or [ ], quote a ${VAR} reference: "${VAR}")';
    }
    problems.push(problem);
  }
  throw new ConfigError(sourceName, problems);
}

function hasAlias(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * A copy in which no list or mapping appears twice: an alias gives its anchor's very object, and validation fills
 * in each place's defaults in place (the anchor of `limits: *m` must not get the defaults of `metrics: &m {}`).
 */
function unshared(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(unshared);
  // fromEntries defines own properties: a YAML key "__proto__" stays a plain key (refused as unknown).
  if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, unshared(value)]));
  return node;
}

function duplicateKeys(doc: Document): Array<{ pos: [number, number]; message: string }> {
  const found: Array<{ pos: [number, number]; message: string }> = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const value = pair.key.value;
        if (seen.has(value)) {
          const [start = 0, end = 0] = pair.key.range ?? [];
          found.push({ pos: [start, end], message: 'Map keys must be unique' });
        }
        seen.add(value);
      }
    },
  });
  return found;
}

function unique(problems: readonly Problem[]): string[] {
  return [...new Set(problems.map((p) => `${p.path}: ${p.message}`))];
}
