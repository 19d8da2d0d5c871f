/** @module Object Storage URIs in `file_name`: the database fetches them, so only Oracle's native endpoints and the tenant's buckets pass. */

export type ObjectUriResult =
  | { readonly ok: true; readonly uri: string; readonly namespace: string; readonly bucket: string }
  | { readonly ok: false; readonly reason: string };

// Region identifiers such as us-ashburn-1, eu-frankfurt-1, us-gov-phoenix-1.
const REGION = '[a-z]{2,3}(?:-[a-z]+)+-[0-9]{1,2}';
// The documented native DBMS_CLOUD forms only; the "customer-managed" URI formats are SSRF and stay off the list.
const LEGACY_HOST = new RegExp(`^objectstorage\\.${REGION}\\.oraclecloud\\.com$`);
const DEDICATED_HOST = new RegExp(`^([a-z0-9][a-z0-9-]{0,62})\\.objectstorage\\.${REGION}\\.oci\\.customer-oci\\.com$`);
const NAMESPACE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,255}$/;
const PATH = /^\/n\/([^/]+)\/b\/([^/]+)\/o\/(.+)$/;

const refuse = (reason: string): ObjectUriResult => ({ ok: false, reason });

/**
 * Checks the URI's shape (grants are the caller's business). The URI must already be in WHATWG canonical form,
 * so what we check is byte for byte what the database receives: no parser differential (backslashes, default
 * ports, dot segments, upper-case hosts) can slip between our reading and DBMS_CLOUD's.
 */
export function checkObjectUri(raw: string): ObjectUriResult {
  if (/[^\x21-\x7e]/.test(raw)) return refuse('the URI may hold only printable ASCII without spaces');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('the file name is not a valid URI');
  }
  if (url.protocol !== 'https:') return refuse('the URI must use https');
  if (url.username !== '' || url.password !== '') return refuse('the URI may not carry a user name or password');
  const authority = /^https:\/\/([^/\\?#]*)/i.exec(raw)?.[1] ?? '';
  if (url.port !== '' || authority.includes(':')) return refuse('the URI may not name a port');
  if (raw.includes('?') || raw.includes('#')) return refuse('the URI may not have a query or a fragment');
  const host = url.hostname;
  if (/^[0-9.]+$/.test(host) || host.startsWith('['))
    return refuse('IP addresses are not accepted as Object Storage hosts');
  const dedicated = DEDICATED_HOST.exec(host);
  if (!dedicated && !LEGACY_HOST.test(host)) return refuse('the host is not an Oracle Object Storage endpoint');
  if (url.href !== raw)
    return refuse('the URI is not in canonical form (check the case of the host, "\\", "." segments and escapes)');
  const path = PATH.exec(url.pathname);
  if (!path) return refuse('the URI path must be /n/{namespace}/b/{bucket}/o/{object}');
  const [, namespace = '', bucket = '', object = ''] = path;
  if (!NAMESPACE.test(namespace))
    return refuse('the namespace in the URI path is not a valid Object Storage namespace');
  if (dedicated && dedicated[1] !== namespace) return refuse("the host's namespace and the path's namespace differ");
  if (!BUCKET.test(bucket)) return refuse('the bucket in the URI path is not a valid bucket name');
  const objectFault = objectNameFault(object);
  if (objectFault) return refuse(objectFault);
  // Rebuilt from the checked parts; equal to `raw` by now, but only checked text is ever forwarded.
  return { ok: true, uri: `https://${host}/n/${namespace}/b/${bucket}/o/${object}`, namespace, bucket };
}

function objectNameFault(object: string): string | null {
  if (object.includes('..')) return 'the object name may not contain ".."';
  if (/%(2e|2f|5c)/i.test(object)) return 'the object name may not contain a percent-encoded ".", "/" or "\\"';
  if (object.split('/').some((segment) => segment === '')) return 'the object name may not contain empty path segments';
  // Other percent-escapes are refused too: the only '%' a dump file name needs is a substitution variable.
  if (/%(?![UuL])/.test(object)) return "'%' may only start the substitution variables %U, %u or %L";
  if (!/^[A-Za-z0-9._\-/%]+$/.test(object))
    return 'the object name may hold only letters, digits, "_", "-", ".", "/" and %U, %u, %L';
  if (object.length > 1024) return 'the object name may be at most 1024 characters long';
  return null;
}
