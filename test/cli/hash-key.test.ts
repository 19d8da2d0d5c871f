// `datapump-gateway hash-key`, run as a child process: output format, and that the hash is the key's SHA-256.
import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { runCli } from './run-cli.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const GENERATED = /^key: {4}([A-Za-z0-9_-]{43})\nsha256: ([0-9a-f]{64})\n\n.+\n {2}- sha256: ([0-9a-f]{64})\n$/;

describe('datapump-gateway hash-key', () => {
  it('prints a new 32-byte base64url key, its SHA-256 and the YAML line to paste', async () => {
    const result = await runCli(['hash-key']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const match = GENERATED.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const [, key, hash, yamlHash] = match!;
    expect(Buffer.from(key!, 'base64url')).toHaveLength(32);
    expect(hash).toBe(sha256(key!));
    expect(yamlHash).toBe(hash);
  });

  it('makes a different key every time', async () => {
    const [a, b] = await Promise.all([runCli(['hash-key']), runCli(['hash-key'])]);
    expect(GENERATED.exec(a.stdout)![1]).not.toBe(GENERATED.exec(b.stdout)![1]);
  });

  it('hashes a given key with --key, without echoing it', async () => {
    const result = await runCli(['hash-key', '--key', 'hr-demo-key']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'sha256: 03ca2ec8174645c8aca0d25ec965018b885db6232e52d17ae3a01ede19f227a1',
        '',
        "Paste this line under the tenant's api_keys:",
        '  - sha256: 03ca2ec8174645c8aca0d25ec965018b885db6232e52d17ae3a01ede19f227a1',
        '',
      ].join('\n'),
    );
    expect(result.stdout).not.toContain('hr-demo-key');
  });

  it('refuses an empty --key', async () => {
    const result = await runCli(['hash-key', '--key', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --key must not be empty\n');
    expect(result.stdout).toBe('');
  });
});
