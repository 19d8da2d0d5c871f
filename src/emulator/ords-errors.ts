// ORDS's error bodies (`{code, title, message, type, instance}`), served as application/problem+json.
import { STATUS_CODES } from 'node:http';

import type { IdSource } from './ids.js';
import { jsonReply, type Reply } from './reply.js';

/** ORDS's `code` for each status; others are derived from the reason phrase ("Bad Gateway" → BadGateway). */
const CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/**
 * ORDS's own statuses, which HTTP has no reason phrase for (Status Codes page, 25.3: 570 database account locked,
 * 571 database connection error). The status is documented; the `code` and `title` ORDS sends with it are not.
 */
const ORDS_REASONS: Record<number, string> = {
  570: 'Database Account Locked',
  571: 'Database Connection Error',
};

export interface OrdsErrorBody {
  code: string;
  title?: string;
  message: string;
  type: string;
  instance: string;
}

export function ordsErrorBody(status: number, ids: IdSource, message?: string): OrdsErrorBody {
  const title = STATUS_CODES[status] ?? ORDS_REASONS[status] ?? 'Error';
  const code = CODES[status] ?? title.replace(/[^A-Za-z]/g, '');
  const base = { code, type: `tag:oracle.com,2020:error/${code}`, instance: `tag:oracle.com,2020:ecid/${ids.next()}` };
  // ORDS's 401 body has no `title` (observed); newer releases add `title` to the others.
  if (status === 401) return { code, message: title, type: base.type, instance: base.instance };
  return { code, title, message: message ?? title, type: base.type, instance: base.instance };
}

export function ordsError(
  status: number,
  ids: IdSource,
  message?: string,
  headers: Record<string, string> = {},
): Reply {
  return jsonReply(status, ordsErrorBody(status, ids, message), headers, 'application/problem+json');
}
