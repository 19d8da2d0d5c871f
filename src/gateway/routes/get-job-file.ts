/**
 * @module GET (and HEAD) …/jobs/{owner},{job}/{filename}: stream a job's log or dump file from ORDS, byte for byte.
 *
 * In order: the job must be the tenant's (registry, before ORDS); a GET takes one of the tenant's download slots
 * (`429` when all are in use, released when the response closes); the name must be among the job's own files as
 * ORDS lists them now (the port reads the job first; any other name, or a job ORDS no longer shows, is
 * `404 file-not-found` and ORDS's file endpoint is not called); then the file streams through a pace check that
 * cuts a client that stops reading or reads too slowly (limits/downloads.ts). A HEAD answers from the job's file
 * list alone while ORDS shows the job; of a job gone from ORDS, it opens the file and reads none of it.
 *
 * A job ORDS no longer shows (Data Pump drops a successful job's control table) is asked for by the file names
 * the registry recorded of it; where ORDS no longer serves its log (unconfirmed either way), the log's tail the
 * job watcher kept answers instead, marked `Datapump-Log-Partial: tail`.
 */
import { pipeline } from 'node:stream/promises';

import express, { type RequestHandler } from 'express';
import type { Logger } from 'pino';

import { fileMediaType } from '../jobs/public-job.js';
import { type DownloadLimits, type PaceCut, paceGuard } from '../limits/downloads.js';
import type { JobRoute } from '../middleware/database-scope.js';
import { GatewayError } from '../problems/gateway-error.js';
import { abortOnClose, callMeta, pathParam, type RouteDeps } from './context.js';
import { ownedJob } from './ownership.js';

export interface FileRouteDeps {
  readonly downloads: DownloadLimits;
  /** Where a download cut for its pace is logged (it is no problem answer: the response had started). */
  readonly logger: Logger;
}

/** `…/datapump/jobs/{owner},{job}/{filename}` on either path shape, as the path normaliser leaves it. */
const FILE_PATH =
  /^(?:\/databases\/[^/]+|\/ords\/[^/]+\/[^/]+\/_\/db-api\/[^/]+\/database)\/datapump\/jobs\/[^/]+\/[^/]+$/;

/**
 * Mounts the contract validator so that a HEAD of a file is checked as the GET it mirrors (the contract lists
 * the GET; a HEAD takes the same parameters and has no body), then routed as the HEAD it is. Every other
 * request meets the validator unchanged (a HEAD of another path stays 405).
 */
export function validateFileHeadAsGet(validator: RequestHandler[]): RequestHandler {
  const chain = express.Router();
  chain.use(validator);
  return function fileHeadAsGet(req, res, next) {
    if (req.method !== 'HEAD' || !FILE_PATH.test(req.path)) {
      chain(req, res, next);
      return;
    }
    req.method = 'GET';
    chain(req, res, (err?: unknown) => {
      req.method = 'HEAD';
      next(err);
    });
  };
}

const contentType = (type: 'text/plain' | 'application/octet-stream') =>
  type === 'text/plain' ? 'text/plain; charset=utf-8' : 'application/octet-stream';

