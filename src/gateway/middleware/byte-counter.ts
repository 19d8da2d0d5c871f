/**
 * @module Counts each request's body bytes in and response body bytes out, by contract route and method, into
 * `datapump_gateway_request_bytes_total` / `…_response_bytes_total` once the response is over (done or cut).
 *
 * Why not the socket's own counters: a keep-alive (or pipelined) connection carries several requests, and
 * `socket.bytesWritten` also counts headers and bytes still queued when a connection is cut. So:
 * - **in**: the body chunks the gateway read (every chunk a Readable hands out passes through its `emit('data')`),
 *   while the response is not yet finished; Node draining an unread body after the answer is not the gateway
 *   reading it. A request refused before its body was read counts 0.
 * - **out**: each `write`/`end` chunk counts once Node reports it written to the connection (the write callback
 *   without an error; `end`'s chunk at `finish`). A download cut half-way counts what left, not what was offered.
 *   HEAD, 204 and 304 answers carry no body: Node drops what is written, so they count 0.
 */
import type { RequestHandler } from 'express';

import { type GatewayMetrics, routeLabel } from '../ops/metrics.js';

type WriteCallback = (error?: Error | null) => void;

/** Bytes of a chunk as Node will write it (a string in its encoding, utf8 by default). */
function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string')
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

export function countBytes(metrics: Pick<GatewayMetrics, 'requestBytes' | 'responseBytes'>): RequestHandler {
  return function countBytesMiddleware(req, res, next) {
    let bytesIn = 0;
    let bytesOut = 0;

    const emit = req.emit.bind(req);
    req.emit = function countingEmit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'data' && !res.writableFinished) bytesIn += byteLength(args[0], undefined);
      return emit(event, ...args);
    } as typeof req.emit;

    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = function countingWrite(chunk: unknown, ...rest: unknown[]): boolean {
      const callback = rest.find((a): a is WriteCallback => typeof a === 'function');
      const encoding = rest.find((a) => typeof a === 'string');
      const size = byteLength(chunk, encoding);
      const counted: WriteCallback = (error) => {
        if (!error) bytesOut += size;
        callback?.(error);
      };
      return write(chunk, ...(typeof encoding === 'string' ? [encoding] : []), counted);
    } as typeof res.write;

    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = function countingEnd(...args: unknown[]) {
      // end(cb), end(chunk, cb), end(chunk, encoding, cb): the chunk is written with the last bytes, so it
      // counts when the response finishes (everything flushed), not when end is called.
      const chunk = typeof args[0] === 'function' ? undefined : args[0];
      if (chunk !== undefined && chunk !== null && !res.writableEnded) {
        const size = byteLength(chunk, typeof args[1] === 'string' ? args[1] : undefined);
        res.once('finish', () => {
          bytesOut += size;
        });
      }
      return end(...args);
    } as typeof res.end;

    res.once('close', () => {
      const labels = { route: routeLabel(req), method: req.method };
      const bodiless = req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      metrics.requestBytes.inc(labels, bytesIn);
      metrics.responseBytes.inc(labels, bodiless ? 0 : bytesOut);
    });
    next();
  };
}
