/** @module A fast reader for the plain block-style YAML configs are written in; any other text is left to the `yaml` package. */
import { readDoubleQuoted, readSingleQuoted, resolvePlain } from './plain-scalars.js';

/**
 * The value `yaml`'s `parseDocument(text).toJS()` gives, when `text` is a block mapping written in the subset
 * below and `yaml` would find nothing wrong in it (no duplicate key either); `undefined` for every other text,
 * which the caller then reads with `yaml` itself, so every message and line:column stays the parser's own.
 *
 * `yaml` builds a whole syntax tree and a document of nodes first: seconds for 10,000 tenants (3.6 MB). This
 * reads the text once, line by line, keeping only where each line starts and ends. The subset: spaces for
 * indentation (no tab anywhere), `key: value` and `- item` blocks (a sequence may sit at its key's indentation,
 * an item may be a compact mapping), plain keys that resolve to text, quoted keys, comments; values plain,
 * quoted on one line, `[a, "b"]` on one line, `[]`, `{}`, or a literal block scalar `|` / `|-`. Not in it:
 * anchors, aliases, tags, directives, document markers, flow mappings with entries, folded and multi-line
 * scalars. When unsure, the answer is `undefined`.
 */
export function parsePlainYaml(text: string): unknown {
  if (UNSUPPORTED_CHARACTERS.test(text)) return undefined;
  const lines = lineBounds(text);
  if (lines === undefined) return undefined;
  try {
    const reader = new Reader(text, lines);
    const first = reader.nextContent();
    if (first < 0 || lines.indents[first] !== 0) notPlain();
    if (readKey(text, lines.starts[first]!, lines.ends[first]!) === undefined) notPlain();
    const value = reader.mapping(0);
    return reader.nextContent() < 0 ? value : undefined;
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

/**
 * Tabs (as indentation they are errors), control characters (some are errors, some are folded), a byte-order
 * mark, and the separators YAML 1.1 took for line breaks: left to the full parser.
 */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_CHARACTERS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;
/** A `\r` not ending a line (before a `\n`). */
const STRAY_RETURN = /\r(?!\n)/;
/** The longest implicit key YAML allows is 1,024 characters: well under that, nothing to decide. */
const MAX_KEY = 1000;
/** What a plain scalar in a flow sequence may hold here: no indicator, no `:`, no `#`. */
const FLOW_PLAIN = /^[A-Za-z0-9_.$/+~()-][A-Za-z0-9_.$/+~() -]*$/;

class NotPlain extends Error {}

function notPlain(): never {
  throw new NotPlain('not in the subset plain-yaml.ts reads');
}

/** Where each line starts and ends (before its `\r\n` or `\n`), its indentation, and whether it has content. */
interface Lines {
  readonly count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Changed for a compact mapping (`- key: value`), whose keys are at the column of the first. */
  readonly indents: Int32Array;
  /** 1 when the line is neither blank nor only a comment. */
  readonly content: Uint8Array;
  readonly endsWithNewline: boolean;
}

/** The lines of `text`, without copying them out of it; undefined when a `\r` stands anywhere but before a `\n`. */
function lineBounds(text: string): Lines | undefined {
  const returns = text.includes('\r');
  if (returns && STRAY_RETURN.test(text)) return undefined;
  let count = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  const indents = new Int32Array(count);
  const content = new Uint8Array(count);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const newline = text.indexOf('\n', start);
    let end = newline < 0 ? text.length : newline;
    if (returns && end > start && text.charCodeAt(end - 1) === 0x0d) end--;
    let indent = 0;
    while (start + indent < end && text.charCodeAt(start + indent) === 0x20) indent++;
    starts[i] = start;
    ends[i] = end;
    indents[i] = indent;
    content[i] = start + indent < end && text[start + indent] !== '#' ? 1 : 0;
    start = newline + 1;
  }
  return { count, starts, ends, indents, content, endsWithNewline: text.endsWith('\n') };
}

/** `key:` at `at` (a line ends at `end`), then a space or the line's end: the key and the index after the colon. */
function readKey(text: string, at: number, end: number): { key: string; next: number } | undefined {
  const c = text[at];
  let key: string;
  let colon: number;
  if (c === '"' || c === "'") {
    const quoted = c === '"' ? readDoubleQuoted(text, at, end) : readSingleQuoted(text, at, end);
    if (quoted === undefined) return undefined;
    key = quoted.value;
    colon = quoted.end;
  } else {
    // A plain key of letters, digits and `_ $ . / + -`, not starting with one of the last four.
    colon = at;
    if (!isWordStart(text.charCodeAt(colon))) return undefined;
    while (++colon < end && isKeyCharacter(text.charCodeAt(colon)));
    key = text.slice(at, colon);
  }
  if (colon >= end || text[colon] !== ':' || (colon + 1 < end && text[colon + 1] !== ' ')) return undefined;
  if (colon - at > MAX_KEY) notPlain();
  if (c !== '"' && c !== "'" && resolvePlain(key) !== key) notPlain();
  return { key, next: colon + 1 };
}

function isWordStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24;
}

