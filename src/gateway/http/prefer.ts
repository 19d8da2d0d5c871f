/**
 * @module RFC 7240 `Prefer`: the `wait` preference of a request, as the gateway honours it (a long-poll of one job).
 * Anything it cannot read is ignored, as RFC 7240 §2 asks of a server, never refused.
 */

/** The longest wait the gateway honours, in seconds; a longer one is cut to it (and `Preference-Applied` says so). */
export const MAX_WAIT_SECONDS = 60;

/**
 * The seconds of the first `wait` preference (RFC 7240 §4.3: `wait=<delta-seconds>`, the value a token or a quoted
 * string of digits), at most `MAX_WAIT_SECONDS`; undefined when there is none, or the first is not a whole number of
 * seconds. Header values repeated by the client arrive joined by `, ` (Node) or as an array: both are read in order.
 */
export function preferredWait(header: string | readonly string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = typeof header === 'string' ? header : header.join(',');
  for (const preference of splitOutsideQuotes(text, ',')) {
    // Parameters after `;` belong to the preference; `wait` has none that change it.
    const [head = ''] = splitOutsideQuotes(preference, ';');
    const eq = head.indexOf('=');
    const name = (eq === -1 ? head : head.slice(0, eq)).trim().toLowerCase();
    if (name !== 'wait') continue;
    // "If any preference is specified more than once, only the first instance is to be considered" (§2).
    if (eq === -1) return undefined;
    let value = head.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    // Any number of digits (delta-seconds, RFC 9111 §1.2.2: one too large to hold is the largest): the cut follows.
    if (!/^[0-9]+$/.test(value)) return undefined;
    return Math.min(Number(value), MAX_WAIT_SECONDS);
  }
  return undefined;
}

/**
 * `text` cut at each `separator` outside a quoted string (RFC 9110 §5.6.4: `"…"`, with `\` escaping the next
 * character): another preference's quoted value may hold a comma or a semicolon, which ends nothing.
 */
function splitOutsideQuotes(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
