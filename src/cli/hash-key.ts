/** @module `hash-key`: makes a new API key (or hashes a given one) and prints the entry a tenant's api_keys holds. */
import type { Command } from 'commander';
import { Document, isSeq, YAMLMap } from 'yaml';

import { API_KEY_ID_PATTERN, generateApiKey, hashApiKey } from '../gateway/config/api-key.js';
import type { CliIo } from './io.js';

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
/** Ten years: a longer "expiry" is no expiry, and a typo of a few zeros should be caught. */
const MAX_EXPIRES_IN_MS = 3650 * UNIT_MS.d;

/** `90d` → 90 days in ms; `h`, `d` and `w`. A message instead when the text is not a sane positive span. */
export function parseExpiresIn(text: string): { ms: number } | { error: string } {
  const match = /^(\d{1,7})([hdw])$/.exec(text);
  if (!match) return { error: '--expires-in must be a whole number of hours, days or weeks, like 12h, 90d or 8w' };
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms === 0) return { error: '--expires-in must be more than 0' };
  if (ms > MAX_EXPIRES_IN_MS) return { error: '--expires-in must be at most 3650d (ten years)' };
  return { ms };
}

/** RFC 3339 in UTC to the second (`2027-03-01T14:00:00Z`): what `expires_at` reads best as. */
export function expiryTimestamp(now: Date, ms: number): string {
  return new Date(Math.floor((now.getTime() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The api_keys entry as one YAML line, `  - { id: …, sha256: …, expires_at: … }` (or `  - sha256: …` alone),
 * written by the YAML library so an id YAML would read as a number or a boolean (`2026`, `true`) comes quoted.
 */
export function apiKeyEntryLine(entry: { id?: string; sha256: string; expiresAt?: string }): string {
  const map = new YAMLMap();
  if (entry.id !== undefined) map.set('id', entry.id);
  map.set('sha256', entry.sha256);
  if (entry.expiresAt !== undefined) map.set('expires_at', entry.expiresAt);
  map.flow = map.items.length > 1;
  const doc = new Document([]);
  if (isSeq(doc.contents)) doc.contents.items.push(map);
  return `  ${doc.toString({ lineWidth: 0 }).trimEnd()}`;
}

export function registerHashKey(program: Command, io: CliIo, now: () => Date = () => new Date()): void {
  program
    .command('hash-key')
    .description("print a new random API key and its SHA-256, the entry a tenant's api_keys holds")
    .option('--key <key>', 'hash this existing key instead of making a new one')
    .option('--id <name>', "the key's name in logs and /metrics (1-64 of A-Z a-z 0-9 . _ -)")
    .option('--expires-in <span>', 'the key stops working after this long: 12h, 90d, 8w (at most 3650d)')
    .action(function (this: Command, options: { key?: string; id?: string; expiresIn?: string }) {
      const usage = (message: string, code: string) => this.error(`error: ${message}`, { exitCode: 2, code });
      if (options.key === '') usage('--key must not be empty', 'hash-key.empty');
      if (options.id !== undefined && !API_KEY_ID_PATTERN.test(options.id))
        usage("--id must be 1 to 64 letters, digits, '.', '_' or '-'", 'hash-key.id');
      let expiresAt: string | undefined;
      if (options.expiresIn !== undefined) {
        const span = parseExpiresIn(options.expiresIn);
        if ('error' in span) return usage(span.error, 'hash-key.expires-in');
        expiresAt = expiryTimestamp(now(), span.ms);
      }
      const given = options.key !== undefined;
      const key = options.key ?? generateApiKey();
      const sha256 = hashApiKey(key);
      // A key given on the command line is not echoed back: the terminal may be logged or shared.
      const lines = [
        ...(given ? [] : [`key:    ${key}`]),
        `sha256: ${sha256}`,
        '',
        given
          ? "Paste this line under the tenant's api_keys:"
          : "Hand the key to the tenant once (only its hash is kept); paste this line under the tenant's api_keys:",
        apiKeyEntryLine({
          sha256,
          ...(options.id === undefined ? {} : { id: options.id }),
          ...(expiresAt === undefined ? {} : { expiresAt }),
        }),
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
    });
}