function isKeyCharacter(c: number): boolean {
  return isWordStart(c) || c === 0x2d || c === 0x2e || c === 0x2f || c === 0x2b; // - . / +
}

/** First characters a plain value may have here: none of YAML's indicators (a `-` is looked at apart). */
function isPlainStart(c: number): boolean {
  return isWordStart(c) || c === 0x2e || c === 0x2f || c === 0x2b || c === 0x7e || c === 0x28; // . / + ~ (
}

/** Nothing but spaces and perhaps a comment (which needs a space before its `#`) from `from` to `end`. */
function restIsEmpty(text: string, from: number, end: number): boolean {
  let i = from;
  while (i < end && text.charCodeAt(i) === 0x20) i++;
  return i === end || (text[i] === '#' && i > from);
}

class Reader {
  /** The line being read: every line before it has been. */
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lines: Lines,
  ) {}

  /** Skips blank and comment lines; the index of the next line with content, or -1 at the end. */
  nextContent(): number {
    const { count, content } = this.lines;
    while (this.pos < count && content[this.pos] === 0) this.pos++;
    return this.pos < count ? this.pos : -1;
  }

  /** A block mapping whose keys sit at column `indent`; the current line is its first key. */
  mapping(indent: number): Record<string, unknown> {
    const { starts, ends, indents } = this.lines;
    const map: Record<string, unknown> = {};
    for (;;) {
      const at = this.nextContent();
      if (at < 0 || indents[at]! < indent) return map;
      if (indents[at]! > indent) notPlain();
      const entry = readKey(this.text, starts[at]! + indent, ends[at]!) ?? notPlain();
      if (Object.hasOwn(map, entry.key)) notPlain(); // a duplicate: the full parser names its line
      const value = this.value(at, entry.next, indent, true);
      // As `yaml` does: a key "__proto__" becomes an own property, not the object's prototype.
      if (entry.key === '__proto__')
        Object.defineProperty(map, entry.key, { value, writable: true, enumerable: true, configurable: true });
      else map[entry.key] = value;
    }
  }

  /** A block sequence whose dashes sit at column `indent`; the current line is its first entry. */
  sequence(indent: number): unknown[] {
    const { indents } = this.lines;
    const list: unknown[] = [];
    for (;;) {
      const at = this.nextContent();
      if (at < 0 || indents[at]! < indent) return list;
      if (indents[at]! > indent) notPlain();
      // A key at the dashes' column ends a sequence written at its own key's indentation.
      if (!this.isSequenceEntry(at)) return list;
      list.push(this.value(at, this.lines.starts[at]! + indent + 1, indent, false));
    }
  }

  /** `-` at the line's indentation, then a space or the line's end. */
  private isSequenceEntry(at: number): boolean {
    const dash = this.lines.starts[at]! + this.lines.indents[at]!;
    const end = this.lines.ends[at]!;
    return this.text[dash] === '-' && (dash + 1 === end || this.text[dash + 1] === ' ');
  }

  /**
   * The value after a key's colon or an entry's dash (`from` is just after it) on line `at`, whose mapping or
   * sequence is at column `parent`.
   */
  private value(at: number, from: number, parent: number, inMapping: boolean): unknown {
    const { text } = this;
    const end = this.lines.ends[at]!;
    if (from < end && text.charCodeAt(from) !== 0x20) notPlain();
    let i = from;
    while (i < end && text.charCodeAt(i) === 0x20) i++;
    if (i === end || text[i] === '#') {
      this.pos = at + 1;
      return this.nested(parent, inMapping);
    }
    if (!inMapping && readKey(text, i, end) !== undefined) {
      // `- key: value`: a compact mapping whose keys are at the column of the first one.
      this.lines.indents[at] = i - this.lines.starts[at]!;
      return this.mapping(this.lines.indents[at]!);
    }
    this.pos = at + 1;
    const c = text[i];
    let value: unknown;
    if (c === '"' || c === "'") {
      value = this.endOfLine(c === '"' ? readDoubleQuoted(text, i, end) : readSingleQuoted(text, i, end), end);
    } else if (c === '[') value = this.flowSequence(i, end);
    else if (c === '{') value = this.endOfLine(text[i + 1] === '}' ? { value: {}, end: i + 2 } : undefined, end);
    else if (c === '|') return this.literal(i, end, parent);
    else value = this.plain(i, end);
    // A more indented line after a one-line value would continue it, or be an error: either way, not here.
    const next = this.nextContent();
    if (next >= 0 && this.lines.indents[next]! > parent) notPlain();
    return value;
  }

  /** A value that ends at `scalar.end`, where nothing but a comment may follow it before `end`. */
  private endOfLine(scalar: { readonly value: unknown; readonly end: number } | undefined, end: number): unknown {
    if (scalar === undefined || !restIsEmpty(this.text, scalar.end, end)) notPlain();
    return scalar.value;
  }

  /** Nothing after the key or dash: a nested block on the next lines, else null. */
  private nested(parent: number, inMapping: boolean): unknown {
    const at = this.nextContent();
    if (at < 0) return null;
    const indent = this.lines.indents[at]!;
    if (indent > parent) {
      if (this.isSequenceEntry(at)) return this.sequence(indent);
      if (readKey(this.text, this.lines.starts[at]! + indent, this.lines.ends[at]!) !== undefined) {
        return this.mapping(indent);
      }
      notPlain(); // a scalar on the next line
    }
    if (indent === parent && inMapping && this.isSequenceEntry(at)) return this.sequence(indent);
    return null;
  }

  private plain(start: number, end: number): unknown {
    const { text } = this;
    const next = start + 1 < end ? text.charCodeAt(start + 1) : -1;
    const startsWell =
      isPlainStart(text.charCodeAt(start)) ||
      (text[start] === '-' && (isWordStart(next) || next === 0x2e) && next !== 0x24);
    if (!startsWell) notPlain();
    let stop = start + 1;
    while (stop < end && !(text.charCodeAt(stop) === 0x23 && text.charCodeAt(stop - 1) === 0x20)) stop++; // ` #`
    const value = text.slice(start, stop).trimEnd();
    if (value.includes(': ') || value.endsWith(':') || value.startsWith('---') || value.startsWith('...')) notPlain();
    return resolvePlain(value);
  }

  /** `[a, "b", 'c']` on one line, plain entries free of indicators. */
  private flowSequence(start: number, end: number): unknown[] {
    const { text } = this;
    const list: unknown[] = [];
    let i = start + 1;
    const skipSpaces = () => {
      while (i < end && text.charCodeAt(i) === 0x20) i++;
    };
    const close = () => this.endOfLine({ value: list, end: i + 1 }, end) as unknown[];
    skipSpaces();
    if (text[i] === ']' && i < end) return close();
    for (;;) {
      skipSpaces();
      const c = text[i];
      if (i < end && (c === '"' || c === "'")) {
        const quoted = (c === '"' ? readDoubleQuoted(text, i, end) : readSingleQuoted(text, i, end)) ?? notPlain();
        list.push(quoted.value);
        i = quoted.end;
      } else {
        let stop = i;
        while (stop < end && text[stop] !== ',' && text[stop] !== ']') stop++;
        const entry = text.slice(i, stop).trimEnd();
        if (!FLOW_PLAIN.test(entry) || (entry[0] === '-' && !/^-[0-9A-Za-z_.]/.test(entry))) notPlain();
        list.push(resolvePlain(entry));
        i = stop;
      }
      skipSpaces();
      if (i >= end) notPlain(); // not closed on this line
      if (text[i] === ']') return close();
      if (text[i] !== ',') notPlain();
      i++;
      skipSpaces();
      if (text[i] === ']') notPlain(); // a trailing comma
    }
  }

  /** `|` or `|-`: the more indented lines that follow, kept as written (indentation taken from the first). */
  private literal(start: number, end: number, parent: number): string {
    const { text } = this;
    const { count, starts, ends, indents, endsWithNewline } = this.lines;
    const header = /^\|(-?)(?: +#.*| *)$/.exec(text.slice(start, end));
    if (header === null) notPlain();
    const strip = header[1] === '-';
    const first = this.pos;
    const isBlank = (i: number) => indents[i] === ends[i]! - starts[i]!;
    let at = first;
    while (at < count && isBlank(at)) at++;
    if (at === count) notPlain();
    const indent = indents[at]!;
    if (indent <= parent) notPlain();
    const kept: string[] = [];
    let last = at; // the last line with text
    for (let i = first; i < count; i++) {
      if (isBlank(i)) {
        // Spaces beyond the indentation would be content (or, before the first line, an error).
        if (indents[i]! > indent) notPlain();
        kept.push('');
        continue;
      }
      if (indents[i]! < indent) break;
      kept.push(text.slice(starts[i]! + indent, ends[i]));
      last = i;
    }
    // The last line with no line break after it: clipping would keep none, a case left to the full parser.
    if (last === count - 1 && !endsWithNewline) notPlain();
    this.pos = last + 1;
    const next = this.nextContent();
    if (next >= 0 && indents[next]! > parent) notPlain();
    const body = kept.slice(0, last - first + 1).join('\n');
    return strip ? body : `${body}\n`;
  }
}
