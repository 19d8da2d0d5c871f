/** @module Where the job reads or writes: `datapump_dir`, `credential_name` and `file_name` (directory or object-storage mode). */
import { directoryFileNameFault } from './file-name.js';
import { granted, isOracleName, isWildcard, near, quoteName } from './names.js';
import { checkObjectUri } from './object-uri.js';
import type { Operation, TenantPolicy, Violation } from './types.js';
import { notGranted, unsafe } from './violations.js';

export interface Storage {
  datapump_dir?: string;
  file_name?: string;
  credential_name?: string;
}

export function checkStorage(
  body: Readonly<Record<string, unknown>>,
  operation: Operation | null,
  tenant: TenantPolicy,
  timestamp: string,
  violations: Violation[],
): Storage {
  const out: Storage = {};
  checkDirectory(body.datapump_dir, tenant, violations, out);
  const file = body.file_name;
  if (file !== undefined && typeof file !== 'string') {
    violations.push(unsafe('/file_name', 'file_name must be a string.'));
    return out;
  }
  // As in ORDS, the presence of credential_name is what selects object-storage mode; the gateway never guesses it from file_name.
  if (body.credential_name !== undefined) checkObjectStorage(body.credential_name, file, tenant, violations, out);
  else checkDirectoryFile(file, operation, tenant, timestamp, violations, out);
  return out;
}

function checkDirectory(dir: unknown, tenant: TenantPolicy, violations: Violation[], out: Storage): void {
  if (dir === undefined) {
    const first = tenant.directories[0];
    if (first === undefined)
      violations.push(notGranted('/datapump_dir', 'This tenant is granted no directory object.'));
    // With ['*'] nothing is injected: ORDS's own default (DATA_PUMP_DIR) applies, as for a direct caller.
    else if (first !== '*') out.datapump_dir = first;
    return;
  }
  if (!isOracleName(dir)) violations.push(unsafe('/datapump_dir', 'datapump_dir must be an uppercase Oracle name.'));
  else if (!granted(tenant.directories, dir))
    violations.push(notGranted('/datapump_dir', `The directory ${quoteName(dir)} is not granted to this tenant.`));
  else out.datapump_dir = dir;
}

function checkObjectStorage(
  credential: unknown,
  file: string | undefined,
  tenant: TenantPolicy,
  violations: Violation[],
  out: Storage,
): void {
  if (!isOracleName(credential))
    violations.push(unsafe('/credential_name', 'credential_name must be an uppercase Oracle name.'));
  else if (tenant.credentials.length === 0)
    violations.push(notGranted('/credential_name', 'Object storage is not granted to this tenant.'));
  else if (!granted(tenant.credentials, credential))
    violations.push(
      notGranted('/credential_name', `The credential ${quoteName(credential)} is not granted to this tenant.`),
    );
  else out.credential_name = credential;
  if (file === undefined) {
    violations.push(
      unsafe('/file_name', 'With credential_name, file_name must be the https URI of an Oracle Object Storage object.'),
    );
    return;
  }
  const uri = checkObjectUri(file);
  if (!uri.ok) {
    violations.push(unsafe('/file_name', `The object storage URI is refused: ${uri.reason}.`));
    return;
  }
  // No wildcard here: every bucket the database may touch with a credential is listed explicitly.
  if (!tenant.objectStorage.some((b) => b.namespace === uri.namespace && b.bucket === uri.bucket)) {
    violations.push(
      notGranted(
        '/file_name',
        `The bucket ${quoteName(uri.bucket)} in namespace ${quoteName(uri.namespace)} is not granted to this tenant.`,
      ),
    );
    return;
  }
  out.file_name = uri.uri;
}

function checkDirectoryFile(
  file: string | undefined,
  operation: Operation | null,
  tenant: TenantPolicy,
  timestamp: string,
  violations: Violation[],
  out: Storage,
): void {
  const prefix = tenant.filePrefix;
  if (file === undefined) {
    // With no prefix the name stays absent and ORDS's own timestamped default applies.
    if (operation === 'EXPORT' && prefix !== null) out.file_name = `${prefix}${timestamp}_%U.DMP`;
    if (operation === 'IMPORT') violations.push(unsafe('/file_name', 'An IMPORT needs file_name.'));
    return;
  }
  const fault = directoryFileNameFault(file);
  if (fault) {
    const hint = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(file) ? ' A URI is accepted only together with credential_name.' : '';
    const where = fault.position <= file.length ? `, near ${near(file, fault.position)}` : '';
    violations.push(
      unsafe(
        '/file_name',
        `The file name is not accepted at position ${fault.position}${where}: ${fault.reason}.${hint}`,
      ),
    );
    return;
  }
  // The prefix keeps one tenant from reading (IMPORT) or overwriting (EXPORT) another's dumps in a shared directory;
  // an `any` import grant is exactly the permission to read others' dumps.
  const anyImport = operation === 'IMPORT' && tenant.importProvenance === 'any';
  if (prefix !== null && !isWildcard(tenant.schemas) && !anyImport && !file.startsWith(prefix)) {
    violations.push(notGranted('/file_name', `This tenant's dump file names must start with ${quoteName(prefix)}.`));
    return;
  }
  out.file_name = file;
}
