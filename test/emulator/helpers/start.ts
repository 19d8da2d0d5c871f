// Starts an in-process emulator on a free port with a manual clock and predictable ids; closes it after each test.
import { afterEach } from 'vitest';

import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type ManualClock,
  manualClock,
  sequentialIds,
} from '../../../src/emulator/index.js';

export interface Started {
  emulator: Emulator;
  clock: ManualClock;
  /** `http://127.0.0.1:PORT/ords/orcl/pdbadmin/_/db-api/stable/` */
  api: string;
  jobs: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
}

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<Started> {
  const clock = manualClock();
  const emulator = createEmulator({ clock, ids: sequentialIds('ecid'), port: 0, ...options });
  await emulator.listen();
  running.push(emulator);
  return {
    emulator,
    clock: (options.clock as ManualClock | undefined) ?? clock,
    api: emulator.apiUrl,
    jobs: `${emulator.apiUrl}database/datapump/jobs/`,
    origin: emulator.origin,
  };
}
