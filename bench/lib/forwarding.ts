/** @module What the two reference forwarders (bare proxy, Express floor) share: options, header rules and their command line. */

export interface ForwarderOptions {
  /** ORDS base URL up to and including `/ords/<database>/<schema>/`. */
  readonly upstream: string;
  /** `user:password` for ORDS's HTTP Basic. */
  readonly credentials: string;
  /** Connections kept to ORDS (the gateway's default `connections` is 16). */
  readonly connections?: number;
  readonly host?: string;
  readonly port?: number;
}

export interface Forwarder {
  readonly url: string;
  close(): Promise<void>;
}

/** The public path both map onto ORDS's `…/_/db-api/stable/database/datapump/jobs/`. */
export const PUBLIC_PREFIX = '/databases/orcl/datapump/jobs/';

/** Hop-by-hop headers are the connection's, never forwarded. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

/** The request headers passed on to ORDS (the ORDS credentials are the forwarder's own). */
export const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'content-type',
  'content-length',
  'if-none-match',
  'x-request-id',
] as const;

/**
 * The command line of a forwarder: `--upstream <ords url> [--port N] [--user name:password] [--connections N]`;
 * prints `<name> listening on <url>` and stops on SIGTERM or SIGINT.
 */
export async function runForwarder(
  name: string,
  program: string,
  start: (options: ForwarderOptions) => Promise<Forwarder>,
): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const upstream = arg('--upstream');
  if (!upstream) {
    process.stderr.write(
      `usage: ${program} --upstream <ords url> [--port N] [--user name:password] [--connections N]\n`,
    );
    process.exit(1);
  }
  const forwarder = await start({
    upstream,
    credentials: arg('--user') ?? 'pdbadmin:oracle',
    connections: Number(arg('--connections') ?? 16),
    port: Number(arg('--port') ?? 0),
  });
  process.stdout.write(`${name} listening on ${forwarder.url}\n`);
  const stop = () => {
    void forwarder.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
