/** @module `verify-upstream`'s whole run: read ORDS once (observe.ts), then judge every check from what was read. */
import type { OpenApiDocument } from '../../contract/documents.js';
import type { DatabaseConfig } from '../config/types.js';
import type { OrdsContract } from '../upstream/ords-contract.js';
import { checkCatalog } from './catalog-check.js';
import type { CheckResult } from './check-result.js';
import { checkCredentials } from './credentials-check.js';
import { checkDumpFiles, checkLog } from './files-check.js';
import { checkJob } from './job-check.js';
import { checkJobList, checkJobRows } from './list-checks.js';
import { type Observations, observe } from './observe.js';
import { checkOpenApi } from './openapi-check.js';
import { checkLimit, checkNext, checkOffset } from './paging-checks.js';
import type { UpstreamReader } from './reader.js';
import { checkTimeZone } from './time-zone-check.js';
import { checkVersion } from './version-check.js';

export interface VerifyContext {
  readonly database: DatabaseConfig;
  /** Our upstream contract (generated/openapi/ords.json), the one the instance's openapi.json is diffed against. */
  readonly ours: OpenApiDocument;
  readonly contract: OrdsContract;
}

/** Every check, in the order of the report, from one set of observations. */
function judge(obs: Observations, { database, ours, contract }: VerifyContext): CheckResult[] {
  return [
    checkCredentials(obs),
    checkCatalog(obs),
    checkOpenApi(obs, ours),
    checkJobList(obs, contract),
    checkJobRows(obs, contract),
    checkLimit(obs, contract),
    checkOffset(obs, contract),
    checkNext(obs, contract),
    checkJob(obs, contract),
    checkLog(obs, contract),
    checkDumpFiles(obs, contract),
    checkVersion(obs, database.ordsVersion?.trim() || undefined, database.name),
    checkTimeZone(obs, contract, database.timeZone),
  ];
}

export async function verifyUpstream(context: VerifyContext, reader: UpstreamReader): Promise<CheckResult[]> {
  return judge(await observe(context.database, reader, context.contract), context);
}
