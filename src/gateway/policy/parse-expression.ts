/** @module An allow-list parser for `*_expressions` clauses: anything outside the small grammar is refused with its position. */
import type { Expression } from './expression.js';
import { MAX_NAME_BYTES } from './names.js';

/*
 * Grammar (keywords in any case; spaces are the only whitespace, and may be left out where unambiguous):
 *   expression = ws ( in_list | "NOT" ws1 in_list | op ws literal | "LIKE" ws pattern | "NOT" ws1 "LIKE" ws pattern ) ws
 *   in_list    = "IN" ws "(" ws literal { ws "," ws literal } ws ")"
 *   op         = "=" | "!=" | "<>"
 *   literal    = "'" [A-Z] [A-Z0-9_$#]* "'"            1..maxNameBytes
 *   pattern    = "'" [A-Z%_] [A-Z0-9_$#%]* "'"          1..maxNameBytes
 * There is deliberately no escape mechanism: a name that would need one is refused, so the serializer never escapes.
 */

export interface ParseOptions {
  /** 128 for schemas and object names, 30 for tablespaces. */
  readonly maxNameBytes: number;
  readonly maxListNames: number;
  readonly maxBytes: number;
}

export type ParseResult =
  | { readonly ok: true; readonly expression: Expression }
  | { readonly ok: false; readonly position: number; readonly reason: string };

const DEFAULTS: ParseOptions = { maxNameBytes: MAX_NAME_BYTES, maxListNames: 1000, maxBytes: 65536 };

/** Thrown only inside this module, so the recursive descent can stop at the first fault. */
class Refusal {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {}
}

export function parseExpression(text: string, options: Partial<ParseOptions> = {}): ParseResult {
  const o: ParseOptions = {
    maxNameBytes: options.maxNameBytes ?? DEFAULTS.maxNameBytes,
    maxListNames: options.maxListNames ?? DEFAULTS.maxListNames,
    maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
  };
  try {
    // Checked on characters first: every non-ASCII one is refused below, so bytes equal characters when it passes.
    if (text.length > o.maxBytes)
      throw new Refusal(o.maxBytes + 1, `the expression is longer than ${o.maxBytes} bytes`);
    prescan(text);
    return { ok: true, expression: new Parser(text, o).expression() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, position: error.position, reason: error.reason };
    throw error;
  }
}

/** Characters and sequences refused wherever they appear, so their message does not depend on parser state. */
function prescan(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const at = i + 1;
    if (code === 0x09) throw new Refusal(at, 'tabs are not accepted; only spaces may separate words');
    if (code < 0x20 || code === 0x7f) throw new Refusal(at, 'control characters are not accepted');
    if (code > 0x7e) {
      const cp = (text.codePointAt(i) ?? code).toString(16).toUpperCase().padStart(4, '0');
      throw new Refusal(at, `non-ASCII character U+${cp} is not accepted (look-alike letters are not keywords)`);
    }
    const pair = text.slice(i, i + 2);
    if (pair === '--' || pair === '/*' || pair === '*/') throw new Refusal(at, 'comments are not accepted');
    if (pair === '||') throw new Refusal(at, 'concatenation (||) is not accepted');
    if (text[i] === ';') throw new Refusal(at, 'statement terminators (;) are not accepted');
    if (text[i] === '"')
      throw new Refusal(at, 'double-quoted identifiers are not accepted; write the name in single quotes');
  }
}

const isUpper = (c: string | undefined): boolean => c !== undefined && c >= 'A' && c <= 'Z';
const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isWordStart = (c: string | undefined): boolean => isUpper(c) || isLower(c);
const isWordPart = (c: string | undefined): boolean =>
  isWordStart(c) || isDigit(c) || c === '_' || c === '$' || c === '#';

