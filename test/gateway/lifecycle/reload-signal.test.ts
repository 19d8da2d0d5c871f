// Hot reload of a gateway process: SIGHUP re-reads the config file; a new key works without a restart and
// without dropping connections; an invalid file is refused and the process keeps serving.
import { Client } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';

import {
  GATEWAY_PROCESS_ENV,
  gatewayConfigTree,
  killAllGatewayProcesses,
  startGatewayProcess,
  tenantTree,
} from '../../helpers/gateway-process.js';

/** Nothing listens there: only a tenant's empty job list is read, which does not call ORDS. */
const ORDS_URL = 'http://127.0.0.1:9/ords/orcl/pdbadmin/';
const LIST = '/databases/orcl/datapump/jobs/';

describe('SIGHUP', () => {
  afterAll(killAllGatewayProcesses);

  it('reloads the config file in the running process: a new key is accepted at once, connections are kept', async () => {
    const tree = gatewayConfigTree({ ordsUrl: ORDS_URL });
    const gw = await startGatewayProcess({ config: tree, env: GATEWAY_PROCESS_ENV });
    const client = new Client(gw.url, { pipelining: 1 });
    let connections = 0;
    client.on('connect', () => {
      connections += 1;
    });
    const list = async (key: string) => {
      const res = await client.request({ method: 'GET', path: LIST, headers: { 'x-api-key': key } });
      await res.body.dump();
      return res.statusCode;
    };
    try {
      expect(await list('ops-key')).toBe(401);
      expect(await list('hr-demo-key')).toBe(200);

      const tenants = tree.tenants as Record<string, unknown>;
      gw.writeConfig({
        ...tree,
        tenants: {
          ...tenants,
          'ops-team': tenantTree('ops-key', {
            operations: ['EXPORT'],
            job_modes: ['SCHEMA'],
            schemas: ['OPS'],
            max_threads: 1,
            directories: ['DATA_PUMP_DIR'],
          }),
        },
      });
      let mark = gw.output().length;
      gw.signal('SIGHUP');
      expect(await gw.waitForLog('configuration reloaded', { from: mark })).toMatchObject({
        changed: ['tenants.ops-team (added)'],
      });
      expect(await list('ops-key')).toBe(200);
      expect(await list('hr-demo-key')).toBe(200);

      // An invalid file: every problem logged, the running configuration kept, the process still serving.
      gw.writeConfig({
        ...tree,
        listen: { port: 70_000 },
        tenants: { ...tenants, 'bad-team': { databases: ['nowhere'] } },
      });
      mark = gw.output().length;
      gw.signal('SIGHUP');
      const failed = await gw.waitForLog(/^configuration reload failed/, { from: mark });
      expect((failed.problems as string[]).length).toBeGreaterThanOrEqual(3);
      expect(await list('ops-key')).toBe(200);

      expect(connections).toBe(1);
      expect(gw.child.exitCode).toBeNull();
    } finally {
      await client.close();
    }
    expect(await gw.stop()).toEqual({ code: 0, signal: null });
  });
});
