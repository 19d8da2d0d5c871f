// Sends a Reply, honouring backpressure for streamed bodies, or breaks it as the deciding fault says.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';

import { DEFAULT_REDIRECT_LOCATION, type Fault } from './fault-spec.js';
import type { IdSource } from './ids.js';
import { ordsError } from './ords-errors.js';
import type { Reply } from './reply.js';

/** A real TCP reset (RST), which clients see as ECONNRESET, rather than an orderly close. */
export function resetSocket(socket: Socket | null | undefined): void {
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const { body } = reply;
  if (typeof body === 'function') {
    res.writeHead(reply.status, reply.headers);
    // pipeline waits for the client to drain and destroys the generator if the client goes away.
    pipeline(body(), res).catch(() => undefined);
    return;
  }
  res.writeHead(reply.status, reply.headers);
  res.end(body);
}

/** Outcomes decided before the handler runs: the request never reaches "ORDS". */
export function preHandlerOutcome(fault: Fault | null, ids: IdSource): Reply | 'reset' | 'hang' | null {
  switch (fault?.kind) {
    case 'reset':
      return 'reset';
    case 'hang':
      return 'hang';
    case 'status':
      return ordsError(fault.status ?? 503, ids);
    case 'redirect':
      return {
        status: 302,
        headers: { Location: fault.location ?? DEFAULT_REDIRECT_LOCATION, 'Content-Length': '0' },
        body: '',
      };
    default:
      return null;
  }
}

/** Sends `reply`, or breaks it the way a fault decided after the handler ran (the job, if any, exists). */
export function deliver(res: ServerResponse, reply: Reply, fault: Fault | null): void {
  switch (fault?.kind) {
    case 'create-then-hang':
      return; // the job was created; the answer never comes
    case 'create-then-reset':
      resetSocket(res.socket);
      return;
    case 'malformed':
      return send(res, malformed(reply));
    case 'reset-mid-body':
      void sendPartial(res, reply, fault.bytes);
      return;
    default:
      send(res, reply);
  }
}

/** The normal status with JSON cut in the middle (and a stray byte), so no parser accepts it. */
function malformed(reply: Reply): Reply {
  const text =
    typeof reply.body === 'string' && reply.json ? reply.body : '{"items":[{"job_name":"DATAPUMP_REST_EXPORT';
  const broken = `${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}\u0000`;
  const { ETag: _etag, ...headers } = reply.headers;
  return {
    status: reply.status,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: broken,
    json: false,
  };
}

/** Headers and the first `bytes` of the body, then the connection closes with the body unfinished. */
async function sendPartial(res: ServerResponse, reply: Reply, bytes: number | undefined): Promise<void> {
  const { body } = reply;
  if (typeof body !== 'function') {
    const buffer = Buffer.from(body ?? '');
    // The full Content-Length is announced, so the client can tell the body is short.
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(buffer.length) });
    res.write(buffer.subarray(0, Math.min(buffer.length - 1, bytes ?? Math.floor(buffer.length / 2))), () =>
      res.socket?.destroy(),
    );
    return;
  }
  res.writeHead(reply.status, reply.headers);
  const limit = bytes ?? 64 * 1024;
  const stream = body();
  let sent = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const piece = chunk.subarray(0, limit - sent);
      sent += piece.length;
      if (sent >= limit) {
        res.write(piece, () => res.socket?.destroy());
        return;
      }
      if (!res.write(piece))
        await new Promise((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      if (res.destroyed) return;
    }
    res.socket?.destroy(); // shorter than `limit`: still never finish the chunked body
  } finally {
    stream.destroy();
  }
}
