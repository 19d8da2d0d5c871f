// `serveAnyFile` / `--serve-any-file`: an ORDS that serves any file name of an existing job, not only its own files.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { addEmulatorOptions, configFromCommand } from '../../src/emulator/cli.js';
import { resolveOptions } from '../../src/emulator/index.js';
import { BASIC, call } from './helpers/client.js';
import { startTestEmulator } from './helpers/start.js';

const auth = { authorization: BASIC };

describe('serveAnyFile', () => {
  it("is off by default: a name that is not the job's is 404", async () => {
    expect(resolveOptions().serveAnyFile).toBe(false);
    const { jobs } = await startTestEmulator();
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    expect((await call(`${created.headers.location!}SOMEONE_ELSES.DMP`, { headers: auth })).status).toBe(404);
  });

  it("serves any name of an existing job with a fake body, the job's own files as usual, and no file of a job that does not exist", async () => {
    const { jobs } = await startTestEmulator({ serveAnyFile: true });
    const created = await call(jobs, { headers: auth, body: { operation: 'EXPORT' } });
    const self = created.headers.location!;
    const foreign = await call(`${self}SOMEONE_ELSES.DMP`, { headers: auth, contract: false });
    expect(foreign.status).toBe(200);
    expect(foreign.headers['content-type']).toBe('application/octet-stream');
    expect(foreign.text).toMatch(/^EMULATED FILE THAT IS NOT THE JOB'S \(serveAnyFile\): SOMEONE_ELSES\.DMP asked of /);
    const log = await call(`${self}EXPDAT-2019-09-06-15_57_36.LOG`, { headers: auth });
    expect(log.status).toBe(200);
    expect(log.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await call(`${jobs}PDBADMIN,NO_SUCH_JOB/EXPDAT.LOG`, { headers: auth })).status).toBe(404);
  });

  it('is set by --serve-any-file, and refused when not a boolean', () => {
    const command = addEmulatorOptions(
      new Command('test')
        .exitOverride()
        .configureOutput({ writeErr: () => undefined })
        .action(() => undefined),
    );
    command.parse(['--serve-any-file'], { from: 'user' });
    expect(configFromCommand(command).serveAnyFile).toBe(true);
    expect(() => resolveOptions({ serveAnyFile: 'yes' as never })).toThrow(/serveAnyFile/);
  });
});
