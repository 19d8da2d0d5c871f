// `datapump-gateway serve` never falls back to a default file: config/example.yaml holds demo keys the README publishes.
import { describe, expect, it } from 'vitest';

import { runCli } from './run-cli.js';

describe('datapump-gateway serve', () => {
  it('refuses to start without --config or GATEWAY_CONFIG, and says how to pass one', async () => {
    const result = await runCli(['serve'], { ORDS_PASSWORD: 'oracle' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a configuration: pass --config <file> or set GATEWAY_CONFIG=<file>/);
    expect(result.stdout).not.toMatch(/listening/);
  });
});