const BOOLEAN_WORDS = new Set(['OR', 'AND', 'XOR']);
const QUERY_WORDS = new Set(['SELECT', 'FROM', 'WHERE', 'WITH', 'UNION', 'EXISTS', 'VALUES']);

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly o: ParseOptions,
  ) {}

  expression(): Expression {
    this.spaces();
    if (this.pos >= this.text.length) this.fail('the expression is empty');
    const result = this.clause();
    this.spaces();
    if (this.pos < this.text.length) {
      const word = this.word();
      if (word) this.unexpectedWord(word, 'after the expression');
      this.fail('unexpected text after the expression');
    }
    return result;
  }

  private clause(): Expression {
    const word = this.word();
    if (word) {
      const keyword = word.text.toUpperCase();
      if (keyword === 'IN') return { kind: 'in', negated: false, names: this.list() };
      if (keyword === 'LIKE') return { kind: 'like', negated: false, pattern: this.literal('pattern') };
      if (keyword === 'NOT') {
        this.spaces();
        const next = this.word();
        const nextKeyword = next?.text.toUpperCase();
        if (next && nextKeyword === 'IN') return { kind: 'in', negated: true, names: this.list() };
        if (next && nextKeyword === 'LIKE') return { kind: 'like', negated: true, pattern: this.literal('pattern') };
        if (next) this.unexpectedWord(next, 'after NOT');
        this.fail('NOT must be followed by IN or LIKE');
      }
      this.unexpectedWord(word, 'at the start of the expression');
    }
    const c = this.text[this.pos];
    const pair = this.text.slice(this.pos, this.pos + 2);
    if (c === '=') {
      this.pos += 1;
      return { kind: 'compare', operator: '=', name: this.literal('name') };
    }
    if (pair === '!=' || pair === '<>') {
      this.pos += 2;
      return { kind: 'compare', operator: '!=', name: this.literal('name') };
    }
    return this.fail('expected IN, NOT IN, =, !=, <>, LIKE or NOT LIKE');
  }

  private list(): string[] {
    this.spaces();
    if (this.text[this.pos] !== '(') this.fail('IN must be followed by a parenthesised list of quoted names');
    this.pos += 1;
    this.spaces();
    if (this.text[this.pos] === ')') this.fail('an IN list may not be empty');
    const names: string[] = [];
    const seen = new Set<string>();
    for (let count = 0; ;) {
      if (count === this.o.maxListNames) this.fail(`an IN list may hold at most ${this.o.maxListNames} names`);
      const name = this.literal('name');
      count += 1;
      // Duplicates are harmless to Oracle but dropped (first occurrence kept), so the canonical form names each once.
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
      this.spaces();
      const c = this.text[this.pos];
      if (c === ')') {
        this.pos += 1;
        return names;
      }
      if (c === ',') {
        this.pos += 1;
        this.spaces();
        if (this.text[this.pos] === ')') this.fail('a trailing comma is not accepted in an IN list');
        continue;
      }
      if (c === undefined) this.fail('the IN list is not closed');
      const word = this.word();
      if (word) this.unexpectedWord(word, 'in the IN list');
      this.fail('expected "," or ")" in the IN list');
    }
  }

  /** A single-quoted name (or LIKE pattern) with no escapes: its content is the name, byte for byte. */
  private literal(kind: 'name' | 'pattern'): string {
    this.spaces();
    const start = this.pos;
    const c = this.text[start];
    if (c !== "'") {
      const word = this.word();
      if (word) this.unexpectedWord(word, `where a quoted ${kind} was expected`);
      if (c === '(') this.fail('sub-queries and nested lists are not accepted');
      this.fail(`expected a quoted ${kind}`);
    }
    this.pos += 1;
    const bodyStart = this.pos;
    for (; this.pos < this.text.length && this.text[this.pos] !== "'"; this.pos++) {
      this.checkLiteralChar(kind, this.text[this.pos], this.pos === bodyStart);
    }
    if (this.pos >= this.text.length) this.fail(`the quoted ${kind} is not closed`, start);
    const body = this.text.slice(bodyStart, this.pos);
    if (body.length === 0) this.fail(`a quoted ${kind} may not be empty`, start);
    if (body.length > this.o.maxNameBytes)
      this.fail(`a ${kind} may be at most ${this.o.maxNameBytes} bytes long`, start);
    this.pos += 1;
    // 'A''B' is how SQL escapes a quote; refusing it keeps every literal free of quotes.
    if (this.text[this.pos] === "'") this.fail('quotes inside names are not accepted');
    return body;
  }

  private checkLiteralChar(kind: 'name' | 'pattern', c: string | undefined, first: boolean): void {
    const wildcard = c === '%' || c === '_';
    if (isUpper(c)) return;
    if (kind === 'pattern' && wildcard) return;
    if (isLower(c)) {
      this.fail(
        'lowercase letters are not accepted: Oracle stores non-quoted names in uppercase and compares them exactly',
      );
    }
    if (first && (isDigit(c) || c === '_' || c === '$' || c === '#'))
      this.fail(`a ${kind} must start with a letter${kind === 'pattern' ? ', % or _' : ''}`);
    if (isDigit(c) || c === '_' || c === '$' || c === '#') return;
    if (c === '%') this.fail('wildcards (%) are accepted only in LIKE patterns');
    if (c === ' ') this.fail('spaces are not accepted inside names');
    this.fail(`the character ${JSON.stringify(c)} is not accepted in a ${kind}`);
  }

  /** Refuses a bare word with the most helpful reason: the known injection shapes get their own message. */
  private unexpectedWord(word: { text: string; start: number }, where: string): never {
    const upper = word.text.toUpperCase();
    const next = this.text[this.pos];
    let reason: string;
    if (BOOLEAN_WORDS.has(upper)) reason = 'boolean operators (OR, AND) are not accepted';
    else if (QUERY_WORDS.has(upper)) reason = 'sub-queries are not accepted';
    else if (upper === 'ESCAPE') reason = 'ESCAPE clauses are not accepted';
    else if ((upper === 'Q' || upper === 'NQ') && next === "'") reason = "alternative quoting (q'…') is not accepted";
    else if (upper === 'N' && next === "'") reason = "national character literals (N'…') are not accepted";
    else if (next === '(' || next === '.' || this.text[this.afterSpaces()] === '(')
      reason = 'function calls are not accepted';
    else reason = `unexpected word ${where}; only IN, NOT IN, =, !=, <>, LIKE and NOT LIKE are accepted`;
    this.fail(reason, word.start);
  }

  private word(): { text: string; start: number } | null {
    const start = this.pos;
    if (!isWordStart(this.text[start])) return null;
    let end = start + 1;
    while (isWordPart(this.text[end])) end += 1;
    this.pos = end;
    return { text: this.text.slice(start, end), start };
  }

  private spaces(): void {
    this.pos = this.afterSpaces();
  }

  private afterSpaces(): number {
    let at = this.pos;
    while (this.text[at] === ' ') at += 1;
    return at;
  }

  private fail(reason: string, at = this.pos): never {
    throw new Refusal(at + 1, reason);
  }
}