export function getJobFile(deps: RouteDeps, { downloads, logger }: FileRouteDeps): JobRoute {
  return async function getJobFileHandler(scope, req, res) {
    const { database, tenant } = scope;
    const owner = pathParam(req, 'owner_name');
    const name = pathParam(req, 'job_name');
    const filename = pathParam(req, 'filename');
    const record = await ownedJob(deps.registry, tenant, database.name, owner, name);
    const knownFiles = record?.files ? new Set(record.files) : undefined;
    const headers = (type: 'text/plain' | 'application/octet-stream') => ({
      'Content-Type': contentType(type),
      'Cache-Control': 'no-store',
      'Content-Disposition': `attachment; filename="${filename}"`,
    });
    // The kept end of the log, for when ORDS no longer serves it: only of a recorded log file, never another name.
    const keptTail =
      record?.logTail != null && knownFiles?.has(filename) && fileMediaType(filename) === 'text/plain'
        ? Buffer.from(record.logTail, 'utf8')
        : undefined;
    const answerTail = (tail: Buffer) => {
      res
        .status(200)
        .set({ ...headers('text/plain'), 'Datapump-Log-Partial': 'tail', 'Content-Length': String(tail.length) });
      if (req.method === 'HEAD') res.end();
      else res.end(tail);
    };

    if (req.method === 'HEAD') {
      // From the job's file list only: a HEAD must not make ORDS stream a file nobody reads.
      const call = { ...callMeta(scope), signal: abortOnClose(res) };
      const listed = await deps.ords.jobFiles(database, owner, name, call);
      if (!listed && keptTail) {
        // Gone from ORDS: a GET may get the whole log or the kept tail; the tail is the one thing certain.
        answerTail(keptTail);
        return;
      }
      if (!(listed ?? knownFiles)?.has(filename)) {
        throw new GatewayError('file-not-found', { detail: 'The job has no such file.' });
      }
      let length: unknown;
      if (!listed) {
        // Gone from ORDS, nothing kept: whether ORDS still serves the file is known only by asking for it, so the
        // HEAD answers what the GET would (its body is thrown away unread; a 404 propagates as the GET's would).
        // It holds an ORDS file connection meanwhile, so it takes one of the tenant's download slots, as a GET does.
        const release = downloads.acquire(tenant);
        try {
          const file = await deps.ords.openFile(database, owner, name, filename, call, { knownFiles: knownFiles! });
          file.body.destroy();
          length = file.headers['content-length'];
        } finally {
          release();
        }
      }
      res.status(200).set(headers(fileMediaType(filename)));
      copyLength(res, length);
      res.end();
      return;
    }

    // Taken before ORDS is asked; released once the response closes, whatever way (finished, failed, cut, client
    // gone). The same listener aborts the ORDS calls when the client goes away before the answer is complete.
    const release = downloads.acquire(tenant);
    const gone = new AbortController();
    // Each pipeline stage watches the response's end (server, access log, span, byte counter, request context,
    // this route, stream.pipeline): more than Node's default of 10 listeners, which is no leak here.
    res.setMaxListeners(20);
    res.once('close', () => {
      release();
      if (!res.writableFinished) gone.abort();
    });

    let file: Awaited<ReturnType<typeof deps.ords.openFile>>;
    try {
      file = await deps.ords.openFile(
        database,
        owner,
        name,
        filename,
        { ...callMeta(scope), signal: gone.signal },
        {
          ...(knownFiles ? { knownFiles } : {}),
        },
      );
    } catch (err) {
      if (keptTail && err instanceof GatewayError && err.slug === 'file-not-found') {
        answerTail(keptTail);
        return;
      }
      throw err;
    }
    const upstreamType = String(file.headers['content-type'] ?? '');
    // A dump leaves as application/octet-stream whatever ORDS labels it: octet-stream, or the
    // application/vnd.tcpdump.pcap Oracle's file page gives dumps (realities §6). Only a text/plain answer is a log.
    const type = upstreamType.startsWith('text/plain') ? 'text/plain' : fileMediaType(filename);
    res.status(200).set(headers(type));
    copyLength(res, file.headers['content-length']);

    let cut: PaceCut | undefined;
    const pace = paceGuard(
      res,
      { idleMs: database.timeouts.fileIdleMs, minBytesPerSecond: database.timeouts.fileMinBytesPerSecond },
      (why) => {
        cut = why;
        // Both ends: the client's connection (it must not look whole) and the ORDS body (its connection is freed).
        res.destroy();
        file.body.destroy();
        logger.warn(
          {
            requestId: scope.requestId,
            tenant: tenant.id,
            database: database.name,
            owner,
            job: name,
            filename,
            ...why,
          },
          why.reason === 'idle'
            ? 'download cut: its client took nothing for file_idle_ms'
            : 'download cut: its client read slower than file_min_bytes_per_second',
        );
      },
    );
    try {
      // Streamed, never buffered: a 1 GiB log costs the gateway a few chunks of memory.
      await pipeline(file.body, pace.meter, res);
    } catch (cause) {
      if (cut) return; // logged when it was cut; nothing left to answer
      // ORDS failed part-way (or the client went away): pipeline destroyed the response, so the client sees a cut
      // connection, never a short 200 that looks whole. Log it; there is nothing left to answer.
      throw new GatewayError('upstream-error', {
        detail: 'ORDS failed while sending the file.',
        logContext: { owner, job: name, filename, streamed: true, bytes: pace.bytes() },
        cause,
      });
    } finally {
      pace.stop();
    }
  };
}

/** ORDS's `Content-Length`, passed on when it is a plain number (anything else is left to chunked encoding). */
function copyLength(res: express.Response, length: unknown): void {
  if (typeof length === 'string' && /^\d+$/.test(length)) res.setHeader('Content-Length', length);
}
