// An HTTP client for the emulator tests: real requests (undici), and every answer checked against the contract.
import { request } from 'undici';

import { assertOrdsContract } from './ords-contract.js';

export const BASIC = `Basic ${Buffer.from('pdbadmin:oracle').toString('base64')}`;
export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON when the answer is JSON, else undefined. */
  json: any; // tests inspect arbitrary answers
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON (with Content-Type: application/json unless given); a string as is. */
  body?: unknown;
  /** Check the answer against the ORDS contract (default true; off for deliberately broken answers). */
  contract?: boolean;
  signal?: AbortSignal;
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v]])),
  );
}

export async function call(url: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  const res = await request(url, { method, headers, body, signal: options.signal });
  const text = await res.body.text();
  const flat = flatten(res.headers);
  const type = flat['content-type'] ?? '';
  let json: unknown;
  if (/json/.test(type)) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  const answer: Answer = { status: res.statusCode, headers: flat, text, json };
  const path = new URL(url).pathname;
  if (options.contract !== false && path.startsWith('/ords/')) {
    assertOrdsContract({ method, path, status: answer.status, contentType: type, body: json ?? text, headers: flat });
  }
  return answer;
}
