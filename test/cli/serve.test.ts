// `datapump-gateway serve` never falls back to a default file: config/example.yaml holds demo keys the README publishes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from './run-cli.js';

describe('datapump-gateway serve', () => {
  it('refuses to start without --config or GATEWAY_CONFIG, and says how to pass one', async () => {
    const result = await runCli(['serve'], { ORDS_PASSWORD: 'oracle' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a configuration: pass --config <file> or set GATEWAY_CONFIG=<file>/);
    expect(result.stdout).not.toMatch(/listening/);
  });

  it('exits 1 on an invalid configuration, naming each problem, and never listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dpg-serve-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'public_url: not a url\n');
    const result = await runCli(['serve', '--config', path], { ORDS_PASSWORD: 'oracle' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/public_url/);
    expect(result.stdout).not.toMatch(/listening/);
  });
});
