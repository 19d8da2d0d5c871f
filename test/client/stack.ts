// A real ORDS emulator process and a real gateway in front of it, for the client, CLI and docs tests.
import type { GatewayConfig } from '../../src/gateway/config/types.js';
import { createLogger, type RunningGateway, startGateway } from '../../src/gateway/server.js';
import {
  type EmulatorProcess,
  type EmulatorProcessOptions,
  startEmulatorProcess,
} from '../helpers/emulator-process.js';
import { testConfig } from '../helpers/gateway-config.js';

export interface Stack {
  readonly emulator: EmulatorProcess;
  readonly gateway: RunningGateway;
  /** The gateway's own URL (`http://127.0.0.1:PORT`); `publicUrl` stays `http://gateway.test`. */
  readonly url: string;
  /** Another gateway in front of the same emulator, with other settings (for rate limits). */
  extraGateway(overrides: Partial<GatewayConfig>): Promise<RunningGateway>;
  close(): Promise<void>;
}

export async function startStack(
  options: { emulator?: EmulatorProcessOptions; config?: Partial<GatewayConfig> } = {},
): Promise<Stack> {
  const emulator = await startEmulatorProcess({ clock: 'manual', ...options.emulator });
  const extra: RunningGateway[] = [];
  const start = (overrides: Partial<GatewayConfig>) =>
    startGateway({
      config: testConfig(overrides, { url: emulator.ordsUrl }),
      logger: createLogger('silent'),
      shutdownGraceMs: 1_000,
    });
  let gateway: RunningGateway;
  try {
    gateway = await start(options.config ?? {});
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  return {
    emulator,
    gateway,
    url: gateway.url,
    async extraGateway(overrides) {
      const g = await start(overrides);
      extra.push(g);
      return g;
    },
    async close() {
      await Promise.all([gateway.close(), ...extra.map((g) => g.close())]);
      await emulator.stop();
    },
  };
}

/** A loopback port nothing listens on (bound, then released), for "connection refused". */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
