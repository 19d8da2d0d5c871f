// Writes a tree as YAML the way people do, each choice (quoting, spacing, comments, where a list's dashes go)
// taken from a list of random numbers; then perhaps breaks the text in one place. For plain-yaml.test.ts.

export type Pick = (choices: number) => number;

/** A chooser over `numbers`, cycling: the same numbers always make the same text (fast-check can shrink them). */
export function chooser(numbers: readonly number[]): Pick {
  let i = 0;
  return (choices) => (numbers.length === 0 ? 0 : numbers[i++ % numbers.length]! % choices);
}

/** YAML for a mapping, in a style chosen by `pick`. */
export function writeYaml(tree: Record<string, unknown>, pick: Pick): string {
  const out: string[] = [];
  if (pick(3) === 0) out.push('# written by hand');
  mapping(tree, 0, pick, out);
  const text = out.join('\n');
  return pick(4) === 0 ? text : `${text}\n`;
}

function mapping(map: Record<string, unknown>, indent: number, pick: Pick, out: string[], first?: string): void {
  let lead = first;
  for (const [key, value] of Object.entries(map)) {
    const pad = lead ?? ' '.repeat(indent);
    lead = undefined;
    if (pick(6) === 0) out.push(`${' '.repeat(pick(2) === 0 ? indent : 0)}# note`);
    if (pick(8) === 0) out.push('');
    entry(`${pad}${keyText(key, pick)}:`, value, indent, pick, out, true);
  }
}

function entry(head: string, value: unknown, indent: number, pick: Pick, out: string[], inMapping: boolean): void {
  if (Array.isArray(value) && value.length > 0) {
    if (value.every((v) => typeof v !== 'object' || v === null) && pick(2) === 0) {
      out.push(`${head} [${value.map((v) => scalarText(v, pick, true)).join(pick(2) === 0 ? ', ' : ',')}]`);
      return;
    }
    out.push(head + trailing(pick));
    const at = inMapping && pick(2) === 0 ? indent : indent + 2;
    sequence(value, at, pick, out);
    return;
  }
  if (isMap(value) && Object.keys(value).length > 0) {
    out.push(head + trailing(pick));
    mapping(value, indent + 2 + 2 * pick(2), pick, out);
    return;
  }
  if (isMap(value) || Array.isArray(value)) {
    out.push(`${head} ${isMap(value) ? '{}' : '[]'}${trailing(pick)}`); // empty
    return;
  }
  if (typeof value === 'string' && value.includes('\n') && pick(2) === 0) {
    out.push(`${head} ${value.endsWith('\n') ? '|' : '|-'}`);
    const body = value.endsWith('\n') ? value.slice(0, -1) : value;
    for (const line of body.split('\n')) out.push(line === '' ? '' : `${' '.repeat(indent + 2)}${line}`);
    return;
  }
  out.push(`${head}${' '.repeat(1 + pick(2))}${scalarText(value, pick, false)}${trailing(pick)}`);
}

function sequence(list: readonly unknown[], indent: number, pick: Pick, out: string[]): void {
  for (const item of list) {
    const dash = `${' '.repeat(indent)}-`;
    if (isMap(item) && Object.keys(item).length > 0 && pick(3) !== 0) {
      mapping(item, indent + 2, pick, out, `${dash} `); // compact: `- key: value`
    } else {
      entry(dash, item, indent, pick, out, false);
    }
  }
}

function keyText(key: string, pick: Pick): string {
  const form = pick(5);
  if (form === 0) return JSON.stringify(key);
  if (form === 1) return `'${key.replaceAll("'", "''")}'`;
  return key;
}

function scalarText(value: unknown, pick: Pick, inFlow: boolean): string {
  if (typeof value !== 'string') return pick(4) === 0 ? JSON.stringify(String(value)) : String(value);
  const form = pick(inFlow ? 3 : 4);
  if (form === 0) return JSON.stringify(value);
  if (form === 1) return `'${value.replaceAll("'", "''")}'`;
  return value.replaceAll('\n', ' '); // plain, whatever that then means
}

function trailing(pick: Pick): string {
  return pick(5) === 0 ? '   # why' : '';
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BREAKERS = [':', ' ', '-', '#', '"', "'", '\t', '[', ']', '{', '&', '*', '|', '>', '\n', '  ', '? ', ': '];

/** The text with one thing broken: a character inserted or removed, a line's indentation changed, a line doubled. */
export function breakOnce(text: string, pick: Pick): string {
  const at = pick(text.length + 1);
  const lines = text.split('\n');
  const line = pick(lines.length);
  switch (pick(5)) {
    case 0:
      return text.slice(0, at) + BREAKERS[pick(BREAKERS.length)]! + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      lines[line] = ' '.repeat(1 + pick(3)) + lines[line]!;
      return lines.join('\n');
    case 3:
      lines[line] = lines[line]!.replace(/^ {1,2}/, '');
      return lines.join('\n');
    default:
      lines.splice(line, 0, lines[line]!);
      return lines.join('\n');
  }
}
