/**
 * @module Answers the requests Node's own HTTP parser refuses (`clientError`: a request line or headers over
 * the size limit, a malformed header line, a broken body framing) with the same application/problem+json the
 * gateway answers everything else with, instead of Node's bare text. No Express request exists for them, so
 * the answer is written to the socket directly, and the connection is closed after it.
 */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Logger } from 'pino';

import { classifyClientError } from '../problems/from-error.js';
import { rawProblemResponse } from '../problems/handler.js';

/** What Node answers a request timeout with by default; the contract has no problem type for a 408. */
const REQUEST_TIMEOUT = Buffer.from('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n', 'latin1');

/**
 * How long a refused connection may linger after its answer (the client reading it, then closing) before it
 * is cut: closing at once, with the rest of a large request still unread, can reset the connection before
 * the client has read the answer.
 */
const LINGER_MS = 1_000;

export interface ClientErrorOptions {
  readonly logger?: Logger;
  /** Counts each answered problem by slug (the metrics' "rejections by reason"). */
  readonly onProblem?: (slug: string, status: number) => void;
}

type ServerSocket = Duplex & { _httpMessage?: ServerResponse | null };

/** The `clientError` listener for an `http.Server`: `server.on('clientError', answerClientErrors(...))`. */
export function answerClientErrors({ logger, onProblem }: ClientErrorOptions = {}) {
  // Node's parser may report the same broken connection more than once (more data arrives, the client ends).
  const answered = new WeakSet<Duplex>();
  return function onClientError(err: Error & { code?: string }, duplex: Duplex): void {
    const socket = duplex as ServerSocket;
    if (answered.has(socket)) return;
    answered.add(socket);
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // As Node answers it, unless the answer to the request that timed out has already begun.
      const inFlight = socket._httpMessage;
      if (isOpen(socket) && !inFlight?.headersSent) closeWith(socket, REQUEST_TIMEOUT);
      else socket.destroy();
      return;
    }
    const error = classifyClientError(err);
    if (!error || !isOpen(socket)) {
      socket.destroy();
      return;
    }
    logger?.info({ problem: error.slug, status: error.status, code: err.code }, error.message);
    onProblem?.(error.slug, error.status);
    const answer = () => (isOpen(socket) ? closeWith(socket, rawProblemResponse(error)) : socket.destroy());
    // A pipelined request's answer still being written (or not yet begun) is its own: the problem follows it.
    const inFlight = socket._httpMessage;
    if (!inFlight || inFlight.writableFinished) {
      answer();
      return;
    }
    inFlight.once('finish', answer);
    inFlight.once('close', () => {
      if (!inFlight.writableFinished) socket.destroy();
    });
  };
}

function isOpen(socket: Duplex): boolean {
  return !socket.destroyed && socket.writable;
}

/** Writes the answer, ends the connection, and cuts it if the client has not closed its side soon after. */
function closeWith(socket: Duplex, response: Buffer): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', () => socket.destroy());
  // Keep reading (and dropping) what the client still sends, so that the close is not a reset.
  socket.resume();
  socket.end(response);
}
