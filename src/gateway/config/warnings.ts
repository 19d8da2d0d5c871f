/** @module What a valid configuration may still get wrong: said at start-up and by check-config, never refused. */
import type { GatewayConfig } from './types.js';

/** Each warning names the setting and why it matters. */
export function configWarnings(config: GatewayConfig): string[] {
  const warnings: string[] = [];
  for (const tenant of Object.values(config.tenants)) {
    const { directories, filePrefix, schemas } = tenant.grants;
    // Without a prefix nothing keeps the tenant's dump file names apart from another tenant's in a shared directory.
    const admin = schemas.length === 1 && schemas[0] === '*';
    if (directories.length > 0 && filePrefix === null && !admin) {
      warnings.push(
        `tenants.${tenant.id}.grants: directories are granted without a file_prefix, so this tenant's dump files are not kept apart from other tenants' in a shared directory`,
      );
    }
    // Accepted for configs written before ids existed; a name chosen by the operator reads better in a log.
    const unnamed = tenant.apiKeys.filter((key) => key.derivedId).map((key) => key.id);
    if (unnamed.length > 0) {
      warnings.push(
        `tenants.${tenant.id}.api_keys: ${unnamed.length === 1 ? '1 key has' : `${unnamed.length} keys have`} no id, so logs and /metrics name ${unnamed.length === 1 ? 'it' : 'them'} ${unnamed.join(', ')}: give each key an id`,
      );
    }
  }
  return warnings;
}
